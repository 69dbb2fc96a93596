// One struct per Lua script: its KEYS and ARGV by name, turned into a call in the order the
// block at the top of the script unpacks them (docs/design.md#script-interfaces). A unit test
// holds every struct to its script's block.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scripts.h"

namespace referral::rewardd {

// The first reply element of a script, where the daemon acts on it.
namespace script_status {
inline constexpr std::string_view kApplied = "applied";
inline constexpr std::string_view kRejected = "rejected";
inline constexpr std::string_view kStale = "stale";  // refund: the order changed, plan again
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kHeld = "held";    // a conversion held for approval
inline constexpr std::string_view kError = "error";  // {'error', message}: a command refused
}  // namespace script_status

// KEYS[1..5] and ARGV[1..6] of every event script (click, conversion, hold, refund, reject,
// signup):
// event_header() in scripts/common.lua.
struct EventHeader {
    // seen: the hash of the seen flags of the event's hour and seen_id its field, or (seen_id
    // empty) the event's own seen key.
    std::string events, ledger, rejected, seen;
    std::string daily;         // daily:<yyyymmdd> of the event's day
    std::string group, entry;  // the consumer group and the stream entry to acknowledge
    int64_t seen_ttl_ms = 0;
    int64_t rejected_maxlen = 0;
    int64_t daily_ttl_ms = 0;
    std::string seen_id;

    ScriptCall start(Script script) const;
};

struct ClickCall {
    EventHeader header;
    std::string owner, stats, codes, ip_clicks;
    std::string code, ip, source;
    bool open_enrolment = false;
    int64_t clicks_per_ip = 0;  // per hour; 0 = no limit
    int64_t hour_ttl_ms = 0;

    ScriptCall to_call() const;
};

struct ConversionCall {
    EventHeader header;
    std::string order_key, owner, code_of, referred_by, stats, codes, buyers, day_conversions,
        month_rewards, due, currencies, referrer_balance, friend_balance, held, held_expiry,
        first_conversion;
    std::string event_id, site, order, code, customer;
    int64_t amount = 0;
    std::string currency;
    int64_t ts = 0;
    std::string state;   // pending | approved
    int64_t due_ms = 0;  // 0 = no hold
    int64_t order_ttl_ms = 0;
    bool open_enrolment = false;
    bool first_purchase_only = false;
    int64_t daily_limit = 0;  // conversions per referrer per day; 0 = none
    int64_t day_ttl_ms = 0;
    int64_t monthly_cap = 0;  // rewards per referrer per month; 0 = none
    int64_t month_ttl_ms = 0;
    std::string referrer_currency, friend_currency;
    int64_t friend_reward = 0;
    bool approval = false;  // `approve` of the conversion held for this order, event_id
    bool renewal = false;   // a subscription's renewal: not a purchase that refers anybody
    std::string alias;      // the provider's id of the same customer ("" = none)
    std::string source;     // utm_source, "" = none
    // attributed through the customer's binding under pay_on = first_purchase: refused once
    // the customer has a first conversion
    bool bound_first_purchase = false;
    std::string variant;                    // the code's [[variant]], "" = no experiment
    std::vector<int64_t> referrer_rewards;  // level 1, 2, ...

    ScriptCall to_call() const;
};

// A registration (scripts/signup.lua): binds the customer, pays the [signup] rewards.
struct SignupCall {
    EventHeader header;
    std::string owner, code_of, referred_by, bound_at, stats, codes, ip_signups, code_signups,
        month_rewards, due, currencies, referrer_balance, friend_balance, order_key;
    std::string event_id, site, code, customer, ip, source;
    int64_t ts = 0;
    std::string state;   // pending | approved | awaiting_approval
    int64_t due_ms = 0;  // 0 = no hold
    int64_t order_ttl_ms = 0;
    bool open_enrolment = false;
    int64_t ip_limit = 0;  // signups per ip per hour; 0 = none
    int64_t hour_ttl_ms = 0;
    int64_t code_limit = 0;  // signups per referrer per day; 0 = none
    int64_t day_ttl_ms = 0;
    int64_t monthly_cap = 0;  // 0 = none, or not in the referrer reward's unit
    int64_t month_ttl_ms = 0;
    std::string referrer_currency, friend_currency;
    int64_t referrer_reward = 0, friend_reward = 0;
    std::string order;    // the rewards' order id: "signup:<customer>"
    std::string variant;  // the code's [[variant]], "" = no experiment

