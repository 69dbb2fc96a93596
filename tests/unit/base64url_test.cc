#include "base64url.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace referral {
namespace {

using namespace std::string_literals;

// Decodes into a string; "<invalid>" when rejected.
std::string decode(std::string_view in) {
    std::vector<uint8_t> buf(b64url_decoded_max(in.size()) + 1);
    long n = b64url_decode(in, buf.data());
    if (n < 0) {
        return "<invalid>";
    }
    EXPECT_LE(static_cast<size_t>(n), b64url_decoded_max(in.size()));
    return std::string(reinterpret_cast<char *>(buf.data()), static_cast<size_t>(n));
}

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto &[plain, encoded] : vectors) {
        EXPECT_EQ(b64url_encode(plain), encoded);
        EXPECT_EQ(decode(encoded), plain);
    }
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
    EXPECT_EQ(b64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
    EXPECT_EQ(decode("-_-_"), std::string("\xfb\xff\xbf", 3));
    EXPECT_EQ(decode("+/+/"), "<invalid>");
}

TEST(Base64Url, EncodedSizeMatchesWrites) {
    uint8_t in[64];
    char out[b64url_encoded_size(64)];
    for (size_t n = 0; n <= sizeof(in); ++n) {
        for (size_t i = 0; i < n; ++i) {
            in[i] = static_cast<uint8_t>(i * 37 + n);
        }
        size_t written = b64url_encode(in, n, out);
        ASSERT_EQ(written, b64url_encoded_size(n));
        std::string back = decode(std::string_view(out, written));
        ASSERT_EQ(back, std::string(reinterpret_cast<char *>(in), n));
    }
}

TEST(Base64Url, RejectsPadding) {
    EXPECT_EQ(decode("Zg=="), "<invalid>");
    EXPECT_EQ(decode("Zm8="), "<invalid>");
    EXPECT_EQ(decode("Zg="), "<invalid>");
    EXPECT_EQ(decode("===="), "<invalid>");
}

TEST(Base64Url, RejectsCharactersOutsideTheAlphabet) {
    for (char c : "=+/.~ \t\r\n%*\x7f\x80\xff"s) {
        EXPECT_EQ(decode(std::string("Zm9v") + c + "g"), "<invalid>") << int(c);
        EXPECT_EQ(decode(std::string("Zm") + c + "v"), "<invalid>") << int(c);
    }
    EXPECT_EQ(decode("Zm\0v"s), "<invalid>");
}

TEST(Base64Url, RejectsLengthOfFourKPlusOne) {
    EXPECT_EQ(decode("Z"), "<invalid>");
    EXPECT_EQ(decode("Zm9vY"), "<invalid>");
    EXPECT_EQ(decode("Zm9vYmFyZ"), "<invalid>");
}

TEST(Base64Url, RejectsNonZeroTrailingBits) {
    EXPECT_EQ(decode("Zh"), "<invalid>");   // 'h' leaves 0001 past the byte
    EXPECT_EQ(decode("Zm9"), "<invalid>");  // '9' leaves 01
    EXPECT_EQ(decode("Zm8"), "fo");
    EXPECT_EQ(decode("Zg"), "f");
}

// Strictness means one encoding per byte string: a decodable string re-encodes to itself.
TEST(Base64Url, EveryAcceptedStringIsCanonical) {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    auto accepted = [](const std::string &s) {
        std::string d = decode(s);
        if (d == "<invalid>") {
            return 0;
        }
        EXPECT_EQ(b64url_encode(d), s);
        return 1;
    };
    int two = 0, three = 0;
    for (char a : alphabet) {
        for (char b : alphabet) {
            two += accepted(std::string{a, b});
            for (char c : alphabet) {
                three += accepted(std::string{a, b, c});
            }
        }
    }
    EXPECT_EQ(two, 256);
    EXPECT_EQ(three, 65536);
}

}  // namespace
}  // namespace referral
