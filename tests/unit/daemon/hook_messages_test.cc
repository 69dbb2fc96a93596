// What Stripe's events and shop postbacks become, and how the daemon plans the events they
// write (docs/rewards.md, Payment providers).
#include <gtest/gtest.h>

#include "events.h"
#include "hook_json.h"
#include "shop_postback.h"
#include "stripe_events.h"

namespace referral::rewardd {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

StripeConfig stripe(const std::string &order_id = "session") {
    StripeConfig c;
    c.site = "shop";
    c.order_id = order_id;
    return c;
}

std::string event(const std::string &type, const Json &object) {
    return Json{{"id", "evt_1"},
                {"object", "event"},
                {"created", 1700000000},
                {"type", type},
                {"data", {{"object", object}}}}
        .dump();
}

Json session() {
    return {{"id", "cs_test_1"},
            {"object", "checkout.session"},
            {"amount_total", 4990},
            {"currency", "eur"},
            {"customer", "cus_1"},
            {"client_reference_id", "order-77"},
            {"metadata", {{"order_id", "m-5"}}},
            {"payment_intent", "pi_1"},
            {"payment_status", "paid"}};
}

TEST(StripeEvents, CheckoutConfirmsTheOrderTheConfigurationNames) {
    auto m = read_stripe_event(event("checkout.session.completed", session()), stripe());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->ignored, "");
    EXPECT_EQ(m->id, "stripe:evt_1");
    EXPECT_EQ(m->type, EventType::confirm);
    EXPECT_EQ(m->fields, (Pairs{{"site", "shop"},
                                {"order", "cs_test_1"},
                                {"amount", "4990"},
                                {"currency", "EUR"},
                                {"customer", "cus_1"},
                                {"ts", "1700000000000"}}));
    EXPECT_EQ(m->payment, "pi_1");
    EXPECT_FALSE(m->find_order);
    m = read_stripe_event(event("checkout.session.completed", session()),
                          stripe("client_reference_id"));
    EXPECT_EQ(m->fields.at(1).second, "order-77");
    m = read_stripe_event(event("checkout.session.completed", session()),
                          stripe("metadata.order_id"));
    EXPECT_EQ(m->fields.at(1).second, "m-5");
    m = read_stripe_event(event("checkout.session.completed", session()),
                          stripe("metadata.missing"));
    EXPECT_EQ(m->ignored, "no order id (metadata.missing) in the payment");
    Json unpaid = session();
    unpaid["payment_status"] = "unpaid";
    EXPECT_EQ(read_stripe_event(event("checkout.session.completed", unpaid), stripe())->ignored,
              "payment_status unpaid");
    EXPECT_EQ(
        read_stripe_event(event("checkout.session.async_payment_succeeded", session()), stripe())
            ->type,
        EventType::confirm);
}

TEST(StripeEvents, PaymentIntentConfirmsOnlyByMetadata) {
    Json intent = {{"id", "pi_9"},      {"object", "payment_intent"},
                   {"amount", 5000},    {"amount_received", 5000},
                   {"currency", "usd"}, {"metadata", {{"order_id", "m-9"}}}};
    EXPECT_NE(read_stripe_event(event("payment_intent.succeeded", intent), stripe())->ignored, "");
    auto m =
        read_stripe_event(event("payment_intent.succeeded", intent), stripe("metadata.order_id"));
    EXPECT_EQ(m->ignored, "");
    EXPECT_EQ(m->fields.at(1), (std::pair<std::string, std::string>{"order", "m-9"}));
    EXPECT_EQ(m->fields.at(3), (std::pair<std::string, std::string>{"currency", "USD"}));
    EXPECT_EQ(m->payment, "pi_9");
}

TEST(StripeEvents, RefundsDisputesAndRenewals) {
    Json charge = {
        {"id", "ch_1"}, {"amount", 4990}, {"amount_refunded", 1000}, {"payment_intent", "pi_1"}};
    auto m = read_stripe_event(event("charge.refunded", charge), stripe());
    EXPECT_EQ(m->type, EventType::refund);
    EXPECT_TRUE(m->find_order);
    EXPECT_EQ(m->payment, "pi_1");
    EXPECT_EQ(m->refunded_total, "1000");
    m = read_stripe_event(
        event("charge.dispute.created", {{"id", "dp_1"}, {"payment_intent", "pi_1"}}), stripe());
    EXPECT_EQ(m->type, EventType::refund);
    EXPECT_FALSE(m->refunded_total);
    Json invoice = {{"id", "in_1"},
                    {"amount_paid", 1500},
                    {"currency", "eur"},
                    {"customer", "cus_1"},
                    {"billing_reason", "subscription_cycle"}};
    m = read_stripe_event(event("invoice.paid", invoice), stripe());
    EXPECT_EQ(m->type, EventType::renewal);
    EXPECT_EQ(m->fields, (Pairs{{"site", "shop"},
                                {"order", "in_1"},
                                {"amount", "1500"},
                                {"currency", "EUR"},
                                {"customer", "cus_1"},
                                {"ts", "1700000000000"}}));
    invoice["billing_reason"] = "subscription_create";
    EXPECT_EQ(read_stripe_event(event("invoice.paid", invoice), stripe())->ignored,
              "billing_reason subscription_create");
}

