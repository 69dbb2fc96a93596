#include "keyring.h"

#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace referral {
namespace {

const std::string kHex1 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kHex2 = "8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778";

std::string parse_error(const std::string &text) {
    std::string error;
    auto keys = Keyring::parse(text, &error);
    EXPECT_EQ(keys, nullptr) << text;
    EXPECT_FALSE(error.empty());
    return error;
}

// No message may repeat any part of a key long enough to help guess it.
void expect_no_key_material(const std::string &error, const std::string &hex) {
    for (size_t i = 0; i + 8 <= hex.size(); ++i) {
        ASSERT_EQ(error.find(hex.substr(i, 8)), std::string::npos) << error;
    }
}

TEST(Keyring, ParsesKeysInOrder) {
    std::string error;
    auto keys = Keyring::parse("k1:" + kHex1 + "\nk2:" + kHex2 + "\n", &error);
    ASSERT_NE(keys, nullptr) << error;
    EXPECT_EQ(keys->size(), 2u);
    EXPECT_EQ(keys->signer().kid, "k1");
    ASSERT_NE(keys->find("k2"), nullptr);
    EXPECT_EQ(keys->find("k2")->kid, "k2");
    EXPECT_EQ(keys->find("k3"), nullptr);
    EXPECT_EQ(keys->find(""), nullptr);
    EXPECT_EQ(keys->find("K1"), nullptr);
}

TEST(Keyring, SkipsCommentsBlankLinesAndWhitespace) {
    std::string text = "\xEF\xBB\xBF# rotated 2024-05\r\n\r\n   \n\t# old\n  new_key-2 : " + kHex2 +
                       "  \r\nold:" + kHex1 + "\r\n\n";
    std::string error;
    auto keys = Keyring::parse(text, &error);
    ASSERT_NE(keys, nullptr) << error;
    EXPECT_EQ(keys->size(), 2u);
    EXPECT_EQ(keys->signer().kid, "new_key-2");
    EXPECT_NE(keys->find("old"), nullptr);
}

TEST(Keyring, AcceptsLongAndUpperCaseKeys) {
    std::string upper = kHex2;
    for (char &c : upper) {
        c = static_cast<char>(toupper(c));
    }
    std::string error;
    auto keys = Keyring::parse(
        "a:" + upper + "\nb:" + kHex1 + kHex2 + kHex1 + "\nabcdefghijklmnop:" + kHex1 + "ff",
        &error);
    ASSERT_NE(keys, nullptr) << error;
    EXPECT_EQ(keys->size(), 3u);
}

TEST(Keyring, MacIsKeyedWithTheSecret) {
    auto keys = Keyring::parse("k1:" + kHex1, nullptr);
    ASSERT_NE(keys, nullptr);
    uint8_t secret[32];
    for (int i = 0; i < 32; ++i) {
        secret[i] = static_cast<uint8_t>(i);
    }
    uint8_t expected[32];
    HMAC(EVP_sha256(), secret, 32, reinterpret_cast<const uint8_t *>("msg"), 3, expected, nullptr);
    Digest got = keys->signer().mac.mac("msg");
    EXPECT_EQ(std::string(got.begin(), got.end()), std::string(expected, expected + 32));
}

// HMAC(secret, label): the key derived for `label`.
std::string derived_key(const std::string &label) {
    uint8_t secret[32];
    for (int i = 0; i < 32; ++i) {
        secret[i] = static_cast<uint8_t>(i);
    }
    uint8_t key[32];
    HMAC(EVP_sha256(), secret, 32, reinterpret_cast<const uint8_t *>(label.data()), label.size(),
         key, nullptr);
    return std::string(key, key + 32);
}

// HMAC(HMAC(secret, label), message): what a key derived for `label` makes of message.
std::string derived_mac(const std::string &label, const std::string &message) {
    std::string key = derived_key(label);
    uint8_t out[32];
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const uint8_t *>(message.data()), message.size(), out, nullptr);
    return std::string(out, out + 32);
}

TEST(Keyring, IpHashIsSipHashUnderTheFirstHalfOfADerivedKey) {
    auto keys = Keyring::parse("k1:" + kHex1, nullptr);
    ASSERT_NE(keys, nullptr);
    SipHash64::Tag got, want;
    ASSERT_TRUE(keys->signer().ip_hash.mac("192.0.2.1", &got));
    ASSERT_TRUE(SipHash64(derived_key("ip-v1").substr(0, 16)).mac("192.0.2.1", &want));
    EXPECT_EQ(got, want);
    ASSERT_TRUE(SipHash64(derived_key("spool-v1")).mac("192.0.2.1", &want));
    EXPECT_NE(got, want);
}

