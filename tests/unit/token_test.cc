#include "token.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base64url.h"

namespace referral {
namespace {

using namespace std::string_literals;

constexpr int64_t kMaxAge = 30 * 86400;

struct Vector {
    std::string kid, code, click_id, src, med, cmp, token;
    int64_t issued;
};

class TokenTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ifstream in(TOKEN_VECTORS);
        ASSERT_TRUE(in) << TOKEN_VECTORS;
        nlohmann::json doc = nlohmann::json::parse(in);
        k1_hex_ = doc["keys_hex"]["k1"].get<std::string>();
        k2_hex_ = doc["keys_hex"]["k2"].get<std::string>();
        for (const auto &c : doc["cases"]) {
            vectors_.push_back({c["kid"], c["code"], c["click_id"], c["src"], c["med"], c["cmp"],
                                c["token"], c["issued"].get<int64_t>()});
        }
        ASSERT_FALSE(vectors_.empty());
        both_ = ring("k1:" + k1_hex_ + "\nk2:" + k2_hex_ + "\n");
    }

    static std::unique_ptr<Keyring> ring(const std::string &text) {
        std::string error;
        auto keys = Keyring::parse(text, &error);
        EXPECT_NE(keys, nullptr) << error;
        return keys;
    }

    static Attribution attribution(const Vector &v) {
        return {v.code, v.issued, v.click_id, v.src, v.med, v.cmp};
    }

    static std::string sign(const Key &key, const Attribution &a) {
        char out[kMaxTokenLength];
        size_t n = sign_token(key, a, out);
        EXPECT_LE(n, kMaxTokenLength);
        return std::string(out, n);
    }

    // A token over any payload, correctly tagged: checks what is refused after the tag.
    static std::string tagged(const Key &key, std::string_view payload) {
        std::string body = "1." + key.kid + "." + b64url_encode(payload);
        Digest tag = key.mac.mac(body);
        return body + "." +
               b64url_encode(std::string_view(reinterpret_cast<const char *>(tag.data()), 16));
    }

    // *out's views stay valid until the next call.
    TokenStatus verify(const Keyring &keys, std::string_view token, int64_t now,
                       Attribution *out = nullptr) {
        scratch_.assign(token.size(), '\0');
        Attribution ignored;
        return verify_token(keys, token, now, kMaxAge, scratch_.data(), out ? out : &ignored);
    }

    std::string k1_hex_, k2_hex_;
    std::vector<Vector> vectors_;
    std::unique_ptr<Keyring> both_;
    std::vector<char> scratch_;
};

TEST_F(TokenTest, SignsTheVectorsByteForByte) {
    for (const Vector &v : vectors_) {
        const Key *key = both_->find(v.kid);
        ASSERT_NE(key, nullptr);
        EXPECT_EQ(sign(*key, attribution(v)), v.token);
    }
}

TEST_F(TokenTest, VerifiesTheVectors) {
    for (const Vector &v : vectors_) {
        Attribution a;
        std::vector<char> scratch(v.token.size());
        ASSERT_EQ(verify_token(*both_, v.token, v.issued + 60, kMaxAge, scratch.data(), &a),
                  TokenStatus::valid)
            << v.token;
        EXPECT_EQ(a.code, v.code);
        EXPECT_EQ(a.issued, v.issued);
        EXPECT_EQ(a.click_id, v.click_id);
        EXPECT_EQ(a.source, v.src);
        EXPECT_EQ(a.medium, v.med);
        EXPECT_EQ(a.campaign, v.cmp);
        EXPECT_GE(a.code.data(), scratch.data());
        EXPECT_LE(a.campaign.data() + a.campaign.size(), scratch.data() + scratch.size());
    }
}

