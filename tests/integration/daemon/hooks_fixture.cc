#include "hooks_fixture.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

namespace rewardd_test {

using testing_support::HttpResponse;
using testing_support::Reply;

int64_t now_s() {
    return now_ms() / 1000;
}

namespace {

std::string hmac(const std::string &key, const std::string &message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char *>(message.data()), message.size(), out, &n);
    return std::string(reinterpret_cast<char *>(out), n);
}

Json nullable(const std::string &s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

}  // namespace

Json stripe_event(const std::string &id, const std::string &type, const Json &object,
                  int64_t created) {
    return {{"id", id},
            {"object", "event"},
            {"api_version", "2024-06-20"},
            {"created", created},
            {"data", {{"object", object}}},
            {"livemode", false},
            {"pending_webhooks", 1},
            {"request", {{"id", nullptr}, {"idempotency_key", nullptr}}},
            {"type", type}};
}

Json checkout_session(const std::string &session, int64_t amount_total, const std::string &currency,
                      const std::string &customer, const std::string &payment_intent) {
    return {{"id", session},
            {"object", "checkout.session"},
            {"amount_subtotal", amount_total},
            {"amount_total", amount_total},
            {"client_reference_id", nullptr},
            {"created", now_s() - 120},
            {"currency", currency},
            {"customer", nullable(customer)},
            {"customer_details", {{"email", "buyer@example.org"}, {"name", "A Buyer"}}},
            {"discounts", Json::array()},
            {"livemode", false},
            {"metadata", Json::object()},
            {"mode", "payment"},
            {"payment_intent", nullable(payment_intent)},
            {"payment_status", "paid"},
            {"status", "complete"},
            {"subscription", nullptr},
            {"success_url", "https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}"},
            {"total_details", {{"amount_discount", 0}, {"amount_shipping", 0}, {"amount_tax", 0}}},
            {"url", nullptr}};
}

Json charge(const std::string &charge_id, const std::string &payment_intent, int64_t amount,
            int64_t amount_refunded) {
    return {{"id", charge_id},
            {"object", "charge"},
            {"amount", amount},
            {"amount_captured", amount},
            {"amount_refunded", amount_refunded},
            {"captured", true},
            {"currency", "eur"},
            {"customer", "cus_Buyer1"},
            {"paid", true},
            {"payment_intent", payment_intent},
            {"refunded", amount_refunded == amount},
            {"status", "succeeded"}};
}

Json invoice(const std::string &invoice_id, const std::string &customer, int64_t amount_paid,
             const std::string &billing_reason) {
    return {{"id", invoice_id},
            {"object", "invoice"},
            {"amount_due", amount_paid},
            {"amount_paid", amount_paid},
            {"amount_remaining", 0},
            {"billing_reason", billing_reason},
            {"collection_method", "charge_automatically"},
            {"currency", "eur"},
            {"customer", customer},
            {"paid", true},
            {"status", "paid"},
            {"subscription", "sub_Plan1"}};
}

std::string stripe_signature(const std::string &secret, int64_t timestamp,
                             const std::string &body) {
    std::string mac = hmac(secret, std::to_string(timestamp) + "." + body);
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : mac) {
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    return "t=" + std::to_string(timestamp) + ",v1=" + hex;
}

std::string shop_signature(const std::string &key, const std::string &id, int64_t timestamp,
                           const std::string &body) {
    std::string mac = hmac(key, id + "." + std::to_string(timestamp) + "." + body);
    std::string b64(4 * ((mac.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char *>(b64.data()),
                    reinterpret_cast<const unsigned char *>(mac.data()),
                    static_cast<int>(mac.size()));
    return "v1," + b64;
}

void HooksTest::start_hooks(const std::string &programme, const std::string &stripe_extra) {
    std::string stripe_secrets = dir_.path() + "/stripe.secrets";
    std::string shop_secrets = dir_.path() + "/shop.secrets";
    // An older secret first, as during a roll: either line verifies.
    testing_support::write_file(
        stripe_secrets, "whsec_old_000000000000000000000000\n" + std::string(kStripeSecret) + "\n");
    testing_support::write_file(shop_secrets, std::string(kShopSecret) + "\n");
    start(programme + "\n[stripe]\nwebhook_secret_file = \"" + stripe_secrets +
          "\"\nsite = \"shop\"\n" + stripe_extra + "\n[shop]\nwebhook_secret_file = \"" +
          shop_secrets + "\"\n");
}

HttpResponse HooksTest::post_stripe(const std::string &body, const std::string &signature) {
    return testing_support::http_request(
        metrics_port_, "POST", "/hooks/stripe",
        {"Content-Type: application/json; charset=utf-8", "Stripe-Signature: " + signature}, body);
}

HttpResponse HooksTest::post_stripe(const Json &event) {
    std::string body = event.dump();
    return post_stripe(body, stripe_signature(kStripeSecret, now_s(), body));
}

HttpResponse HooksTest::post_shop(const std::string &id, const Json &postback) {
    std::string body = postback.dump();
    int64_t ts = now_s();
    return testing_support::http_request(
        metrics_port_, "POST", "/hooks/shop",
        {"Content-Type: application/json", "webhook-id: " + id,
         "webhook-timestamp: " + std::to_string(ts),
         "webhook-signature: " + shop_signature(kShopKey, id, ts, body)},
        body);
}

size_t HooksTest::key_count() {
    Reply r = redis_.command({"KEYS", key("*")});
    return r->elements;
}

}  // namespace rewardd_test
