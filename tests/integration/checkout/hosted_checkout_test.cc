// A purchase on a hosted checkout page (Stripe Checkout): the visitor comes back to the shop's
// thank-you page with the session id in the URL, which nginx turns into a conversion with
// trust=request, held by the daemon; Stripe's signed checkout.session.completed then credits it
// with Stripe's amount. A return no webhook confirms is never credited.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <ctime>

#include "module_fixture.h"
#include "process.h"

namespace {

using Json = nlohmann::json;
using testing_support::Reply;

constexpr char kSecret[] = "whsec_endtoend_6b1d0f3c9e";

std::string hex_hmac(const std::string &key, const std::string &message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char *>(message.data()), message.size(), out, &n);
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < n; ++i) {
        hex += digits[out[i] >> 4];
        hex += digits[out[i] & 15];
    }
    return hex;
}

class HostedCheckoutTest : public module_test::ModuleTest {
  protected:
    void SetUp() override {
        start_redis();
        // The return URL's values are the visitor's to change: nginx -t warns, by design.
        start(
            "referral_secret_file @KEYS@;\n"
            "referral_site shop;\n"
            "referral_redis 127.0.0.1:" +
            std::to_string(redis->port()) +
            ";\n"
            "server {\n"
            "  listen 127.0.0.1:@PORT@;\n"
            "  location = /thanks {\n"
            "    referral_conversion on;\n"
            "    referral_conversion_order_id $arg_session_id;\n"
            "    referral_conversion_amount $arg_amount;\n"
            "    referral_conversion_currency EUR;\n"
            "    return 200 thanks;\n"
            "  }\n"
            "}\n");
        hooks_port_ = testing_support::free_port();
        std::string secrets = dir_.path() + "/stripe.secret";
        testing_support::write_file(secrets, std::string(kSecret) + "\n");
        config_ = dir_.path() + "/rewards.toml";
        testing_support::write_file(
            config_, "[redis]\naddress = \"127.0.0.1:" + std::to_string(redis->port()) +
                         "\"\n\n[http]\nlisten = \"127.0.0.1:" + std::to_string(hooks_port_) +
                         "\"\n\n[programme]\ncurrency = \"EUR\"\n\n[referrer]\npercent = 10\n\n"
                         "[stripe]\nwebhook_secret_file = \"" +
                         secrets + "\"\nsite = \"shop\"\n");
        std::string out;
        ASSERT_EQ(
            testing_support::run_command(
                {REWARDD_BINARY, "enroll", "alice-customer", "alice", "--config", config_}, &out),
            0)
            << out;
        daemon_ = testing_support::Process({REWARDD_BINARY, "run", "--config", config_},
                                           dir_.path() + "/rewardd.log");
        ASSERT_TRUE(testing_support::wait_for_port(hooks_port_, std::chrono::seconds(10)));
    }

    int64_t approved(const std::string &code) {
        Reply r = redis->command({"HGET", "{referral}:balance:EUR", "code:" + code + ":approved"});
        return r->type == REDIS_REPLY_STRING ? std::stoll(std::string(r->str, r->len)) : 0;
    }
    size_t held() {
        Reply r = redis->command({"KEYS", "{referral}:held:*"});
        return r->elements;
    }
    std::string log() { return testing_support::read_file(dir_.path() + "/rewardd.log"); }

    testing_support::HttpResponse post_stripe(const Json &event) {
        std::string body = event.dump();
        std::string t = std::to_string(std::time(nullptr));
        return testing_support::http_request(
            hooks_port_, "POST", "/hooks/stripe",
            {"Content-Type: application/json",
             "Stripe-Signature: t=" + t + ",v1=" + hex_hmac(kSecret, t + "." + body)},
            body);
    }

    testing_support::TempDir dir_;
    std::string config_;
    int hooks_port_ = 0;
    testing_support::Process daemon_;
};

TEST_F(HostedCheckoutTest, ReturnIsHeldUntilStripesSignedWebhookCreditsStripesAmount) {
    std::string cookie = "Cookie: ref=" + module_test::sign("alice", std::time(nullptr) - 60);
    // The thank-you page claims 999.99; Stripe took 49.90. A second return names a session
    // Stripe never completed.
    ASSERT_EQ(get("/thanks?session_id=cs_test_e2e1&amount=999.99", {cookie}).status, 200);
    ASSERT_EQ(get("/thanks?session_id=cs_test_forged&amount=500.00", {cookie}).status, 200);
    ASSERT_TRUE(testing_support::eventually([&] { return held() == 2; }, std::chrono::seconds(30)))
        << log();
    EXPECT_EQ(approved("alice"), 0);

    Json session = {
        {"id", "cs_test_e2e1"},        {"object", "checkout.session"}, {"amount_total", 4990},
        {"currency", "eur"},           {"customer", "cus_E2E"},        {"mode", "payment"},
        {"payment_intent", "pi_e2e1"}, {"payment_status", "paid"},     {"status", "complete"}};
    Json event = {{"id", "evt_e2e1"},
                  {"object", "event"},
                  {"created", std::time(nullptr)},
                  {"type", "checkout.session.completed"},
                  {"data", {{"object", session}}}};
    auto res = post_stripe(event);
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_TRUE(testing_support::eventually([&] { return held() == 1; }, std::chrono::seconds(30)))
        << log();
    EXPECT_EQ(approved("alice"), 499);
    EXPECT_EQ(post_stripe(event).body, "duplicate\n");
    EXPECT_EQ(approved("alice"), 499);
}

}  // namespace