TEST_F(TokenTest, RejectsEveryOneCharacterChange) {
    const std::string substitutes = "A_a-09.=%\x1f";
    for (const Vector &v : vectors_) {
        for (size_t i = 0; i < v.token.size(); ++i) {
            for (char c : substitutes) {
                if (c == v.token[i]) {
                    continue;
                }
                std::string changed = v.token;
                changed[i] = c;
                EXPECT_EQ(verify(*both_, changed, v.issued + 60), TokenStatus::invalid) << changed;
            }
            // The neighbour in the alphabet flips a single bit of the decoded sextet.
            std::string changed = v.token;
            changed[i] = static_cast<char>(changed[i] ^ 1);
            EXPECT_EQ(verify(*both_, changed, v.issued + 60), TokenStatus::invalid) << changed;
        }
    }
}

TEST_F(TokenTest, RejectsASwappedKid) {
    std::string token = vectors_[0].token;  // signed with k1
    ASSERT_EQ(token.substr(0, 5), "1.k1.");
    token[3] = '2';
    EXPECT_EQ(verify(*both_, token, vectors_[0].issued + 60), TokenStatus::invalid);
}

TEST_F(TokenTest, RejectsUnknownKidAndVersion) {
    const Vector &v = vectors_[0];
    auto only_k2 = ring("k2:" + k2_hex_);
    EXPECT_EQ(verify(*only_k2, v.token, v.issued + 60), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, "2" + v.token.substr(1), v.issued + 60), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, "v1" + v.token.substr(1), v.issued + 60), TokenStatus::invalid);
}

TEST_F(TokenTest, RejectsTruncation) {
    for (const Vector &v : vectors_) {
        for (size_t n = 0; n < v.token.size(); ++n) {
            EXPECT_EQ(verify(*both_, v.token.substr(0, n), v.issued + 60), TokenStatus::invalid)
                << n;
        }
    }
}

TEST_F(TokenTest, RejectsExtraDotsAndSuffixes) {
    const Vector &v = vectors_[0];
    int64_t now = v.issued + 60;
    size_t tag_dot = v.token.rfind('.');
    EXPECT_EQ(verify(*both_, v.token + ".", now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, "." + v.token, now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, v.token + ".x", now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, v.token + "A", now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, v.token.substr(0, tag_dot) + ".." + v.token.substr(tag_dot + 1), now),
              TokenStatus::invalid);
    std::string doubled = v.token;
    doubled.insert(4, ".");  // "1.k1.."
    EXPECT_EQ(verify(*both_, doubled, now), TokenStatus::invalid);
    for (size_t i = 0; i <= v.token.size(); ++i) {
        std::string inserted = v.token;
        inserted.insert(i, ".");
        EXPECT_EQ(verify(*both_, inserted, now), TokenStatus::invalid) << inserted;
    }
    EXPECT_EQ(verify(*both_, "", now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, "1...", now), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, std::string(kMaxTokenLength + 1, 'A'), now), TokenStatus::invalid);
}

TEST_F(TokenTest, ExpiresAtIssuedPlusMaxAge) {
    const Vector &v = vectors_[0];
    Attribution a;
    EXPECT_EQ(verify(*both_, v.token, v.issued + kMaxAge - 1), TokenStatus::valid);
    EXPECT_EQ(verify(*both_, v.token, v.issued + kMaxAge, &a), TokenStatus::expired);
    EXPECT_EQ(a.code, v.code);  // an expired token is still authentic and readable
    EXPECT_EQ(verify(*both_, v.token, v.issued + 10 * kMaxAge), TokenStatus::expired);
    std::vector<char> scratch(v.token.size());
    EXPECT_EQ(verify_token(*both_, v.token, v.issued, 0, scratch.data(), &a), TokenStatus::expired);
}

TEST_F(TokenTest, AllowsFiveMinutesOfClockSkew) {
    const Vector &v = vectors_[0];
    EXPECT_EQ(verify(*both_, v.token, v.issued), TokenStatus::valid);
    EXPECT_EQ(verify(*both_, v.token, v.issued - 300), TokenStatus::valid);
    EXPECT_EQ(verify(*both_, v.token, v.issued - 301), TokenStatus::invalid);
    EXPECT_EQ(verify(*both_, v.token, 0), TokenStatus::invalid);
}

