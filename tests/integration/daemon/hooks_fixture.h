// The daemon's hooks driven over HTTP: Stripe events and shop postbacks, signed here with
// OpenSSL exactly as their senders sign them, posted to the real daemon's listener.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "rewardd_fixture.h"

namespace rewardd_test {

using Json = nlohmann::json;

inline constexpr char kStripeSecret[] = "whsec_test_3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e";
// whsec_ + base64 of the 24 bytes "shop-postback-test-key!!"
inline constexpr char kShopSecret[] = "whsec_c2hvcC1wb3N0YmFjay10ZXN0LWtleSEh";
inline constexpr char kShopKey[] = "shop-postback-test-key!!";

int64_t now_s();

// Stripe Event objects with the fields Stripe sends (the API reference's shapes, values ours).
Json stripe_event(const std::string &id, const std::string &type, const Json &object,
                  int64_t created = now_s());
Json checkout_session(const std::string &session, int64_t amount_total, const std::string &currency,
                      const std::string &customer, const std::string &payment_intent);
Json charge(const std::string &charge_id, const std::string &payment_intent, int64_t amount,
            int64_t amount_refunded);
Json invoice(const std::string &invoice_id, const std::string &customer, int64_t amount_paid,
             const std::string &billing_reason);

std::string stripe_signature(const std::string &secret, int64_t timestamp, const std::string &body);
std::string shop_signature(const std::string &key, const std::string &id, int64_t timestamp,
                           const std::string &body);

class HooksTest : public RewarddTest {
  protected:
    // [stripe] and [shop] with this test's secret files after the programme.
    void start_hooks(const std::string &programme, const std::string &stripe_extra = "");
    testing_support::HttpResponse post_stripe(const std::string &body,
                                              const std::string &signature);
    testing_support::HttpResponse post_stripe(const Json &event);  // signed now
    testing_support::HttpResponse post_shop(const std::string &id, const Json &postback);
    // Keys under the prefix, as a check that nothing was written.
    size_t key_count();
};

}  // namespace rewardd_test
