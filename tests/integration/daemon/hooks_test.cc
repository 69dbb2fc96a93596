// Payment providers' confirmations, refunds and renewals through POST /hooks/stripe and
// POST /hooks/shop: a held return is credited with the provider's amount whichever comes first,
// a forged one never is, and bad or replayed messages change nothing.
#include "hooks_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::HttpResponse;
using testing_support::Reply;

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 10
)";

class StripeHookTest : public HooksTest {
  protected:
    // The visitor's return from the hosted checkout: its values came from the URL.
    Event returned(const std::string &id, const std::string &code, const std::string &session,
                   int64_t amount, const std::string &customer = "") {
        return with(conversion(id, code, session, amount, customer), "trust", "request");
    }
    // Each test holds at most one order.
    bool held() {
        Reply keys = redis_.command({"KEYS", key("held:*")});
        return keys->elements > 0;
    }
};

using Kinds = std::vector<std::string>;

TEST_F(StripeHookTest, HeldReturnThenSignedCheckoutIsCreditedWithStripesAmount) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    // The return page claims 999.99; Stripe took 49.90.
    add(returned("r1", "ALICE", "cs_test_a1", 99999, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_TRUE(held());

    HttpResponse res = post_stripe(
        stripe_event("evt_1", "checkout.session.completed",
                     checkout_session("cs_test_a1", 4990, "eur", "cus_Buyer1", "pi_1")));
    EXPECT_EQ(res.status, 200) << res.body;
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 499);
    EXPECT_EQ(hget(key("stats:ALICE"), "revenue:EUR"), "4990");
    EXPECT_FALSE(held());
    std::vector<Entry> entries = movements();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].at("order"), "cs_test_a1");
    EXPECT_EQ(entries[0].at("event"), "r1");
    EXPECT_EQ(ledger_kinds(), (Kinds{"held", "reward"}));
    EXPECT_TRUE(rejected().empty());
    EXPECT_EQ(hget(key("referred_by"), "carol"), "ALICE");

    // A second confirmation of the settled order refuses no conversion: :rejected only.
    Json again = checkout_session("cs_test_a1", 4990, "eur", "cus_Buyer1", "pi_1");
    EXPECT_EQ(post_stripe(stripe_event("evt_1b", "checkout.session.async_payment_succeeded", again))
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"already_settled"});
    EXPECT_EQ(ledger_kinds(), (Kinds{"held", "reward"}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 499);
}

TEST_F(StripeHookTest, ConfirmationFirstThenReturnIsCredited) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    HttpResponse res = post_stripe(
        stripe_event("evt_2", "checkout.session.completed",
                     checkout_session("cs_test_b1", 12000, "eur", "cus_Buyer2", "pi_2")));
    EXPECT_EQ(res.status, 200) << res.body;
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_TRUE(ledger().empty());

    add(returned("r2", "ALICE", "cs_test_b1", 1));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1200);
    EXPECT_FALSE(held());
    EXPECT_EQ(ledger_kinds(), (Kinds{"held", "reward"}));
    EXPECT_TRUE(rejected().empty()) << rejected_reasons().front();
}

TEST_F(StripeHookTest, ForgedReturnWithoutConfirmationNeverCredits) {
    start_hooks(kProgramme);
    enroll("mallory", "MALLORY");
    add(returned("r3", "MALLORY", "cs_forged", 50000));
    wait_applied();
    // A confirmation signed with a secret that is not the endpoint's.
    std::string body = stripe_event("evt_3", "checkout.session.completed",
                                    checkout_session("cs_forged", 50000, "eur", "", "pi_3"))
                           .dump();
    HttpResponse res = post_stripe(body, stripe_signature("whsec_guessed", now_s(), body));
    EXPECT_EQ(res.status, 401);
    wait_applied();
    EXPECT_EQ(balance("code:MALLORY", "approved"), 0);
    EXPECT_EQ(balance("code:MALLORY", "pending"), 0);
    EXPECT_EQ(ledger_kinds(), Kinds{"held"});
    EXPECT_TRUE(held());
}