TEST_F(TokenTest, SurvivesExtremeClocksAndMaxAges) {
    const Vector &v = vectors_[0];
    std::vector<char> scratch(v.token.size());
    Attribution a;
    EXPECT_EQ(verify_token(*both_, v.token, INT64_MAX, INT64_MAX, scratch.data(), &a),
              TokenStatus::valid);
    EXPECT_EQ(verify_token(*both_, v.token, INT64_MIN, 0, scratch.data(), &a),
              TokenStatus::invalid);
    EXPECT_EQ(verify_token(*both_, v.token, INT64_MAX, 0, scratch.data(), &a),
              TokenStatus::expired);
}

TEST_F(TokenTest, RotationVerifiesWithEveryKeyInTheRing) {
    auto old_ring = ring("k1:" + k1_hex_);
    auto rotated = ring("k2:" + k2_hex_ + "\nk1:" + k1_hex_);
    EXPECT_EQ(rotated->signer().kid, "k2");
    Attribution a{"carol", 1795425000, "AAECAwQFBgcICQoLDA0ODw", "", "", ""};
    std::string new_token = sign(rotated->signer(), a);
    std::string old_token = sign(old_ring->signer(), a);
    ASSERT_EQ(new_token.substr(0, 5), "1.k2.");
    EXPECT_EQ(verify(*rotated, new_token, a.issued), TokenStatus::valid);
    EXPECT_EQ(verify(*rotated, old_token, a.issued), TokenStatus::valid);
    EXPECT_EQ(verify(*old_ring, new_token, a.issued), TokenStatus::invalid);
    auto retired = ring("k2:" + k2_hex_);
    EXPECT_EQ(verify(*retired, old_token, a.issued), TokenStatus::invalid);
}

TEST_F(TokenTest, SignedByAnotherSecretUnderTheSameKid) {
    auto impostor = ring("k1:" + k2_hex_);
    EXPECT_EQ(verify(*impostor, vectors_[0].token, vectors_[0].issued), TokenStatus::invalid);
}

TEST_F(TokenTest, ChecksTheAuthenticPayload) {
    const Key &k1 = *both_->find("k1");
    const std::string click = "AAECAwQFBgcICQoLDA0ODw";
    const int64_t now = 1795425000;
    auto payload = [&](std::string code, std::string issued, std::string click_id,
                       std::string src = "", std::string med = "", std::string cmp = "") {
        return code + '\x1f' + issued + '\x1f' + click_id + '\x1f' + src + '\x1f' + med + '\x1f' +
               cmp;
    };
    EXPECT_EQ(verify(*both_, tagged(k1, payload("alice", "1795425000", click)), now),
              TokenStatus::valid);
    EXPECT_EQ(verify(*both_,
                     tagged(k1, payload(std::string(128, 'a'), "0", click, std::string(64, '~'),
                                        " ", "x")),
                     kMaxAge),
              TokenStatus::expired);

    const std::string invalid[] = {
        "",
        "alice",
        payload("alice", "1795425000", click) + '\x1f',
        payload("alice", "1795425000", click) +
            "\x1f"
            "extra",
        "alice\x1f"
        "1795425000\x1f" +
            click + "\x1f\x1f",  // five fields
        payload("", "1795425000", click),
        payload("al ice", "1795425000", click),
        payload("alice!", "1795425000", click),
        payload(std::string(129, 'a'), "1795425000", click),
        payload("alice", "", click),
        payload("alice", "01795425000", click),
        payload("alice", "00", click),
        payload("alice", "+1795425000", click),
        payload("alice", "-1", click),
        payload("alice", "1795425000 ", click),
        payload("alice", "1.5", click),
        payload("alice", "99999999999999999999", click),
        payload("alice", "9223372036854775808", click),
        payload("alice", "1795425000", ""),
        payload("alice", "1795425000", click.substr(1)),
        payload("alice", "1795425000", click + "A"),
        payload("alice", "1795425000", "AAECAwQFBgcICQoLDA0ODx"),  // trailing bits set
        payload("alice", "1795425000", "AAECAwQFBgcICQoLDA0OD="),
        payload("alice", "1795425000", "AAECAwQFBgcICQoLDA0O+w"),
        payload("alice", "1795425000", click, std::string(65, 'a')),
        payload("alice", "1795425000", click, "", "tab\there"),
        payload("alice", "1795425000", click, "", "", "del\x7f"),
        payload("alice", "1795425000", click, "", "", "\xc3\xa9"),
        payload("alice", "1795425000", click, "", "", "nul\0"s),
    };
    for (const std::string &p : invalid) {
        EXPECT_EQ(verify(*both_, tagged(k1, p), now), TokenStatus::invalid)
            << testing::PrintToString(p);
    }
}

