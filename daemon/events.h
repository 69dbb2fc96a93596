// Reading one entry of the events stream (docs/design.md#event-schema): validation, the programme's
// rules that need nothing but the event, and the rewards it would earn. What needs the books
// (duplicates, enrolment, limits, caps) is decided by the scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config.h"
#include "event.h"
#include "event_schema.h"

namespace referral::rewardd {

// Field/value pairs of one stream entry, viewing the reply that carries them: the same shape
// as a decoded event record.
using Fields = EventFields;

// The first value of f, "" when absent (docs/design.md#event-schema: empty means absent).
std::string_view field(const Fields &fields, EventField f);
// Replaces the first value of f, or adds it.
void set_field(Fields &fields, EventField f, std::string_view value);

struct Click {
    std::string_view code, ip, source;
    int64_t ts = 0;
};

struct Conversion {
    std::string_view site, order, code, customer, currency;
    std::string_view source;    // utm_source; "" = absent
    std::string_view first_ts;  // as sent; "" = absent
    std::string_view variant;   // the code's [[variant]] name; "" = no experiment
    int64_t amount = 0;
    int64_t ts = 0;
    // trust=request under hold_for_approval: only recorded until `approve` plans it again
    // without its trust field
    bool held = false;
    // attributed through the customer's binding (Applier::plan_bound_purchase), not a link or
    // coupon: pay_on applies, and a held one is planned through the binding again on `approve`
    bool bound = false;
    std::string state;   // pending | approved
    int64_t due_ms = 0;  // end of the payout hold when pending
    std::string referrer_currency, friend_currency;
    std::vector<int64_t> referrer_rewards;  // level 1, 2, ...
    int64_t friend_reward = 0;
};

struct Rejection {
    std::string reason;  // machine-readable, listed in docs/rewards.md
    std::string detail;
    // A well-formed conversion the programme refused: the ledger records it as rejected.
    std::optional<Conversion> conversion = std::nullopt;
};

struct Refund {
    std::string_view site, order;
    std::optional<int64_t> amount;  // nullopt = full refund
    int64_t ts = 0;
    bool own_ts = false;  // ts came with the event; otherwise it is the daemon's time
};

// A provider's or shop's confirmation of an order: settles the conversion held for it with these
// values, or waits for it.
struct Confirm {
    std::string_view site, order, customer, currency, coupon;
    int64_t amount = 0;
    int64_t ts = 0;
    bool own_ts = false;  // as Refund's
};

// A payment of a referred customer's subscription: paid like a conversion of the code that
// referred them, within the programme's recurring_months.
struct Renewal {
    std::string_view site, order, customer, currency;
    int64_t amount = 0;
    int64_t ts = 0;
};

// A registration through a referral link: binds the customer to the code and pays the
// programme's [signup] rewards.
struct Signup {
    std::string_view site, code, customer, ip, source;
    int64_t ts = 0;
    // pending | approved, or awaiting_approval: trust=request under hold_for_approval, credited
    // pending until `approve` releases it
    std::string state;
    int64_t due_ms = 0;  // end of the payout hold when pending
    std::string referrer_currency, friend_currency;
    int64_t referrer_reward = 0, friend_reward = 0;
};

// The order id a signup's rewards are kept under, followed by the customer id: `approve`,
// `refund` and the payout hold find them there.
inline constexpr std::string_view kSignupOrderPrefix = "signup:";

// A purchase without a referral cookie or coupon but with a customer id: attributed, if at all,
// through the customer's binding to a referrer (Applier::bound_purchase_call).
struct BoundPurchase {
    std::string_view customer;
    int64_t ts = 0;
};

using Plan =
    std::variant<Rejection, Click, Conversion, Refund, Confirm, Renewal, Signup, BoundPurchase>;

// Plans one event. now_ms stands in for a refund's or confirmation's missing ts. A cancel is
// planned as a refund of the whole order.
Plan plan_event(const Programme &programme, const Fields &fields, int64_t now_ms);

}  // namespace referral::rewardd
