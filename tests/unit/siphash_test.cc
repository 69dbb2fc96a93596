#include "siphash.h"

#include <string>

#include <gtest/gtest.h>

namespace referral {
namespace {

// The reference implementation's vectors_sip64 (SipHash-2-4, 64-bit output): key 00..0f,
// message i = the bytes 00..i-1.
constexpr uint8_t kVectors[][8] = {
    {0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72},
    {0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74},
    {0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d},
    {0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85},
    {0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf},
    {0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18},
    {0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb},
    {0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab},
    {0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93},
    {0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e},
    {0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a},
    {0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4},
    {0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75},
    {0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14},
    {0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7},
    {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1},
};
constexpr uint8_t kVector63[8] = {0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95};

std::string counting(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s.push_back(static_cast<char>(i));
    }
    return s;
}

SipHash64::Tag tag(const uint8_t (&bytes)[8]) {
    SipHash64::Tag t;
    std::copy(std::begin(bytes), std::end(bytes), t.begin());
    return t;
}

TEST(SipHash64, ReferenceVectors) {
    SipHash64 sip(counting(16));
    ASSERT_TRUE(sip.valid());
    SipHash64::Tag got;
    for (size_t i = 0; i < std::size(kVectors); ++i) {
        ASSERT_TRUE(sip.mac(counting(i), &got));
        EXPECT_EQ(got, tag(kVectors[i])) << "message of " << i << " bytes";
    }
    ASSERT_TRUE(sip.mac(counting(63), &got));
    EXPECT_EQ(got, tag(kVector63));
}

// Each message starts from the key alone, whatever came before it.
TEST(SipHash64, ReusedContextForgetsThePreviousMessage) {
    SipHash64 sip(counting(16));
    SipHash64::Tag first, again;
    ASSERT_TRUE(sip.mac(counting(63), &first));
    ASSERT_TRUE(sip.mac(counting(1), &again));
    EXPECT_EQ(again, tag(kVectors[1]));
    ASSERT_TRUE(sip.mac(counting(63), &again));
    EXPECT_EQ(again, first);
}

TEST(SipHash64, UsesTheFirstSixteenBytesOfTheKey) {
    SipHash64 sip(counting(32));
    SipHash64::Tag got;
    ASSERT_TRUE(sip.mac("", &got));
    EXPECT_EQ(got, tag(kVectors[0]));
}

TEST(SipHash64, ShortKeyIsInvalid) {
    SipHash64 sip(counting(15));
    EXPECT_FALSE(sip.valid());
    SipHash64::Tag got;
    EXPECT_FALSE(sip.mac("x", &got));
}

TEST(SipHash64, MovedFromIsInvalid) {
    SipHash64 sip(counting(16));
    SipHash64 moved(std::move(sip));
    SipHash64::Tag got;
    EXPECT_FALSE(sip.mac("x", &got));  // NOLINT(bugprone-use-after-move): the point of the test
    ASSERT_TRUE(moved.mac("", &got));
    EXPECT_EQ(got, tag(kVectors[0]));
}

}  // namespace
}  // namespace referral