TEST_F(StripeHookTest, PartialRefundsInTwoWebhooksReverseExactly) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    add(returned("r4", "ALICE", "cs_test_c1", 10000));
    ASSERT_EQ(post_stripe(
                  stripe_event("evt_4", "checkout.session.completed",
                               checkout_session("cs_test_c1", 10000, "eur", "cus_Buyer4", "pi_4")))
                  .status,
              200);
    wait_applied();
    ASSERT_EQ(balance("code:ALICE", "approved"), 1000);

    // 25.00, then 40.00 more: Stripe reports the running total.
    EXPECT_EQ(
        post_stripe(stripe_event("evt_5", "charge.refunded", charge("ch_4", "pi_4", 10000, 2500)))
            .status,
        200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 750);
    EXPECT_EQ(
        post_stripe(stripe_event("evt_6", "charge.refunded", charge("ch_4", "pi_4", 10000, 6500)))
            .status,
        200);
    // The first report delivered again, under a new event id: its total is not above 65.00.
    EXPECT_EQ(
        post_stripe(stripe_event("evt_7", "charge.refunded", charge("ch_4", "pi_4", 10000, 2500)))
            .status,
        200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 350);
    EXPECT_EQ(hget(key("stats:ALICE"), "refunded:EUR"), "6500");

    // A dispute takes back what is left.
    EXPECT_EQ(post_stripe(stripe_event("evt_8", "charge.dispute.created",
                                       Json{{"id", "dp_4"},
                                            {"object", "dispute"},
                                            {"amount", 3500},
                                            {"charge", "ch_4"},
                                            {"currency", "eur"},
                                            {"payment_intent", "pi_4"},
                                            {"reason", "fraudulent"},
                                            {"status", "needs_response"}}))
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
}

TEST_F(StripeHookTest, RenewalWithinRecurringMonthsPaysAndAfterDoesNot) {
    start_hooks(R"(
[programme]
currency = "EUR"
recurring_months = 12

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(returned("r5", "ALICE", "cs_test_d1", 2000));
    ASSERT_EQ(post_stripe(stripe_event("evt_9", "checkout.session.completed",
                                       checkout_session("cs_test_d1", 2000, "eur", "cus_Sub1", "")))
                  .status,
              200);
    wait_applied();
    ASSERT_EQ(balance("code:ALICE", "approved"), 200);

    // The first invoice is the checkout's own payment, not a renewal.
    EXPECT_EQ(post_stripe(stripe_event("evt_10", "invoice.paid",
                                       invoice("in_1", "cus_Sub1", 2000, "subscription_create")))
                  .body,
              "ignored: billing_reason subscription_create\n");
    EXPECT_EQ(post_stripe(stripe_event("evt_11", "invoice.paid",
                                       invoice("in_2", "cus_Sub1", 2000, "subscription_cycle")))
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);

    // Thirteen months on (Stripe's created is the renewal's time).
    int64_t later = now_s() + 13LL * 31 * 86400;
    EXPECT_EQ(
        post_stripe(stripe_event("evt_12", "invoice.paid",
                                 invoice("in_14", "cus_Sub1", 2000, "subscription_cycle"), later))
            .status,
        200);
    // Someone nobody referred.
    EXPECT_EQ(post_stripe(stripe_event("evt_13", "invoice.paid",
                                       invoice("in_3", "cus_Other", 2000, "subscription_cycle")))
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"recurring_period_over", "not_referred"}));
    // Renewals outside the programme are no rejected conversions: the ledger does not note them.
    EXPECT_EQ(ledger_kinds(), (Kinds{"held", "reward", "reward"}));
}

