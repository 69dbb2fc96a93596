#include "applier.h"

#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "amounts.h"
#include "variants.h"

namespace referral::rewardd {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::string_view mode_name(RefundPlan::Mode mode) {
    return mode == RefundPlan::Mode::kEarly     ? "early"
           : mode == RefundPlan::Mode::kReverse ? "reverse"
                                                : "complete";
}

}  // namespace

std::optional<int64_t> Applier::own_time(std::string_view ts_field) {
    return parse_minor_units(ts_field);
}

EventHeader Applier::header(std::string_view entry, std::string_view event_id, int64_t ts_ms,
                            std::optional<int64_t> seen_ts) const {
    // Events without an id cannot be told apart by it; their stream entry id stands in.
    std::string id = event_id.empty() ? "entry:" + std::string(entry) : std::string(event_id);
    return EventHeader{keys_.events(),
                       keys_.ledger(),
                       keys_.rejected(),
                       seen_ts ? keys_.seen_in_hour(*seen_ts) : keys_.seen(id),
                       keys_.daily(ts_ms),
                       config_.daemon.group,
                       std::string(entry),
                       config_.daemon.event_ttl_ms,
                       config_.daemon.rejected_maxlen,
                       config_.daemon.daily_ttl_ms,
                       seen_ts ? std::move(id) : std::string()};
}

std::variant<ScriptCall, Refund, Confirm, Renewal, BoundPurchase> Applier::prepare(
    std::string_view entry, const Fields &fields, int64_t now_ms) const {
    std::string_view id = field(fields, EventField::id);
    Plan plan = plan_event(config_.programme, fields, now_ms);
    if (auto *c = std::get_if<Click>(&plan)) {
        spdlog::debug("entry {}: click for code {}", entry, c->code);
        return click_call(entry, id, *c);
    }
    if (auto *c = std::get_if<Conversion>(&plan)) {
        spdlog::debug(
            "entry {}: conversion of order {} at {} for code {}, {} {} {}, rewards referrer {} {} "
            "friend {} {}",
            entry, c->order, c->site, c->code, c->amount, c->currency, c->state,
            fmt::join(c->referrer_rewards, "/"), c->referrer_currency, c->friend_reward,
            c->friend_currency);
        if (c->held) {
            spdlog::debug("entry {}: trust=request, held for approval", entry);
            return hold_call(entry, id, *c);
        }
        return conversion_call(entry, id, *c).to_call();
    }
    if (auto *r = std::get_if<Refund>(&plan)) {
        spdlog::debug("entry {}: refund of order {} at {}, amount {}", entry, r->order, r->site,
                      r->amount ? std::to_string(*r->amount) : "all");
        return *r;
    }
    if (auto *c = std::get_if<Confirm>(&plan)) {
        return *c;
    }
    if (auto *r = std::get_if<Renewal>(&plan)) {
        return *r;
    }
    if (auto *p = std::get_if<BoundPurchase>(&plan)) {
        return *p;
    }
    if (auto *s = std::get_if<Signup>(&plan)) {
        spdlog::debug("entry {}: signup of customer {} for code {}, {}", entry, s->customer,
                      s->code, s->state);
        return signup_call(entry, id, *s);
    }
    const Rejection &rejection = std::get<Rejection>(plan);
    spdlog::debug("entry {}: rejected before any script: {} ({})", entry, rejection.reason,
                  rejection.detail);
    return reject_call(entry, id, rejection, now_ms, own_time(field(fields, EventField::ts)));
}

ScriptCall Applier::reject_call(std::string_view entry, std::string_view event_id,
                                const Rejection &rejection, int64_t now_ms,
                                std::optional<int64_t> seen_ts) const {
    RejectCall call;
    call.header =
        header(entry, event_id, rejection.conversion ? rejection.conversion->ts : now_ms, seen_ts);
    call.reason = rejection.reason;
    call.detail = rejection.detail;
    if (const std::optional<Conversion> &c = rejection.conversion) {
        call.event_id = event_id;
        call.site = c->site;
        call.order = c->order;
        call.code = c->code;
        call.customer = c->customer;
        call.amount = std::to_string(c->amount);
        call.currency = c->currency;
        call.ts = std::to_string(c->ts);
    }
    return call.to_call();
}

ScriptCall Applier::drop_held_call(std::string_view site, std::string_view order,
                                   std::string_view id, const std::string &reason,
                                   const std::string &detail) const {
    DropHeldCall call;
    call.held = keys_.held(site, order);
    call.held_expiry = keys_.held_expiry();
    call.rejected = keys_.rejected();
    call.ledger = keys_.ledger();
    call.id = id;
    call.reason = reason;
    call.detail = detail;
    call.rejected_maxlen = config_.daemon.rejected_maxlen;
    return call.to_call();
}

