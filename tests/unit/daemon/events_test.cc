#include "events.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace referral::rewardd {
namespace {

constexpr int64_t kTs = 1700000000000;

Programme two_sided() {
    Programme p;
    p.currency = "EUR";
    p.referrer.kind = RewardKind::kPercent;
    p.referrer.basis_points = {1500, 500};
    p.friend_reward.kind = RewardKind::kFixed;
    p.friend_reward.value = 500;
    return p;
}

Fields conversion(std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) {
    Fields f = {{"v", "1"},
                {"type", "conversion"},
                {"id", "e1"},
                {"ts", "1700000000000"},
                {"site", "shop"},
                {"code", "alice"},
                {"order", "o1"},
                {"customer", "carol"},
                {"amount", "12345"},
                {"currency", "EUR"},
                {"trust", "upstream"},
                {"first_ts", "1699990000000"}};
    for (const auto &kv : extra) {
        bool replaced = false;
        for (auto &existing : f) {
            if (existing.first == kv.first) {
                existing.second = kv.second;
                replaced = true;
            }
        }
        if (!replaced) {
            f.push_back(kv);
        }
    }
    return f;
}

Fields without(Fields f, std::string_view name) {
    f.erase(std::remove_if(f.begin(), f.end(), [&](const auto &kv) { return kv.first == name; }),
            f.end());
    return f;
}

Rejection rejection(const Programme &p, const Fields &f) {
    Plan plan = plan_event(p, f, kTs);
    if (auto *r = std::get_if<Rejection>(&plan)) {
        return *r;
    }
    return {"accepted", ""};
}

TEST(PlanEvent, ConversionRewards) {
    Plan plan = plan_event(two_sided(), conversion(), kTs);
    ASSERT_TRUE(std::holds_alternative<Conversion>(plan));
    const Conversion &c = std::get<Conversion>(plan);
    EXPECT_EQ(c.amount, 12345);
    EXPECT_EQ(c.referrer_rewards, (std::vector<int64_t>{1851, 617}));  // 1851.75, 617.25
    EXPECT_EQ(c.friend_reward, 500);
    EXPECT_EQ(c.referrer_currency, "EUR");
    EXPECT_EQ(c.friend_currency, "EUR");
    EXPECT_EQ(c.state, "approved");
    EXPECT_EQ(c.customer, "carol");
}

TEST(PlanEvent, PointsAreTheirOwnCurrency) {
    Programme p;
    p.referrer.kind = RewardKind::kPoints;
    p.referrer.value = 100;
    Plan plan = plan_event(p, conversion(), kTs);
    const Conversion &c = std::get<Conversion>(plan);
    EXPECT_EQ(c.referrer_currency, "PTS");
    EXPECT_EQ(c.referrer_rewards, std::vector<int64_t>{100});
    EXPECT_EQ(c.friend_reward, 0);
}

TEST(PlanEvent, HoldAndTrust) {
    Programme p = two_sided();
    p.hold_ms = 2000;
    Plan plan = plan_event(p, conversion(), kTs);
    const Conversion &held = std::get<Conversion>(plan);
    EXPECT_EQ(held.state, "pending");
    EXPECT_EQ(held.due_ms, kTs + 2000);
    EXPECT_FALSE(held.held);

    Fields requested = conversion({{"trust", "request"}});
    EXPECT_TRUE(std::get<Conversion>(plan_event(p, requested, kTs)).held);
    p.trust_request = TrustPolicy::kAccept;
    EXPECT_FALSE(std::get<Conversion>(plan_event(p, requested, kTs)).held);
    EXPECT_EQ(std::get<Conversion>(plan_event(p, requested, kTs)).state, "pending");
    p.trust_request = TrustPolicy::kReject;
    EXPECT_EQ(rejection(p, requested).reason, "untrusted");
}

Fields signup(std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) {
    Fields f = {
        {"v", "1"},       {"type", "signup"},   {"id", "s1"},        {"ts", "1700000000000"},
        {"site", "shop"}, {"code", "alice"},    {"customer", "bob"}, {"ip", "0123456789abcdef"},
        {"src", "tg"},    {"trust", "upstream"}};
    for (const auto &kv : extra) {
        f = without(f, kv.first);
        f.push_back(kv);
    }
    return f;
}

Programme with_signup_rewards() {
    Programme p = two_sided();
    p.signup_referrer.kind = RewardKind::kPoints;
    p.signup_referrer.value = 500;
    p.signup_friend.kind = RewardKind::kFixed;
    p.signup_friend.value = 300;
    return p;
}

TEST(PlanEvent, Signups) {
    Plan plan = plan_event(with_signup_rewards(), signup(), kTs);
    ASSERT_TRUE(std::holds_alternative<Signup>(plan)) << rejection(two_sided(), signup()).reason;
    const Signup &s = std::get<Signup>(plan);
    EXPECT_EQ(s.code, "alice");
    EXPECT_EQ(s.customer, "bob");
    EXPECT_EQ(s.ip, "0123456789abcdef");
    EXPECT_EQ(s.source, "tg");
    EXPECT_EQ(s.ts, kTs);
    EXPECT_EQ(s.state, "approved");
    EXPECT_EQ(s.referrer_currency, "PTS");
    EXPECT_EQ(s.referrer_reward, 500);
    EXPECT_EQ(s.friend_currency, "EUR");
    EXPECT_EQ(s.friend_reward, 300);

    // Without [signup] the signup still binds: it pays nothing.
    const Signup unpaid = std::get<Signup>(plan_event(two_sided(), signup(), kTs));
    EXPECT_EQ(unpaid.referrer_reward, 0);
    EXPECT_EQ(unpaid.friend_reward, 0);
}

TEST(PlanEvent, SignupTrustAndHold) {
    Programme p = with_signup_rewards();
    p.hold_ms = 5000;
    const Signup held = std::get<Signup>(plan_event(p, signup(), kTs));
    EXPECT_EQ(held.state, "pending");
    EXPECT_EQ(held.due_ms, kTs + 5000);

    Fields requested = signup({{"trust", "request"}});
    EXPECT_EQ(std::get<Signup>(plan_event(p, requested, kTs)).state, "awaiting_approval");
    p.trust_request = TrustPolicy::kAccept;
    EXPECT_EQ(std::get<Signup>(plan_event(p, requested, kTs)).state, "pending");
    p.trust_request = TrustPolicy::kReject;
    EXPECT_EQ(rejection(p, requested).reason, "untrusted");
}

TEST(PlanEvent, BadSignups) {
    Programme p = with_signup_rewards();
    EXPECT_EQ(rejection(p, without(signup(), "customer")).reason, "missing_field");
    Rejection raw = rejection(p, signup({{"customer", ""}, {"customer_raw", "bad id"}}));
    EXPECT_EQ(raw.reason, "missing_field");
    EXPECT_NE(raw.detail.find("customer_raw"), std::string::npos) << raw.detail;
    EXPECT_EQ(rejection(p, without(signup(), "code")).reason, "missing_field");
    EXPECT_EQ(rejection(p, signup({{"code", "a b"}})).reason, "invalid_field");
    EXPECT_EQ(rejection(p, signup({{"customer", "a b"}})).reason, "invalid_field");
    EXPECT_EQ(rejection(p, signup({{"ts", "soon"}})).reason, "invalid_field");
}

TEST(PlanEvent, APurchaseWithoutCodeIsLeftToTheCustomersBinding) {
    Plan plan = plan_event(two_sided(), without(conversion(), "code"), kTs);
    ASSERT_TRUE(std::holds_alternative<BoundPurchase>(plan));
    EXPECT_EQ(std::get<BoundPurchase>(plan).customer, "carol");
    EXPECT_EQ(std::get<BoundPurchase>(plan).ts, kTs);
    // Nobody to look up: no code is no code.
    EXPECT_EQ(rejection(two_sided(), without(without(conversion(), "code"), "customer")).reason,
              "missing_field");
    EXPECT_EQ(rejection(two_sided(), conversion({{"code", ""}, {"customer", "a b"}})).reason,
              "missing_field");
}

TEST(PlanEvent, StaticRules) {
    Programme p = two_sided();
    p.min_order = 20000;
    EXPECT_EQ(rejection(p, conversion()).reason, "below_min_order");
    EXPECT_EQ(rejection(p, conversion({{"amount", "20000"}})).reason, "accepted");

    p = two_sided();
    p.window_ms = 10000 * 1000LL;
    EXPECT_EQ(rejection(p, conversion()).reason, "accepted");  // exactly the window
    EXPECT_EQ(rejection(p, conversion({{"first_ts", "1699989999999"}})).reason,
              "attribution_window");
    EXPECT_EQ(rejection(p, without(conversion(), "first_ts")).reason, "missing_field");

    p = two_sided();
    EXPECT_EQ(rejection(p, conversion({{"currency", "USD"}})).reason, "currency_mismatch");
    p.currency.clear();
    EXPECT_EQ(rejection(p, conversion({{"currency", "USD"}})).reason, "accepted");

    p.first_purchase_only = true;
    EXPECT_EQ(rejection(p, without(conversion(), "customer")).reason, "missing_customer");
    p.first_purchase_only = false;
    p.require_customer = true;
    EXPECT_EQ(rejection(p, without(conversion(), "customer")).reason, "missing_customer");
}

TEST(PlanEvent, RuleRefusalsKeepTheConversionForTheLedger) {
    Programme p = two_sided();
    p.min_order = 20000;
    Rejection below = rejection(p, conversion());
    ASSERT_TRUE(below.conversion.has_value());
    EXPECT_EQ(below.conversion->order, "o1");
    EXPECT_EQ(below.conversion->amount, 12345);
    EXPECT_EQ(below.conversion->currency, "EUR");
    EXPECT_TRUE(rejection(two_sided(), conversion({{"currency", "USD"}})).conversion.has_value());
    // A malformed event is no conversion the ledger could note.
    EXPECT_FALSE(rejection(p, conversion({{"amount", "12.5"}})).conversion.has_value());
    EXPECT_FALSE(rejection(p, without(conversion(), "order")).conversion.has_value());
}

TEST(PlanEvent, BadEvents) {
    Programme p = two_sided();
    EXPECT_EQ(rejection(p, conversion({{"v", "2"}})).reason, "unsupported_version");
    EXPECT_EQ(rejection(p, conversion({{"type", "purchase"}})).reason, "unknown_type");
    EXPECT_EQ(rejection(p, without(conversion(), "type")).detail, "type");
    EXPECT_EQ(rejection(p, without(conversion(), "id")).detail, "id");
    // Without code (the customer's binding may stand in for it): see
    // APurchaseWithoutCodeIsLeftToTheCustomersBinding.
    for (const char *name : {"ts", "site", "order", "amount", "currency"}) {
        Rejection r = rejection(p, without(conversion(), name));
        EXPECT_EQ(r.reason, "missing_field") << name;
        EXPECT_EQ(r.detail, name);
    }
    // The module sends order_raw for an order id it could not use.
    EXPECT_EQ(rejection(p, conversion({{"order", ""}, {"order_raw", "a b"}})).detail,
              "order (order_raw sent: not a valid value)");
    EXPECT_EQ(rejection(p, conversion({{"amount_raw", "12,50"}})).reason, "unparsable_amount");
    for (const char *amount : {"12.50", "-5", "1e3", "99999999999999999"}) {
        EXPECT_EQ(rejection(p, conversion({{"amount", amount}})).reason, "unparsable_amount")
            << amount;
    }
    EXPECT_EQ(rejection(p, conversion({{"currency", "XXX"}})).reason, "unknown_currency");
    EXPECT_EQ(rejection(p, conversion({{"currency", "PTS"}})).reason, "unknown_currency");
    EXPECT_EQ(rejection(p, conversion({{"ts", "yesterday"}})).reason, "invalid_field");
    const std::string long_order(129, 'x');
    EXPECT_EQ(rejection(p, conversion({{"order", long_order}})).detail, "order");
    EXPECT_EQ(rejection(p, conversion({{"order", "a b"}})).detail, "order");
    EXPECT_EQ(rejection(p, conversion({{"customer", "carol smith"}})).detail, "customer");
    EXPECT_EQ(rejection(p, conversion({{"code", "al ice"}})).detail, "code");
    EXPECT_EQ(rejection(p, conversion({{"code", "al:ice"}})).reason, "invalid_field");
}

Fields with_code(Fields f, std::string_view code) {
    for (auto &kv : f) {
        if (kv.first == "code") {
            kv.second = code;
        }
    }
    return f;
}

TEST(PlanEvent, Clicks) {
    Fields click = {{"v", "1"},    {"type", "click"}, {"id", "c1"}, {"ts", "1700000000000"},
                    {"site", "s"}, {"code", "alice"}, {"ip", "ab"}, {"src", "tg"}};
    Plan plan = plan_event(two_sided(), click, kTs);
    ASSERT_TRUE(std::holds_alternative<Click>(plan));
    EXPECT_EQ(std::get<Click>(plan).source, "tg");
    EXPECT_EQ(std::get<Click>(plan).ip, "ab");
    EXPECT_EQ(rejection(two_sided(), without(click, "code")).reason, "missing_field");
    EXPECT_EQ(rejection(two_sided(), with_code(click, "a\tb")).detail, "code");
}

TEST(PlanEvent, Refunds) {
    Fields refund = {{"v", "1"}, {"type", "refund"}, {"id", "r1"}, {"site", "s"}, {"order", "o1"}};
    Plan plan = plan_event(two_sided(), refund, kTs);
    ASSERT_TRUE(std::holds_alternative<Refund>(plan));
    EXPECT_FALSE(std::get<Refund>(plan).amount);
    EXPECT_EQ(std::get<Refund>(plan).ts, kTs);  // now, without a ts of its own

    refund.emplace_back("amount", "250");
    EXPECT_EQ(std::get<Refund>(plan_event(two_sided(), refund, kTs)).amount, 250);
    refund.back().second = "2.50";
    EXPECT_EQ(rejection(two_sided(), refund).reason, "unparsable_amount");
    refund.back().second = "0";
    EXPECT_EQ(rejection(two_sided(), refund).reason, "unparsable_amount");
    EXPECT_EQ(rejection(two_sided(), without(refund, "order")).reason, "missing_field");
}

}  // namespace
}  // namespace referral::rewardd