TEST_F(StripeHookTest, PromotionCodeOnlyPurchaseGoesToTheCodesOwner) {
    start_hooks(kProgramme);
    enroll("bob", "BOB10");
    Json session = checkout_session("cs_test_e1", 8000, "eur", "cus_Buyer5", "pi_5");
    session["discounts"] =
        Json::array({{{"coupon", nullptr},
                      {"promotion_code",
                       {{"id", "promo_1"}, {"object", "promotion_code"}, {"code", "BOB10"}}}}});
    ASSERT_EQ(post_stripe(stripe_event("evt_14", "checkout.session.completed", session)).status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:BOB10", "approved"), 800);
    EXPECT_TRUE(rejected().empty());
}

TEST_F(StripeHookTest, BadMessagesAreRefusedAndWriteNothing) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    size_t keys = key_count();
    std::string body = stripe_event("evt_15", "checkout.session.completed",
                                    checkout_session("cs_test_f1", 4990, "eur", "", "pi_6"))
                           .dump();
    EXPECT_EQ(post_stripe(body, "").status, 401);
    EXPECT_EQ(post_stripe(body, "t=" + std::to_string(now_s())).status, 401);
    std::string signature = stripe_signature(kStripeSecret, now_s(), body);
    EXPECT_EQ(post_stripe(body + " ", signature).status, 401);
    EXPECT_EQ(post_stripe(body, stripe_signature(kStripeSecret, now_s() - 301, body)).status, 401);
    EXPECT_EQ(post_stripe(body, stripe_signature(kStripeSecret, now_s() + 301, body)).status, 401);
    // Any of several v1 may match; v0 and unknown schemes are ignored.
    std::string v1 = signature.substr(signature.find(",v1="));
    EXPECT_EQ(post_stripe("{}", "t=" + std::to_string(now_s()) + ",v0=00" + v1 +
                                    ",v1=" + std::string(64, 'a'))
                  .status,
              401);
    EXPECT_EQ(key_count(), keys);

    std::string bad = "{\"id\": \"evt_16\", \"type\": ";
    EXPECT_EQ(post_stripe(bad, stripe_signature(kStripeSecret, now_s(), bad)).status, 400);
    std::string huge = "{\"pad\": \"" + std::string(70 * 1024, 'x') + "\"}";
    EXPECT_EQ(post_stripe(huge, stripe_signature(kStripeSecret, now_s(), huge)).status, 413);
    HttpResponse unknown = post_stripe(stripe_event("evt_17", "customer.created", Json::object()));
    EXPECT_EQ(unknown.status, 200);
    EXPECT_EQ(unknown.body, "ignored: type customer.created\n");
    EXPECT_EQ(key_count(), keys);
    wait_applied();
    EXPECT_TRUE(rejected().empty());
    std::string metrics = testing_support::http_get(metrics_port_, "/metrics").body;
    EXPECT_NE(
        metrics.find("referral_rewardd_hooks_total{hook=\"stripe\",result=\"unauthorized\"} 6"),
        std::string::npos)
        << metrics;
    EXPECT_NE(
        metrics.find("referral_rewardd_hooks_total{hook=\"stripe\",result=\"bad_request\"} 1"),
        std::string::npos);
    EXPECT_NE(metrics.find("referral_rewardd_hooks_total{hook=\"stripe\",result=\"ignored\"} 1"),
              std::string::npos);
}

TEST_F(StripeHookTest, ReplayChangesNothing) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    add(returned("r6", "ALICE", "cs_test_g1", 3000));
    Json event = stripe_event("evt_18", "checkout.session.completed",
                              checkout_session("cs_test_g1", 3000, "eur", "cus_B6", "pi_7"));
    std::string body = event.dump();
    std::string signature = stripe_signature(kStripeSecret, now_s(), body);
    EXPECT_EQ(post_stripe(body, signature).body, "queued\n");
    wait_applied();
    ASSERT_EQ(balance("code:ALICE", "approved"), 300);
    std::vector<Entry> before = redis_.stream(key("events"));
    EXPECT_EQ(post_stripe(body, signature).body, "duplicate\n");
    EXPECT_EQ(post_stripe(event).body, "duplicate\n");
    wait_applied();
    EXPECT_EQ(redis_.stream(key("events")).size(), before.size());
    EXPECT_EQ(balance("code:ALICE", "approved"), 300);
    EXPECT_EQ(ledger_kinds(), (Kinds{"held", "reward"}));
}