ScriptCall Applier::click_call(std::string_view entry, std::string_view id, const Click &c) const {
    ClickCall call;
    call.header = header(entry, id, c.ts);
    call.owner = keys_.owner();
    call.stats = keys_.stats(c.code);
    call.codes = keys_.codes();
    call.ip_clicks = keys_.clicks_in_hour(c.ts);
    call.code = c.code;
    call.ip = c.ip;
    call.source = c.source;
    call.open_enrolment = config_.programme.open_enrolment;
    call.clicks_per_ip = config_.limits.clicks_per_ip_per_hour;
    call.hour_ttl_ms = 2 * kHourMs;
    return call.to_call();
}

ScriptCall Applier::signup_call(std::string_view entry, std::string_view id,
                                const Signup &s) const {
    const Programme &p = config_.programme;
    const Limits &l = config_.limits;
    SignupCall call;
    call.header = header(entry, id, s.ts);
    call.owner = keys_.owner();
    call.code_of = keys_.code_of();
    call.referred_by = keys_.referred_by();
    call.bound_at = keys_.bound_at();
    call.stats = keys_.stats(s.code);
    call.codes = keys_.codes();
    call.ip_signups = keys_.signups_in_hour(s.ts);
    call.code_signups = keys_.signups_on_day(s.ts);
    call.month_rewards = keys_.rewards_in_month(s.ts);
    call.due = keys_.due();
    call.currencies = keys_.currencies();
    call.referrer_balance = keys_.balance(s.referrer_currency);
    call.friend_balance = keys_.balance(s.friend_currency);
    call.order = std::string(kSignupOrderPrefix) + std::string(s.customer);
    call.order_key = keys_.order(s.site, call.order);
    call.event_id = id;
    call.site = s.site;
    call.code = s.code;
    call.customer = s.customer;
    call.ip = s.ip;
    call.source = s.source;
    call.ts = s.ts;
    call.state = s.state;
    call.due_ms = s.due_ms;
    call.order_ttl_ms = config_.daemon.order_ttl_ms;
    call.open_enrolment = p.open_enrolment;
    call.ip_limit = l.signups_per_ip_per_hour;
    call.hour_ttl_ms = 2 * kHourMs;
    call.code_limit = l.signups_per_referrer_per_day;
    call.day_ttl_ms = 2 * kDayMs;
    // The cap is in [referrer]'s unit: it bounds a signup reward paid in the same one.
    bool points = p.signup_referrer.kind == RewardKind::kPoints;
    if (points == (p.referrer.kind == RewardKind::kPoints)) {
        call.monthly_cap = l.reward_cap_per_referrer_per_month;
    }
    call.month_ttl_ms = 62 * kDayMs;
    call.referrer_currency = s.referrer_currency;
    call.referrer_reward = s.referrer_reward;
    call.friend_currency = s.friend_currency;
    call.friend_reward = s.friend_reward;
    // Signup rewards are the programme's in every variant; their cost is counted in it.
    if (const Variant *v = variant_of(p.variants, s.code)) {
        call.variant = v->name;
    }
    return call.to_call();
}

ConversionCall Applier::conversion_call(std::string_view entry, std::string_view id,
                                        const Conversion &c) const {
    const Programme &p = config_.programme;
    const Limits &l = config_.limits;
    ConversionCall call;
    call.header = header(entry, id, c.ts);
    call.order_key = keys_.order(c.site, c.order);
    call.owner = keys_.owner();
    call.code_of = keys_.code_of();
    call.referred_by = keys_.referred_by();
    call.stats = keys_.stats(c.code);
    call.codes = keys_.codes();
    call.buyers = keys_.buyers();
    call.day_conversions = keys_.conversions_on_day(c.ts);
    call.month_rewards = keys_.rewards_in_month(c.ts);
    call.due = keys_.due();
    call.currencies = keys_.currencies();
    call.referrer_balance = keys_.balance(c.referrer_currency);
    call.friend_balance = keys_.balance(c.friend_currency);
    call.held = keys_.held(c.site, c.order);
    call.held_expiry = keys_.held_expiry();
    call.first_conversion = keys_.first_conversion();
    call.event_id = id;
    call.site = c.site;
    call.order = c.order;
    call.code = c.code;
    call.customer = c.customer;
    call.amount = c.amount;
    call.currency = c.currency;
    call.ts = c.ts;
    call.state = c.state;
    call.due_ms = c.due_ms;
    call.order_ttl_ms = config_.daemon.order_ttl_ms;
    call.open_enrolment = p.open_enrolment;
    call.first_purchase_only = p.first_purchase_only;
    call.bound_first_purchase = c.bound && p.pay_on == PayOn::kFirstPurchase;
    call.daily_limit = l.conversions_per_referrer_per_day;
    call.day_ttl_ms = 2 * kDayMs;
    call.monthly_cap = l.reward_cap_per_referrer_per_month;
    call.month_ttl_ms = 62 * kDayMs;
    call.referrer_currency = c.referrer_currency;
    call.friend_currency = c.friend_currency;
    call.friend_reward = c.friend_reward;
    call.referrer_rewards = c.referrer_rewards;
    call.source = c.source;
    call.variant = c.variant;
    return call;
}