TEST(Keyring, SpoolMacIsKeyedWithItsOwnDerivedKey) {
    auto keys = Keyring::parse("k1:" + kHex1, nullptr);
    ASSERT_NE(keys, nullptr);
    Digest got = keys->signer().spool_mac.mac("record");
    EXPECT_EQ(std::string(got.begin(), got.end()), derived_mac("spool-v1", "record"));
    EXPECT_NE(std::string(got.begin(), got.end()), derived_mac("ip-v1", "record"));
}

TEST(Keyring, ShortKey) {
    std::string error = parse_error("# keys\nk1:" + kHex1.substr(0, 62));
    EXPECT_NE(error.find("line 2"), std::string::npos) << error;
    EXPECT_NE(error.find("32 bytes"), std::string::npos) << error;
    expect_no_key_material(error, kHex1);
    EXPECT_NE(parse_error("k1:").find("32 bytes"), std::string::npos);
}

TEST(Keyring, OddHex) {
    std::string error = parse_error("k1:" + kHex1 + "a");
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
    EXPECT_NE(error.find("odd"), std::string::npos) << error;
    expect_no_key_material(error, kHex1);
}

TEST(Keyring, NotHex) {
    std::string key = kHex1;
    key[10] = 'g';
    std::string error = parse_error("k1:" + key);
    EXPECT_NE(error.find("hexadecimal"), std::string::npos) << error;
    expect_no_key_material(error, key);
    EXPECT_NE(parse_error("k1:" + kHex1.substr(0, 32) + " " + kHex1.substr(32)).find("hexadecimal"),
              std::string::npos);
}

TEST(Keyring, PlaceholderKeysAreRefused) {
    std::string pattern;
    for (int i = 0; i < 32; ++i) {
        pattern += "5A";
    }
    for (const std::string &hex :
         {std::string(64, '0'), std::string(64, 'f'), std::string(66, 'a'), pattern}) {
        std::string error = parse_error("k0:" + kHex2 + "\nk1:" + hex);
        EXPECT_NE(error.find("line 2"), std::string::npos) << error;
        EXPECT_NE(error.find("repeated"), std::string::npos) << error;
    }
    std::string almost = std::string(62, '0') + "01";
    EXPECT_NE(Keyring::parse("k1:" + almost, nullptr), nullptr) << "two distinct bytes pass";
}

TEST(Keyring, BadKid) {
    for (const std::string &kid : {std::string(""), std::string("k 1"), std::string("k.1"),
                                   std::string("abcdefghijklmnopq"), std::string("k\xc3\xa9")}) {
        std::string error = parse_error("k0:" + kHex2 + "\n" + kid + ":" + kHex1);
        EXPECT_NE(error.find("line 2"), std::string::npos) << error;
        EXPECT_NE(error.find("key id"), std::string::npos) << error;
        expect_no_key_material(error, kHex1);
    }
}

TEST(Keyring, DuplicateKid) {
    std::string error = parse_error("k1:" + kHex1 + "\n# next\nk1:" + kHex2);
    EXPECT_NE(error.find("line 3"), std::string::npos) << error;
    EXPECT_NE(error.find("duplicate"), std::string::npos) << error;
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
    expect_no_key_material(error, kHex1);
    expect_no_key_material(error, kHex2);
}

TEST(Keyring, MalformedLine) {
    std::string error = parse_error(kHex1);
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
    EXPECT_NE(error.find("kid:hex"), std::string::npos) << error;
    expect_no_key_material(error, kHex1);
    // A key pasted the wrong way round must not be echoed as a kid either.
    error = parse_error(kHex1 + ":k1");
    EXPECT_NE(error.find("key id"), std::string::npos) << error;
    expect_no_key_material(error, kHex1);
}

TEST(Keyring, Empty) {
    for (const std::string &text :
         {std::string(""), std::string("\n\n"), std::string("# only a comment\n   \n")}) {
        std::string error = parse_error(text);
        EXPECT_NE(error.find("no keys"), std::string::npos) << error;
    }
}

TEST(Keyring, NullErrorIsAllowed) {
    EXPECT_EQ(Keyring::parse("", nullptr), nullptr);
}

}  // namespace
}  // namespace referral
