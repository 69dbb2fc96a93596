#include "events.h"

#include <algorithm>

#include "amounts.h"
#include "money.h"
#include "rules.h"
#include "variants.h"

namespace referral::rewardd {
namespace {

Rejection invalid(EventField f) {
    return {"invalid_field", std::string(field_name(f))};
}

std::optional<Rejection> check_code(std::string_view code) {
    if (!valid_code(code)) {
        return invalid(EventField::code);
    }
    return std::nullopt;
}

Rejection missing(EventField f, const Fields &fields) {
    std::string detail(field_name(f));
    std::optional<EventField> raw = raw_field(f);
    if (raw && !field(fields, *raw).empty()) {
        detail += " (" + std::string(field_name(*raw)) + " sent: not a valid value)";
    }
    return {"missing_field", detail};
}

// The first of fs that is absent, if any.
std::optional<Rejection> require(const Fields &fields, std::initializer_list<EventField> fs) {
    for (EventField f : fs) {
        if (field(fields, f).empty()) {
            return missing(f, fields);
        }
    }
    return std::nullopt;
}

// The first field the type requires that is absent, in the schema's order.
std::optional<Rejection> require(const Fields &fields, EventType type) {
    for (size_t i = 0; i < kEventFieldCount; ++i) {
        auto f = static_cast<EventField>(i);
        if (presence(f, type) == Presence::required && field(fields, f).empty()) {
            return missing(f, fields);
        }
    }
    return std::nullopt;
}

std::optional<Rejection> parse_time(const Fields &fields, EventField f, int64_t *out) {
    auto ms = parse_minor_units(field(fields, f));
    if (!ms) {
        return invalid(f);
    }
    *out = *ms;
    return std::nullopt;
}

// What the programme does with an event whose values may come from the visitor's request.
enum class Verdict { kAccept, kHold, kRefuse };

Verdict trust_verdict(const Programme &programme, const Fields &fields) {
    if (field(fields, EventField::trust) != kTrustRequest) {
        return Verdict::kAccept;
    }
    switch (programme.trust_request) {
        case TrustPolicy::kAccept:
            return Verdict::kAccept;
        case TrustPolicy::kReject:
            return Verdict::kRefuse;
        case TrustPolicy::kHoldForApproval:
            break;
    }
    return Verdict::kHold;
}

const std::string kUntrusted = "untrusted";
const std::string kUntrustedDetail =
    std::string(field_name(EventField::trust)) + "=" + std::string(kTrustRequest);

Plan plan_click(const Fields &fields) {
    if (auto r = require(fields, EventType::click)) {
        return *r;
    }
    Click c;
    if (auto r = parse_time(fields, EventField::ts, &c.ts)) {
        return *r;
    }
    c.code = field(fields, EventField::code);
    if (auto r = check_code(c.code)) {
        return *r;
    }
    c.ip = field(fields, EventField::ip);
    c.source = field(fields, EventField::src);
    return c;
}

Plan plan_conversion(const Programme &programme, const Fields &fields) {
    if (std::string_view raw = field(fields, EventField::amount_raw); !raw.empty()) {
        return Rejection{"unparsable_amount", std::string(raw)};
    }
    if (auto r = require(fields, EventType::conversion)) {
        return *r;
    }
    Conversion c;
    if (auto r = parse_time(fields, EventField::ts, &c.ts)) {
        return *r;
    }
    c.site = field(fields, EventField::site);
    c.order = field(fields, EventField::order);
    c.code = field(fields, EventField::code);
    c.customer = field(fields, EventField::customer);
    c.currency = field(fields, EventField::currency);
    c.first_ts = field(fields, EventField::first_ts);
    c.source = field(fields, EventField::src);
    // A coupon that is a code names the referrer when no link did (fallback) or always
    // (override); no click then measures the attribution window.
    std::string_view coupon = field(fields, EventField::coupon);
    bool by_coupon =
        !coupon.empty() && programme.coupon_attribution != CouponAttribution::kOff &&
        (c.code.empty() || programme.coupon_attribution == CouponAttribution::kOverride);
    if (by_coupon) {
        c.code = coupon;
    }
    if (c.code.empty()) {
        // No link and no coupon: the customer's binding may name the referrer.
        if (valid_id(c.customer)) {
            return BoundPurchase{c.customer, c.ts};
        }
        return missing(EventField::code, fields);
    }
    if (auto r = check_code(c.code)) {
        return *r;
    }
    if (!valid_id(c.order) || (!c.customer.empty() && !valid_id(c.customer))) {
        return invalid(valid_id(c.order) ? EventField::customer : EventField::order);
    }
    std::string_view amount_text = field(fields, EventField::amount);
    auto amount = parse_minor_units(amount_text);
    if (!amount) {
        return Rejection{"unparsable_amount", std::string(amount_text)};
    }
    c.amount = *amount;
    if (currency_exponent(c.currency) < 0) {
        return Rejection{"unknown_currency", std::string(c.currency)};
    }

    // The programme's rules that need nothing but the event.
    auto refuse = [&c](std::string reason, std::string detail) {
        return Rejection{std::move(reason), std::move(detail), c};
    };
    if (!programme.currency.empty() && c.currency != programme.currency) {
        return refuse("currency_mismatch",
                      std::string(c.currency) + " order, programme in " + programme.currency);
    }
    if (c.customer.empty() && (programme.require_customer || programme.first_purchase_only)) {
        return refuse("missing_customer", "");
    }
    if (c.amount < programme.min_order) {
        return refuse("below_min_order", std::to_string(c.amount));
    }
    if (programme.window_ms > 0 && !by_coupon) {
        int64_t first_ts = 0;
        if (auto r = require(fields, {EventField::first_ts})) {
            return *r;
        }
        if (auto r = parse_time(fields, EventField::first_ts, &first_ts)) {
            return *r;
        }
        if (c.ts - first_ts > programme.window_ms) {
            return refuse("attribution_window",
                          std::to_string((c.ts - first_ts) / 1000) + "s after the click");
        }
    }
    Verdict verdict = trust_verdict(programme, fields);
    if (verdict == Verdict::kRefuse) {
        return refuse(kUntrusted, kUntrustedDetail);
    }
    c.held = verdict == Verdict::kHold;
    if (programme.hold_ms > 0) {
        c.state = "pending";
        c.due_ms = c.ts + programme.hold_ms;
    } else {
        c.state = "approved";
    }

    // An experiment's variant pays by its own rules; the code decides which (coupon included).
    const Variant *variant = variant_of(programme.variants, c.code);
    const Reward &referrer = variant ? variant->referrer : programme.referrer;
    const Reward &friend_reward = variant ? variant->friend_reward : programme.friend_reward;
    c.variant = variant ? std::string_view(variant->name) : std::string_view();
    c.referrer_currency = reward_currency(referrer, c.currency);
    c.friend_currency = reward_currency(friend_reward, c.currency);
    for (size_t level = 0; level < referrer.levels(); ++level) {
        c.referrer_rewards.push_back(reward_amount(referrer, level, c.amount));
    }
    c.friend_reward = reward_amount(friend_reward, 0, c.amount);
    return c;
}

Plan plan_signup(const Programme &programme, const Fields &fields) {
    if (auto r = require(fields, EventType::signup)) {
        return *r;
    }
    if (auto r = require(fields, {EventField::customer})) {
        return *r;
    }
    Signup s;
    if (auto r = parse_time(fields, EventField::ts, &s.ts)) {
        return *r;
    }
    s.site = field(fields, EventField::site);
    s.code = field(fields, EventField::code);
    if (auto r = check_code(s.code)) {
        return *r;
    }
    s.customer = field(fields, EventField::customer);
    if (!valid_id(s.customer)) {
        return invalid(EventField::customer);
    }
    s.ip = field(fields, EventField::ip);
    s.source = field(fields, EventField::src);
    Verdict verdict = trust_verdict(programme, fields);
    if (verdict == Verdict::kRefuse) {
        return Rejection{kUntrusted, kUntrustedDetail};
    }
    if (verdict == Verdict::kHold) {
        s.state = "awaiting_approval";
    } else if (programme.hold_ms > 0) {
        s.state = "pending";
        s.due_ms = s.ts + programme.hold_ms;
    } else {
        s.state = "approved";
    }
    s.referrer_currency = reward_currency(programme.signup_referrer, programme.currency);
    s.friend_currency = reward_currency(programme.signup_friend, programme.currency);
    s.referrer_reward = reward_amount(programme.signup_referrer, 0, 0);
    s.friend_reward = reward_amount(programme.signup_friend, 0, 0);
    return s;
}

// The checks a provider's amount, currency, order and customer get, like a conversion's.
std::optional<Rejection> check_money(const Fields &fields, int64_t *amount) {
    std::string_view order = field(fields, EventField::order);
    std::string_view customer = field(fields, EventField::customer);
    if (!valid_id(order) || (!customer.empty() && !valid_id(customer))) {
        return invalid(valid_id(order) ? EventField::customer : EventField::order);
    }
    std::string_view amount_text = field(fields, EventField::amount);
    auto parsed = parse_minor_units(amount_text);
    if (!parsed) {
        return Rejection{"unparsable_amount", std::string(amount_text.substr(0, 64))};
    }
    *amount = *parsed;
    std::string_view currency = field(fields, EventField::currency);
    if (currency_exponent(currency) < 0) {
        return Rejection{"unknown_currency", std::string(currency.substr(0, 16))};
    }
    return std::nullopt;
}

Plan plan_confirm(const Fields &fields, int64_t now_ms) {
    if (auto r = require(fields, EventType::confirm)) {
        return *r;
    }
    Confirm c;
    c.ts = now_ms;
    if (!field(fields, EventField::ts).empty()) {
        if (auto r = parse_time(fields, EventField::ts, &c.ts)) {
            return *r;
        }
        c.own_ts = true;
    }
    if (auto r = check_money(fields, &c.amount)) {
        return *r;
    }
    c.site = field(fields, EventField::site);
    c.order = field(fields, EventField::order);
    c.customer = field(fields, EventField::customer);
    c.currency = field(fields, EventField::currency);
    c.coupon = field(fields, EventField::coupon);
    return c;
}

Plan plan_renewal(const Programme &programme, const Fields &fields) {
    if (auto r = require(fields, EventType::renewal)) {
        return *r;
    }
    Renewal r;
    if (auto rejection = parse_time(fields, EventField::ts, &r.ts)) {
        return *rejection;
    }
    if (auto rejection = check_money(fields, &r.amount)) {
        return *rejection;
    }
    if (programme.recurring_months == 0) {
        return Rejection{"recurring_off", "programme.recurring_months is 0"};
    }
    r.site = field(fields, EventField::site);
    r.order = field(fields, EventField::order);
    r.customer = field(fields, EventField::customer);
    r.currency = field(fields, EventField::currency);
    return r;
}

Plan plan_refund_event(const Fields &fields, EventType type, int64_t now_ms) {
    if (auto rejection = require(fields, type)) {
        return *rejection;
    }
    Refund r;
    r.site = field(fields, EventField::site);
    r.order = field(fields, EventField::order);
    r.ts = now_ms;
    if (!field(fields, EventField::ts).empty()) {
        if (auto rejection = parse_time(fields, EventField::ts, &r.ts)) {
            return *rejection;
        }
        r.own_ts = true;
    }
    std::string_view text = field(fields, EventField::amount);
    if (type == EventType::refund && !text.empty()) {
        auto amount = parse_minor_units(text);
        if (!amount || *amount == 0) {
            return Rejection{"unparsable_amount", std::string(text)};
        }
        r.amount = amount;
    }
    return r;
}

}  // namespace

std::string_view field(const Fields &fields, EventField f) {
    std::string_view name = field_name(f);
    for (const auto &[k, v] : fields) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

void set_field(Fields &fields, EventField f, std::string_view value) {
    for (auto &[name, v] : fields) {
        if (name == field_name(f)) {
            v = value;
            return;
        }
    }
    fields.emplace_back(field_name(f), value);
}

Plan plan_event(const Programme &programme, const Fields &fields, int64_t now_ms) {
    std::string_view version = field(fields, EventField::v);
    if (!version.empty() && version != kEventVersion) {
        return Rejection{"unsupported_version", std::string(version)};
    }
    // What every event needs before its type can be read.
    if (auto r = require(fields, {EventField::type, EventField::id})) {
        return *r;
    }
    if (field(fields, EventField::id).size() > kMaxIdLength) {
        return invalid(EventField::id);
    }
    std::string_view type_text = field(fields, EventField::type);
    std::optional<EventType> type = parse_event_type(type_text);
    if (type == EventType::click) {
        return plan_click(fields);
    }
    if (type == EventType::conversion) {
        return plan_conversion(programme, fields);
    }
    if (type == EventType::refund || type == EventType::cancel) {
        return plan_refund_event(fields, *type, now_ms);
    }
    if (type == EventType::confirm) {
        return plan_confirm(fields, now_ms);
    }
    if (type == EventType::renewal) {
        return plan_renewal(programme, fields);
    }
    if (type == EventType::signup) {
        return plan_signup(programme, fields);
    }
    return Rejection{"unknown_type", std::string(type_text)};
}

}  // namespace referral::rewardd