ScriptCall Applier::approval_call(std::string_view entry, std::string_view event_id,
                                  const Conversion &c) const {
    ConversionCall call = conversion_call(entry, event_id, c);
    // The held event's own seen key was set when it was held; the approval is an application
    // of its own.
    call.header.seen_id = "approval:" + std::string(event_id);
    call.approval = true;
    return call.to_call();
}

ScriptCall Applier::hold_call(std::string_view entry, std::string_view id,
                              const Conversion &c) const {
    HoldCall call;
    call.header = header(entry, id, c.ts);
    call.order_key = keys_.order(c.site, c.order);
    call.held = keys_.held(c.site, c.order);
    call.held_expiry = keys_.held_expiry();
    call.owner = keys_.owner();
    call.confirmed = keys_.confirmed(c.site, c.order);
    call.event_id = id;
    call.site = c.site;
    call.order = c.order;
    call.code = c.code;
    call.customer = c.customer;
    call.amount = c.amount;
    call.currency = c.currency;
    call.ts = c.ts;
    call.first_ts = c.first_ts;
    call.bound = c.bound;
    call.open_enrolment = config_.programme.open_enrolment;
    call.held_ttl_ms = config_.programme.held_ttl_ms;
    return call.to_call();
}

OrderRecord Applier::read_order(Redis &redis, const Refund &refund) const {
    Reply r = redis.command({"HGETALL", keys_.order(refund.site, refund.order)});
    OrderRecord order;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        return order;
    }
    std::vector<std::pair<size_t, std::string_view>> records;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]);
        std::string_view value = text(r->element[i + 1]);
        if (name == "version") {
            order.version = value;
        } else if (name == "id") {
            order.converted = true;
        } else if (name == "state") {
            order.fully_refunded = value == "refunded";
        } else if (name == "amount") {
            order.amount = integer(r->element[i + 1]);
        } else if (name == "refunded") {
            order.refunded = integer(r->element[i + 1]);
        } else if (name == "early_refund") {
            order.early_refund = value;
        } else if (name == "code") {
            order.code = value;
        } else if (name.size() > 1 && name[0] == 'r' &&
                   name.find_first_not_of("0123456789", 1) == std::string_view::npos) {
            records.emplace_back(std::strtoul(std::string(name.substr(1)).c_str(), nullptr, 10),
                                 value);
        }
    }
    // "r<i>" = "<account> <currency> <amount> <party> <level>", i from 1 (scripts/common.lua).
    order.rewards.resize(records.size());
    order.currencies.resize(records.size());
    for (const auto &[i, record] : records) {
        std::istringstream parts{std::string(record)};
        std::string account, currency, amount;
        parts >> account >> currency >> amount;
        if (i >= 1 && i <= records.size()) {
            order.currencies[i - 1] = currency;
            order.rewards[i - 1] = parse_minor_units(amount).value_or(0);
        }
    }
    return order;
}

ScriptCall Applier::refund_call(std::string_view entry, std::string_view event_id,
                                const Refund &refund, const OrderRecord &order) const {
    RefundPlan plan = plan_refund(order, refund.amount);
    spdlog::debug("entry {}: refund of order {} planned as {} against version {}", entry,
                  refund.order, mode_name(plan.mode), order.version);
    RefundCall call;
    call.header =
        header(entry, event_id, refund.ts, refund.own_ts ? std::optional(refund.ts) : std::nullopt);
    call.order_key = keys_.order(refund.site, refund.order);
    call.due = keys_.due();
    call.version = order.version;
    call.mode = mode_name(plan.mode);
    call.total = plan.total;
    call.amount = plan.amount;
    call.ts = refund.ts;
    call.remember_ttl_ms = config_.daemon.event_ttl_ms;
    if (plan.mode == RefundPlan::Mode::kReverse) {
        call.stats = keys_.stats(order.code);
        for (size_t i = 0; i < plan.reversals.size(); ++i) {
            call.balances.push_back(keys_.balance(order.currencies[i]));
        }
        call.reversals = plan.reversals;
    }
    return call.to_call();
}

}  // namespace referral::rewardd
