#include "redis_address.h"

#include <gtest/gtest.h>

namespace referral::redis {
namespace {

TEST(RedisAddress, Ports) {
    EXPECT_EQ(parse_port("6379"), 6379);
    EXPECT_EQ(parse_port("65535"), 65535);
    for (const char *bad : {"", "0", "65536", "+1", "-1", "63 79", "6379x", "100000"}) {
        EXPECT_EQ(parse_port(bad), std::nullopt) << bad;
    }
}

TEST(RedisAddress, Redirections) {
    auto moved = parse_redirection("MOVED 3999 127.0.0.1:6381");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->host, "127.0.0.1");
    EXPECT_EQ(moved->port, 6381);
    EXPECT_FALSE(moved->asking);

    auto ask = parse_redirection("ASK 0 ::1:7000");
    ASSERT_TRUE(ask);
    EXPECT_EQ(ask->host, "::1");
    EXPECT_EQ(ask->port, 7000);
    EXPECT_TRUE(ask->asking);

    auto named = parse_redirection("MOVED 16383 redis-2.example:6379");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->host, "redis-2.example");
}

TEST(RedisAddress, NotRedirections) {
    for (const char *other :
         {"READONLY You can't write against a read only replica.", "MOVED", "MOVED 1",
          "MOVED x 127.0.0.1:1", "MOVED  127.0.0.1:1", "MOVED 1 127.0.0.1", "MOVED 1 :6379",
          "MOVED 1 ?:6379", "MOVED 1 127.0.0.1:0", "ASKING", "moved 1 127.0.0.1:1",
          "MOVED 1 a b:1"}) {
        EXPECT_EQ(parse_redirection(other), std::nullopt) << other;
    }
}

}  // namespace
}  // namespace referral::redis