TEST(StripeEvents, WhatIsNotAnEvent) {
    EXPECT_FALSE(read_stripe_event("", stripe()));
    EXPECT_FALSE(read_stripe_event("[]", stripe()));
    EXPECT_FALSE(read_stripe_event("{\"id\": \"evt_1\"}", stripe()));
    EXPECT_FALSE(read_stripe_event("{\"id\": 1, \"type\": \"x\"", stripe()));
    EXPECT_FALSE(read_stripe_event(event("charge.refunded", "not an object"), stripe()));
    std::string deep(100, '[');
    EXPECT_FALSE(read_stripe_event("{\"id\":\"e\",\"type\":\"t\",\"x\":" + deep + "}", stripe()));
    EXPECT_EQ(read_stripe_event(event("customer.created", Json::object()), stripe())->ignored,
              "type customer.created");
}

TEST(ShopPostback, TypesAndAmounts) {
    auto m = read_shop_postback(Json{{"type", "confirm"},
                                     {"site", "shop"},
                                     {"order", "o1"},
                                     {"amount", "49.90"},
                                     {"currency", "EUR"},
                                     {"customer", "c1"}}
                                    .dump(),
                                "msg_1", 1700000000);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id, "shop:msg_1");
    EXPECT_EQ(m->type, EventType::confirm);
    EXPECT_EQ(m->fields, (Pairs{{"ts", "1700000000000"},
                                {"site", "shop"},
                                {"order", "o1"},
                                {"amount", "4990"},
                                {"currency", "EUR"},
                                {"customer", "c1"}}));
    m = read_shop_postback(
        Json{{"type", "confirm"}, {"order", "o1"}, {"amount", "49.999"}, {"currency", "EUR"}}
            .dump(),
        "msg_2", 1);
    EXPECT_EQ(m->fields.at(2), (std::pair<std::string, std::string>{"amount", "malformed:49.999"}));
    m = read_shop_postback(Json{{"type", "cancel"}, {"site", "s"}, {"order", "o1"}}.dump(), "m", 1);
    EXPECT_EQ(m->type, EventType::cancel);
    EXPECT_EQ(read_shop_postback(Json{{"type", "click"}}.dump(), "m", 1)->ignored, "type click");
    EXPECT_EQ(read_shop_postback(Json{{"type", "gift"}}.dump(), "m", 1)->ignored, "type gift");
    EXPECT_FALSE(read_shop_postback("{\"type\": null}", "m", 1));
    EXPECT_FALSE(read_shop_postback("nope", "m", 1));
}

Fields view(const Pairs &pairs) {
    Fields f;
    for (const auto &[k, v] : pairs) {
        f.emplace_back(k, v);
    }
    return f;
}

TEST(HookEvents, Planned) {
    Programme p;
    Pairs confirm = {{"type", "confirm"}, {"id", "stripe:evt_1"}, {"site", "shop"},
                     {"order", "cs_1"},   {"amount", "4990"},     {"currency", "EUR"}};
    Plan plan = plan_event(p, view(confirm), 42);
    ASSERT_TRUE(std::holds_alternative<Confirm>(plan));
    EXPECT_EQ(std::get<Confirm>(plan).amount, 4990);
    EXPECT_EQ(std::get<Confirm>(plan).ts, 42);
    confirm[4].second = "malformed:49,90";
    EXPECT_EQ(std::get<Rejection>(plan_event(p, view(confirm), 42)).reason, "unparsable_amount");
    confirm[4].second = "4990";
    confirm[5].second = "XXX";
    EXPECT_EQ(std::get<Rejection>(plan_event(p, view(confirm), 42)).reason, "unknown_currency");

    Pairs renewal = {{"type", "renewal"}, {"id", "r"},      {"ts", "1"},         {"site", "s"},
                     {"order", "in_1"},   {"amount", "10"}, {"currency", "EUR"}, {"customer", "c"}};
    EXPECT_EQ(std::get<Rejection>(plan_event(p, view(renewal), 42)).reason, "recurring_off");
    p.recurring_months = 1;
    EXPECT_TRUE(std::holds_alternative<Renewal>(plan_event(p, view(renewal), 42)));
    renewal.pop_back();
    EXPECT_EQ(std::get<Rejection>(plan_event(p, view(renewal), 42)).reason, "missing_field");

    Pairs cancel = {
        {"type", "cancel"}, {"id", "c"}, {"site", "s"}, {"order", "o"}, {"amount", "5"}};
    Plan c = plan_event(p, view(cancel), 42);
    ASSERT_TRUE(std::holds_alternative<Refund>(c));
    EXPECT_FALSE(std::get<Refund>(c).amount) << "a cancel is the whole order";
}

}  // namespace
}  // namespace referral::rewardd