TEST_F(StripeHookTest, MalformedAmountSettlesNothingAndIsRejectedWithAReason) {
    start_hooks(kProgramme);
    enroll("alice", "ALICE");
    add(returned("r7", "ALICE", "cs_test_h1", 3000));
    Json session = checkout_session("cs_test_h1", 3000, "eur", "", "pi_8");
    session["amount_total"] = 30.5;
    EXPECT_EQ(post_stripe(stripe_event("evt_19", "checkout.session.completed", session)).status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"unparsable_amount"});
    EXPECT_TRUE(held());
    EXPECT_EQ(ledger_kinds(), Kinds{"held"});
}

TEST_F(StripeHookTest, ConfirmationTheProgrammeRefusesEndsTheHeldConversionOnce) {
    start_hooks(R"(
[programme]
currency = "EUR"
min_order = "10.00"

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    // The return claims 50.00; Stripe took 5.00, below the minimum.
    add(returned("r9", "ALICE", "cs_test_i1", 5000));
    EXPECT_EQ(post_stripe(stripe_event("evt_20", "checkout.session.completed",
                                       checkout_session("cs_test_i1", 500, "eur", "", "pi_9")))
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_FALSE(held());
    std::vector<Entry> entries = ledger();
    ASSERT_EQ(ledger_kinds(), (Kinds{"held", "rejected"}));
    EXPECT_EQ(entries[1].at("reason"), "below_min_order");
    EXPECT_EQ(entries[1].at("order"), "cs_test_i1");
}

TEST_F(HooksTest, ShopPostbacksConfirmRefundCancelAndRenew) {
    start_hooks(R"(
[programme]
currency = "EUR"
recurring_months = 1

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(with(conversion("r8", "ALICE", "o-100", 1, "dave"), "trust", "request"));
    HttpResponse res = post_shop("msg_1", {{"type", "confirm"},
                                           {"site", "shop"},
                                           {"order", "o-100"},
                                           {"amount", "49.90"},
                                           {"currency", "EUR"},
                                           {"customer", "dave"}});
    EXPECT_EQ(res.status, 200) << res.body;
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 499);

    EXPECT_EQ(post_shop("msg_2", {{"type", "refund"},
                                  {"site", "shop"},
                                  {"order", "o-100"},
                                  {"amount", "9.90"},
                                  {"currency", "EUR"}})
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);
    EXPECT_EQ(post_shop("msg_3", {{"type", "renewal"},
                                  {"site", "shop"},
                                  {"order", "o-101"},
                                  {"amount", "20.00"},
                                  {"currency", "EUR"},
                                  {"customer", "dave"}})
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 600);
    EXPECT_EQ(post_shop("msg_4", {{"type", "cancel"}, {"site", "shop"}, {"order", "o-101"}}).status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);

    // Wrong key, or a replayed message id: nothing more happens.
    std::string body = Json{{"type", "confirm"}, {"site", "shop"}, {"order", "o-102"}}.dump();
    int64_t ts = now_s();
    HttpResponse forged = testing_support::http_request(
        metrics_port_, "POST", "/hooks/shop",
        {"webhook-id: msg_5", "webhook-timestamp: " + std::to_string(ts),
         "webhook-signature: " + shop_signature("another key", "msg_5", ts, body)},
        body);
    EXPECT_EQ(forged.status, 401);
    EXPECT_EQ(post_shop("msg_1", {{"type", "confirm"},
                                  {"site", "shop"},
                                  {"order", "o-100"},
                                  {"amount", "49.90"},
                                  {"currency", "EUR"}})
                  .body,
              "duplicate\n");
    EXPECT_EQ(post_shop("msg_6", {{"type", "confirm"},
                                  {"site", "shop"},
                                  {"order", "o-103"},
                                  {"amount", "49,90"},
                                  {"currency", "EUR"}})
                  .status,
              200);
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"unparsable_amount"});
}

}  // namespace
}  // namespace rewardd_test
