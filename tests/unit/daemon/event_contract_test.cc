// The module's encoder against the daemon's parser, with nothing in between: records built by
// core's event builder (what the module and the CLI send) are decoded as the sink decodes them
// and planned as the daemon plans stream entries.
#include <algorithm>
#include <memory>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "event.h"
#include "event_builder.h"
#include "event_schema.h"
#include "events.h"
#include "keyring.h"

namespace referral::rewardd {
namespace {

constexpr int64_t kNow = 1700000000000;

const Key &key() {
    static const std::unique_ptr<Keyring> ring =
        Keyring::parse("k1:" + std::string(32, 'a') + std::string(32, 'b') + "\n", nullptr);
    return ring->signer();
}

Programme two_sided() {
    Programme p;
    p.currency = "EUR";
    p.referrer.kind = RewardKind::kPercent;
    p.referrer.basis_points = {1000};
    p.friend_reward.kind = RewardKind::kFixed;
    p.friend_reward.value = 500;
    return p;
}

EventOrigin origin() {
    EventOrigin o;
    o.id = "AAECAwQFBgcICQoLDA0ODw";
    o.ts_ms = kNow;
    o.site = "shop.example";
    o.code = "alice";
    o.click = "EBESExQVFhcYGRobHB0eHw";
    o.client = std::string_view("\x7f\x00\x00\x01", 4);
    o.user_agent = "Mozilla/5.0";
    o.source = "newsletter";
    return o;
}

ConversionValues checkout() {
    ConversionValues v;
    v.first_ts_ms = kNow - 60000;
    v.order = "order-1";
    v.customer = "carol";
    v.amount = "123.45";
    v.currency = "eur";
    v.status = 200;
    return v;
}

// The record as the sink hands it to XADD, planned by the daemon.
Plan plan(const EventRecord &record, const Programme &programme = two_sided()) {
    Fields fields;
    EXPECT_TRUE(decode_event(record.bytes(), &fields));
    return plan_event(programme, fields, kNow);
}

Plan plan_conversion(const ConversionValues &values, bool *amount_invalid = nullptr) {
    bool invalid = false;
    Plan p = plan(conversion_event(key(), origin(), values, &invalid));
    if (amount_invalid) {
        *amount_invalid = invalid;
    }
    return p;
}

Rejection rejection(const Plan &p) {
    EXPECT_TRUE(std::holds_alternative<Rejection>(p));
    return std::holds_alternative<Rejection>(p) ? std::get<Rejection>(p) : Rejection{};
}

// Every field of a record belongs to its type, every field the type requires is there.
void expect_follows_schema(const EventRecord &record, EventType type) {
    Fields fields;
    ASSERT_TRUE(decode_event(record.bytes(), &fields));
    for (const auto &[name, value] : fields) {
        auto known = std::find_if(std::begin(kEventFields), std::end(kEventFields),
                                  [&](const EventFieldInfo &f) { return f.name == name; });
        ASSERT_NE(known, std::end(kEventFields)) << name;
        EXPECT_NE(known->in[static_cast<size_t>(type)], Presence::absent) << name;
    }
    for (size_t i = 0; i < kEventFieldCount; ++i) {
        auto f = static_cast<EventField>(i);
        if (presence(f, type) == Presence::required) {
            EXPECT_FALSE(field(fields, f).empty()) << field_name(f);
        }
    }
}

TEST(EventContract, ClickIsPlannedAsAClick) {
    EventRecord record = click_event(key(), origin());
    expect_follows_schema(record, EventType::click);
    Plan p = plan(record);
    ASSERT_TRUE(std::holds_alternative<Click>(p)) << rejection(p).reason;
    const Click &c = std::get<Click>(p);
    EXPECT_EQ(c.code, "alice");
    EXPECT_EQ(c.ts, kNow);
    EXPECT_EQ(c.source, "newsletter");
    EXPECT_EQ(c.ip.size(), 16u);  // hex of 8 bytes, never the address
    EXPECT_EQ(c.ip.find_first_not_of("0123456789abcdef"), std::string_view::npos);
}

TEST(EventContract, ConversionIsPlannedWithItsRewards) {
    bool amount_invalid = true;
    EventRecord record = conversion_event(key(), origin(), checkout(), &amount_invalid);
    EXPECT_FALSE(amount_invalid);
    expect_follows_schema(record, EventType::conversion);
    Plan p = plan(record);
    ASSERT_TRUE(std::holds_alternative<Conversion>(p)) << rejection(p).reason;
    const Conversion &c = std::get<Conversion>(p);
    EXPECT_EQ(c.site, "shop.example");
    EXPECT_EQ(c.order, "order-1");
    EXPECT_EQ(c.code, "alice");
    EXPECT_EQ(c.customer, "carol");
    EXPECT_EQ(c.currency, "EUR");
    EXPECT_EQ(c.amount, 12345);
    EXPECT_EQ(c.ts, kNow);
    EXPECT_EQ(c.state, "approved");
    EXPECT_EQ(c.referrer_rewards, std::vector<int64_t>{1234});
    EXPECT_EQ(c.friend_reward, 500);
}

TEST(EventContract, FirstTsMeetsTheAttributionWindow) {
    Programme p = two_sided();
    p.window_ms = 30000;
    bool invalid;
    EXPECT_EQ(rejection(plan(conversion_event(key(), origin(), checkout(), &invalid), p)).reason,
              "attribution_window");
    p.window_ms = 60000;
    EXPECT_TRUE(std::holds_alternative<Conversion>(
        plan(conversion_event(key(), origin(), checkout(), &invalid), p)));
}

TEST(EventContract, RequestTrustIsHeldForApproval) {
    ConversionValues v = checkout();
    v.trust_request = true;
    Plan p = plan_conversion(v);
    ASSERT_TRUE(std::holds_alternative<Conversion>(p));
    EXPECT_TRUE(std::get<Conversion>(p).held);
}

TEST(EventContract, InvalidValuesAreRejectedWithTheirReason) {
    struct Case {
        const char *name;
        void (*change)(ConversionValues &);
        const char *reason;
        const char *detail;
        bool amount_invalid;
    };
    const Case cases[] = {
        {"order with a space", [](ConversionValues &v) { v.order = "order 1"; }, "missing_field",
         "order (order_raw sent: not a valid value)", false},
        {"no order", [](ConversionValues &v) { v.order = ""; }, "missing_field", "order", false},
        {"customer too long",
         [](ConversionValues &v) {
             static const std::string too_long(kMaxIdLength + 1, 'c');
             v.customer = too_long;
         },
         "accepted", "", false},
        {"amount with too many decimals", [](ConversionValues &v) { v.amount = "12.345"; },
         "unparsable_amount", "12.345", true},
        {"negative amount", [](ConversionValues &v) { v.amount = "-5"; }, "unparsable_amount", "-5",
         true},
        {"unknown currency", [](ConversionValues &v) { v.currency = "EURO"; }, "unparsable_amount",
         "123.45", true},
        {"no amount", [](ConversionValues &v) { v.amount = ""; }, "missing_field", "amount", false},
    };
    for (const Case &c : cases) {
        ConversionValues v = checkout();
        c.change(v);
        bool amount_invalid = false;
        Plan p = plan_conversion(v, &amount_invalid);
        EXPECT_EQ(amount_invalid, c.amount_invalid) << c.name;
        if (std::string(c.reason) == "accepted") {
            // An invalid customer id goes as customer_raw; the conversion counts without it.
            ASSERT_TRUE(std::holds_alternative<Conversion>(p)) << c.name;
            EXPECT_EQ(std::get<Conversion>(p).customer, "") << c.name;
            continue;
        }
        Rejection r = rejection(p);
        EXPECT_EQ(r.reason, c.reason) << c.name;
        EXPECT_EQ(r.detail, c.detail) << c.name;
    }
}

TEST(EventContract, RefundFromTheCliIsPlannedAsARefund) {
    EventRecord full = refund_event("r1", kNow, "shop.example", "order-1", std::nullopt);
    expect_follows_schema(full, EventType::refund);
    Plan p = plan(full);
    ASSERT_TRUE(std::holds_alternative<Refund>(p)) << rejection(p).reason;
    EXPECT_EQ(std::get<Refund>(p).site, "shop.example");
    EXPECT_EQ(std::get<Refund>(p).order, "order-1");
    EXPECT_EQ(std::get<Refund>(p).amount, std::nullopt);
    EXPECT_EQ(std::get<Refund>(p).ts, kNow);

    Plan partial = plan(refund_event("r2", kNow, "shop.example", "order-1", 1250));
    ASSERT_TRUE(std::holds_alternative<Refund>(partial));
    EXPECT_EQ(std::get<Refund>(partial).amount, 1250);
}

}  // namespace
}  // namespace referral::rewardd