    ScriptCall to_call() const;
};

struct HoldCall {
    EventHeader header;
    std::string order_key, held, held_expiry, owner, confirmed;
    std::string event_id, site, order, code, customer;
    int64_t amount = 0;
    std::string currency;
    int64_t ts = 0;
    std::string first_ts;  // "" = none
    bool bound = false;    // attributed through the customer's binding
    bool open_enrolment = false;
    int64_t held_ttl_ms = 0;

    ScriptCall to_call() const;
};

struct RefundCall {
    EventHeader header;
    std::string order_key, due;
    std::string stats;                  // mode "reverse" only, as are balances and reversals
    std::vector<std::string> balances;  // of each reward's currency
    std::string version;                // of the order as read; "" = no order
    std::string mode;                   // early | reverse | complete
    std::string total;  // early: the refund to remember; reverse: refunded total after this one
    int64_t amount = 0;
    int64_t ts = 0;
    int64_t remember_ttl_ms = 0;
    std::vector<int64_t> reversals;  // of each reward

    ScriptCall to_call() const;
};

struct RejectCall {
    EventHeader header;
    std::string reason, detail;
    // A well-formed conversion the programme refused, for its ledger entry; amount "" = none.
    std::string event_id, site, order, code, customer, amount, currency, ts;

    ScriptCall to_call() const;
};

struct PromoteCall {
    std::string due, ledger;
    std::string prefix;
    int64_t batch = 0;

    ScriptCall to_call() const;
};

struct ApproveCall {
    std::string order_key, due, ledger;
    std::string prefix;
    int64_t hold_ms = 0;

    ScriptCall to_call() const;
};

struct DropHeldCall {
    std::string held, held_expiry, rejected, ledger;
    std::string id;  // the held event's, as read: another one held since is left alone
    std::string reason, detail;
    int64_t rejected_maxlen = 0;

    ScriptCall to_call() const;
};

struct ExpireHeldCall {
    std::string held_expiry, rejected, ledger;
    int64_t rejected_maxlen = 0;
    int64_t batch = 0;

    ScriptCall to_call() const;
};

struct PayoutCall {
    std::string ledger;
    std::vector<std::string> balances;  // one per currency
    std::string account;
    std::vector<std::string> currencies;

    ScriptCall to_call() const;
};

struct PayoutBatchCall {
    std::string ledger, batch, payee;
    std::vector<std::string> balances;  // one per currency
    std::string batch_id, code;
    std::vector<std::string> minimums;  // "<currency> <minor units>", one per balance

    ScriptCall to_call() const;
};

// A verified hook message into the stream, once (scripts/hook.lua).
struct HookCall {
    std::string events, hooked;
    std::string refunded, link;  // "" = none (the hooked key is sent in their place)
    int64_t ttl_ms = 0, link_ttl_ms = 0;
    std::string link_value;      // "" = no link
    std::string refunded_total;  // "" = not a running total
    std::vector<std::pair<std::string, std::string>> fields;

    ScriptCall to_call() const;
};

// A confirmation kept until its order's conversion comes (scripts/confirm.lua).
struct ConfirmCall {
    EventHeader header;
    std::string confirmed;
    int64_t ttl_ms = 0;
    std::vector<std::pair<std::string, std::string>> fields;

    ScriptCall to_call() const;
};

// Events applied in order by one script (scripts/batch.lua). The events of one script with as
// many keys and args are of one shape: what all of them hold at a position is sent once, with
// the shape, and each event sends only the values that are its own
// (docs/design.md#script-interfaces). Only the scripts batch.lua carries.
struct BatchCall {
    const ScriptCall *events = nullptr;
    size_t count = 0;

    // KEYS and ARGV as views into the events' strings and into numbers of its own: encoded to
    // Redis as they are, without copies. KEYS: each shape's keys, then each event's own keys.
    // ARGV: the shape count; per shape its script's name, key count, arg count, own key count,
    // own arg count, the positions of the own keys, then of the own args, then its args; then
    // per event its shape (from 1) and its own args. A shape's keys and args are its first
    // event's.
    struct Layout {
        std::vector<std::string_view> keys, args;
        std::deque<std::string> numbers;  // a deque: views into it stay valid as it grows
    };
    Layout layout() const;
};

struct EnrollCall {
    std::string owner, code_of, referred_by, codes;
    std::string customer, code, parent;  // parent "" = none

    ScriptCall to_call() const;
};

}  // namespace referral::rewardd