TEST_F(TokenTest, LargestTokenFitsTheBuffer) {
    auto ring16 = ring("abcdefghijklmnop:" + k1_hex_);
    const int64_t issued = INT64_MAX;
    std::string code(kMaxCodeLength, 'z'), src(kMaxUtmLength, '~'), med(kMaxUtmLength, ' '),
        cmp(kMaxUtmLength, 'x');
    Attribution a{code, issued, "_____________________w", src, med, cmp};
    std::string token = sign(ring16->signer(), a);
    ASSERT_FALSE(token.empty());
    EXPECT_LE(token.size(), kMaxTokenLength);
    Attribution back;
    EXPECT_EQ(verify(*ring16, token, issued, &back), TokenStatus::valid);
    EXPECT_EQ(back.code, code);
    EXPECT_EQ(back.issued, issued);
    EXPECT_EQ(back.medium, med);
}

TEST_F(TokenTest, SignRefusesFieldsBeyondTheirLimits) {
    const Key &k1 = *both_->find("k1");
    std::string long_code(kMaxCodeLength + 1, 'a');
    std::string long_utm(kMaxUtmLength + 1, 'a');
    const std::string click = "AAECAwQFBgcICQoLDA0ODw";
    char out[kMaxTokenLength];
    EXPECT_EQ(sign_token(k1, {long_code, 1, click, "", "", ""}, out), 0u);
    EXPECT_EQ(sign_token(k1, {"a", 1, click, long_utm, "", ""}, out), 0u);
    EXPECT_EQ(sign_token(k1, {"a", 1, click, "", long_utm, ""}, out), 0u);
    EXPECT_EQ(sign_token(k1, {"a", 1, click, "", "", long_utm}, out), 0u);
    EXPECT_EQ(sign_token(k1, {"a", 1, "short", "", "", ""}, out), 0u);
    EXPECT_EQ(sign_token(k1, {"a", -1, click, "", "", ""}, out), 0u);
}

TEST(ValidCode, AllowsTheCodeAlphabetUpToTheLimit) {
    EXPECT_TRUE(valid_code("Az09_.-", 64));
    EXPECT_TRUE(valid_code(std::string(64, 'a'), 64));
    EXPECT_FALSE(valid_code(std::string(65, 'a'), 64));
    EXPECT_FALSE(valid_code("", 64));
    for (char c : "+/ %&=?#\x1f\x7f\x80~"s) {
        EXPECT_FALSE(valid_code(std::string("ab") + c, 64)) << int(c);
    }
}

TEST(ValidUtm, AllowsPrintableAsciiUpTo64Bytes) {
    EXPECT_TRUE(valid_utm(" ~"));
    EXPECT_TRUE(valid_utm(std::string(64, 'a')));
    EXPECT_FALSE(valid_utm(std::string(65, 'a')));
    EXPECT_FALSE(valid_utm(""));
    EXPECT_FALSE(valid_utm("a\x1f"));
    EXPECT_FALSE(valid_utm("a\x7f"));
    EXPECT_FALSE(valid_utm("caf\xc3\xa9"));
}

}  // namespace
}  // namespace referral
