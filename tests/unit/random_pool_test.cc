#include "random_pool.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(RandomPool, HandsOutFreshBytesAcrossRefills) {
    RandomPool pool;
    std::set<std::string> seen;
    // 1000 ids of 16 bytes span four refills of the 4096-byte pool.
    for (int i = 0; i < 1000; ++i) {
        uint8_t id[16];
        ASSERT_TRUE(pool.take(id, sizeof(id)));
        EXPECT_TRUE(seen.insert(std::string(id, id + sizeof(id))).second);
    }
}

TEST(RandomPool, TakesOddSizesAcrossTheBufferEnd) {
    RandomPool pool;
    uint8_t big[256];
    for (int i = 0; i < 40; ++i) {
        ASSERT_TRUE(pool.take(big, 100 + i));
    }
    ASSERT_TRUE(pool.take(big, sizeof(big)));
    EXPECT_TRUE(pool.take(big, 0));
}

TEST(RandomPool, ResetDrawsANewBuffer) {
    RandomPool pool;
    uint8_t a[16], b[16];
    ASSERT_TRUE(pool.take(a, sizeof(a)));
    pool.reset();
    ASSERT_TRUE(pool.take(b, sizeof(b)));
    EXPECT_NE(std::string(a, a + 16), std::string(b, b + 16));
}

}  // namespace
}  // namespace referral
