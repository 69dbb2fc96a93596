// Stripe's signature scheme and Standard Webhooks, against signatures computed independently
// (openssl dgst -sha256 -hmac) and against the cases each scheme's documentation names.
#include <gtest/gtest.h>

#include "standard_webhooks.h"
#include "stripe_signature.h"

namespace referral::rewardd {
namespace {

constexpr char kSecret[] = "whsec_test_secret";
constexpr char kBody[] = R"({"id":"evt_1","type":"checkout.session.completed"})";
constexpr int64_t kT = 1700000000;
// printf '1700000000.%s' "$body" | openssl dgst -sha256 -hmac whsec_test_secret
constexpr char kV1[] = "a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7b";

TEST(StripeSignature, ParsesTimestampAndEveryV1) {
    auto h = parse_stripe_signature("t=12,v1=" + std::string(64, 'a') +
                                    ",v0=zz,x=1,v1=" + std::string(64, 'b'));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->timestamp, 12);
    EXPECT_EQ(h->v1, (std::vector<std::string>{std::string(64, 'a'), std::string(64, 'b')}));
    EXPECT_FALSE(parse_stripe_signature(""));
    EXPECT_FALSE(parse_stripe_signature("t=12"));
    EXPECT_FALSE(parse_stripe_signature("v1=" + std::string(64, 'a')));
    EXPECT_FALSE(parse_stripe_signature("t=-1,v1=" + std::string(64, 'a')));
    EXPECT_FALSE(parse_stripe_signature("t=1234567890123,v1=" + std::string(64, 'a')));
    EXPECT_FALSE(parse_stripe_signature("t=1,v1=" + std::string(63, 'a')));
    EXPECT_FALSE(parse_stripe_signature("t=1,v1=" + std::string(64, 'A')));
}

TEST(StripeSignature, VerifiesAsStripeSigns) {
    std::string header = stripe_signature(kSecret, kT, kBody);
    EXPECT_EQ(header, std::string("t=1700000000,v1=") + kV1);
    std::vector<std::string> secrets = {kSecret};
    EXPECT_EQ(verify_stripe_signature(header, kBody, secrets, kT, 300), SignatureVerdict::kValid);
    EXPECT_EQ(verify_stripe_signature(header, kBody, secrets, kT + 300, 300),
              SignatureVerdict::kValid);
    EXPECT_EQ(verify_stripe_signature(header, kBody, secrets, kT + 301, 300),
              SignatureVerdict::kStale);
    EXPECT_EQ(verify_stripe_signature(header, kBody, secrets, kT - 301, 300),
              SignatureVerdict::kStale);
    EXPECT_EQ(verify_stripe_signature(header, std::string(kBody) + "\n", secrets, kT, 300),
              SignatureVerdict::kMismatch);
    EXPECT_EQ(verify_stripe_signature(header, kBody, {"whsec_other"}, kT, 300),
              SignatureVerdict::kMismatch);
    // A rolled secret: the old one first in the file, the new one signs.
    EXPECT_EQ(verify_stripe_signature(header, kBody, {"whsec_other", kSecret}, kT, 300),
              SignatureVerdict::kValid);
    // Several v1, one right.
    std::string two = "t=1700000000,v1=" + std::string(64, '0') + header.substr(12);
    EXPECT_EQ(verify_stripe_signature(two, kBody, secrets, kT, 300), SignatureVerdict::kValid);
    EXPECT_EQ(verify_stripe_signature("t=1700000000", kBody, secrets, kT, 300),
              SignatureVerdict::kMalformed);
}

TEST(StandardWebhooks, KeyFromSecret) {
    EXPECT_EQ(standard_webhooks_key("whsec_c2hvcC1rZXk="), "shop-key");
    EXPECT_EQ(standard_webhooks_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
              std::string("\x31\xf2\x90\xf6\xbf\x06\x29\x8a\xab\x4f\x08\xd4\x3c\x3f\x08\x2c\xf6"
                          "\x48\xa3\x62\xda\x2d\xa4\xb0",
                          24));
    EXPECT_EQ(standard_webhooks_key("whsec_YWJj"), "abc");
    EXPECT_EQ(standard_webhooks_key("whsec_YWI="), "ab");
    EXPECT_EQ(standard_webhooks_key("whsec_YQ=="), "a");
    // Only the canonical spelling: "YWJ=" would be "ab" too.
    for (const char *bad :
         {"", "c2hvcC1rZXk=", "whsec_", "whsec_***=", "whsec_abc", "YWJj", "whsec_YWJ",
          "whsec_Y===", "whsec_YW=j", "whsec_YW J", "whsec_YW_j", "WHSEC_YWJj", "whsec_YWJ="}) {
        EXPECT_FALSE(standard_webhooks_key(bad)) << bad;
    }
}

// The example of the Standard Webhooks specification's reference libraries.
TEST(StandardWebhooks, ReferenceExample) {
    std::string key = *standard_webhooks_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    std::string body = R"({"test": 2432232314})";
    EXPECT_EQ(standard_webhooks_sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
              "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(StandardWebhooks, Verifies) {
    std::vector<std::string> keys = {"other", "shop-key"};
    std::string sig = standard_webhooks_sign("shop-key", "msg_1", kT, kBody);
    EXPECT_EQ(standard_webhooks_verify(keys, "msg_1", "1700000000", sig, kBody, kT, 300),
              SignatureVerdict::kValid);
    EXPECT_EQ(
        standard_webhooks_verify(keys, "msg_1", "1700000000", "v1,bad " + sig, kBody, kT, 300),
        SignatureVerdict::kValid);
    EXPECT_EQ(standard_webhooks_verify(keys, "msg_2", "1700000000", sig, kBody, kT, 300),
              SignatureVerdict::kMismatch);
    EXPECT_EQ(standard_webhooks_verify(keys, "msg_1", "1700000000", sig, kBody, kT + 301, 300),
              SignatureVerdict::kStale);
    EXPECT_EQ(standard_webhooks_verify(keys, "", "1700000000", sig, kBody, kT, 300),
              SignatureVerdict::kMalformed);
    EXPECT_EQ(standard_webhooks_verify(keys, "msg_1", "17e8", sig, kBody, kT, 300),
              SignatureVerdict::kMalformed);
    EXPECT_EQ(standard_webhooks_verify(keys, "msg_1", "1700000000", "v2," + sig.substr(3), kBody,
                                       kT, 300),
              SignatureVerdict::kMalformed);
}

}  // namespace
}  // namespace referral::rewardd
