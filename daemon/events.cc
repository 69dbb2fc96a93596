#include "events.h"

#include <algorithm>

#include "amounts.h"
#include "money.h"
#include "rules.h"

namespace referral::rewardd {
namespace {

constexpr size_t kMaxIdLength = 128;

std::optional<Rejection> check_code(std::string_view code) {
    if (!valid_code(code)) {
        return Rejection{"invalid_field", "code"};
    }
    return std::nullopt;
}

Rejection missing(std::string_view name, const Fields &fields) {
    std::string raw = std::string(name) + "_raw";
    std::string detail(name);
    if (!field(fields, raw).empty()) {
        detail += " (" + raw + " sent: not a valid value)";
    }
    return {"missing_field", detail};
}

// The first required field that is absent, if any.
std::optional<Rejection> require(const Fields &fields,
                                 std::initializer_list<std::string_view> names) {
    for (std::string_view name : names) {
        if (field(fields, name).empty()) {
            return missing(name, fields);
        }
    }
    return std::nullopt;
}

std::optional<Rejection> parse_time(const Fields &fields, std::string_view name, int64_t *out) {
    auto ms = parse_minor_units(field(fields, name));
    if (!ms) {
        return Rejection{"invalid_field", std::string(name)};
    }
    *out = *ms;
    return std::nullopt;
}

Plan plan_click(const Fields &fields) {
    if (auto r = require(fields, {"ts", "site", "code"})) {
        return *r;
    }
    Click c;
    if (auto r = parse_time(fields, "ts", &c.ts)) {
        return *r;
    }
    c.code = field(fields, "code");
    if (auto r = check_code(c.code)) {
        return *r;
    }
    c.ip = field(fields, "ip");
    c.source = field(fields, "src");
    return c;
}

Plan plan_conversion(const Programme &programme, const Fields &fields) {
    if (!field(fields, "amount_raw").empty()) {
        return Rejection{"unparsable_amount", std::string(field(fields, "amount_raw"))};
    }
    if (auto r = require(fields, {"ts", "site", "code", "order", "amount", "currency"})) {
        return *r;
    }
    Conversion c;
    if (auto r = parse_time(fields, "ts", &c.ts)) {
        return *r;
    }
    c.site = field(fields, "site");
    c.order = field(fields, "order");
    c.code = field(fields, "code");
    c.customer = field(fields, "customer");
    c.currency = field(fields, "currency");
    if (auto r = check_code(c.code)) {
        return *r;
    }
    if (!valid_id(c.order) || (!c.customer.empty() && !valid_id(c.customer))) {
        return Rejection{"invalid_field", valid_id(c.order) ? "customer" : "order"};
    }
    auto amount = parse_minor_units(field(fields, "amount"));
    if (!amount) {
        return Rejection{"unparsable_amount", std::string(field(fields, "amount"))};
    }
    c.amount = *amount;
    if (currency_exponent(c.currency) < 0) {
        return Rejection{"unknown_currency", std::string(c.currency)};
    }

    // The programme's rules that need nothing but the event.
    if (!programme.currency.empty() && c.currency != programme.currency) {
        return Rejection{"currency_mismatch",
                         std::string(c.currency) + " order, programme in " + programme.currency};
    }
    if (c.customer.empty() && (programme.require_customer || programme.first_purchase_only)) {
        return Rejection{"missing_customer", ""};
    }
    if (c.amount < programme.min_order) {
        return Rejection{"below_min_order", std::to_string(c.amount)};
    }
    if (programme.window_ms > 0) {
        int64_t first_ts = 0;
        if (field(fields, "first_ts").empty()) {
            return missing("first_ts", fields);
        }
        if (auto r = parse_time(fields, "first_ts", &first_ts)) {
            return *r;
        }
        if (c.ts - first_ts > programme.window_ms) {
            return Rejection{"attribution_window",
                             std::to_string((c.ts - first_ts) / 1000) + "s after the click"};
        }
    }
    bool requested = field(fields, "trust") == "request";
    if (requested && programme.trust_request == TrustPolicy::kReject) {
        return Rejection{"untrusted", "trust=request"};
    }
    if (requested && programme.trust_request == TrustPolicy::kHoldForApproval) {
        c.state = "awaiting_approval";
    } else if (programme.hold_ms > 0) {
        c.state = "pending";
        c.due_ms = c.ts + programme.hold_ms;
    } else {
        c.state = "approved";
    }

    c.referrer_currency = reward_currency(programme.referrer, c.currency);
    c.friend_currency = reward_currency(programme.friend_reward, c.currency);
    for (size_t level = 0; level < programme.referrer.levels(); ++level) {
        c.referrer_rewards.push_back(reward_amount(programme.referrer, level, c.amount));
    }
    c.friend_reward = reward_amount(programme.friend_reward, 0, c.amount);
    return c;
}

Plan plan_refund_event(const Fields &fields, int64_t now_ms) {
    if (auto r = require(fields, {"site", "order"})) {
        return *r;
    }
    Refund r;
    r.site = field(fields, "site");
    r.order = field(fields, "order");
    r.ts = now_ms;
    if (!field(fields, "ts").empty()) {
        if (auto rejection = parse_time(fields, "ts", &r.ts)) {
            return *rejection;
        }
    }
    if (!field(fields, "amount").empty()) {
        auto amount = parse_minor_units(field(fields, "amount"));
        if (!amount || *amount == 0) {
            return Rejection{"unparsable_amount", std::string(field(fields, "amount"))};
        }
        r.amount = amount;
    }
    return r;
}

}  // namespace

bool valid_code(std::string_view code) {
    return !code.empty() && code.size() <= kMaxIdLength &&
           std::all_of(code.begin(), code.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-';
           });
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxIdLength &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

std::string_view field(const Fields &fields, std::string_view name) {
    for (const auto &[k, v] : fields) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

Plan plan_event(const Programme &programme, const Fields &fields, int64_t now_ms) {
    std::string_view version = field(fields, "v");
    if (!version.empty() && version != "1") {
        return Rejection{"unsupported_version", std::string(version)};
    }
    if (auto r = require(fields, {"type", "id"})) {
        return *r;
    }
    if (field(fields, "id").size() > kMaxIdLength) {
        return Rejection{"invalid_field", "id"};
    }
    std::string_view type = field(fields, "type");
    if (type == "click") {
        return plan_click(fields);
    }
    if (type == "conversion") {
        return plan_conversion(programme, fields);
    }
    if (type == "refund") {
        return plan_refund_event(fields, now_ms);
    }
    return Rejection{"unknown_type", std::string(type)};
}

}  // namespace referral::rewardd
