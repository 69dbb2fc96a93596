#include "hmac.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace referral {
namespace {

std::string hex(const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

std::string unhex(std::string_view h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
    }
    return out;
}

struct Rfc4231Case {
    std::string key;
    std::string data;
    std::string expected_hex;  // test case 5 gives only the first 128 bits
};

// RFC 4231 §4.2-4.8.
std::vector<Rfc4231Case> rfc4231_cases() {
    return {
        {std::string(20, '\x0b'), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {std::string(20, '\xaa'), std::string(50, '\xdd'),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
        {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {std::string(131, '\xaa'),
         "This is a test using a larger than block-size key and a larger than block-size data. "
         "The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
}

TEST(HmacSha256, Rfc4231TestCases) {
    int number = 1;
    for (const auto &c : rfc4231_cases()) {
        HmacSha256 mac(c.key);
        Digest d = mac.mac(c.data);
        EXPECT_EQ(hex(d.data(), c.expected_hex.size() / 2), c.expected_hex) << "case " << number;
        ++number;
    }
}

TEST(HmacSha256, ReusedForManyMessages) {
    HmacSha256 mac("Jefe");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(hex(mac.mac("what do ya want for nothing?").data(), 32),
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        mac.mac(std::string(1000, 'x'));
    }
}

TEST(HmacSha256, AgreesWithOpenSslForKeyAndMessageLengths) {
    for (size_t key_len : {0, 1, 31, 32, 63, 64, 65, 100, 200}) {
        std::string key;
        for (size_t i = 0; i < key_len; ++i) {
            key += static_cast<char>(i * 7 + 3);
        }
        HmacSha256 mac(key);
        for (size_t msg_len : {0, 1, 55, 56, 63, 64, 65, 119, 120, 1000}) {
            std::string msg(msg_len, static_cast<char>(msg_len));
            uint8_t expected[32];
            HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                 reinterpret_cast<const uint8_t *>(msg.data()), msg.size(), expected, nullptr);
            Digest got;
            ASSERT_TRUE(mac.mac(msg, &got));
            EXPECT_EQ(hex(got.data(), 32), hex(expected, 32))
                << "key " << key_len << " message " << msg_len;
        }
    }
}

TEST(HmacSha256, MovedKeepsItsKey) {
    HmacSha256 a("Jefe");
    HmacSha256 b(std::move(a));
    EXPECT_EQ(hex(b.mac("what do ya want for nothing?").data(), 32),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    Digest d;
    EXPECT_FALSE(a.mac("x", &d));  // NOLINT(bugprone-use-after-move): moved-from is defined
}

TEST(EqualConstantTime, ComparesBytes) {
    const uint8_t a[] = {1, 2, 3, 4};
    const uint8_t b[] = {1, 2, 3, 5};
    EXPECT_TRUE(equal_constant_time(a, a, 4));
    EXPECT_FALSE(equal_constant_time(a, b, 4));
    EXPECT_TRUE(equal_constant_time(a, b, 3));
    EXPECT_TRUE(equal_constant_time(a, b, 0));
}

}  // namespace
}  // namespace referral
