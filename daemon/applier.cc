#include "applier.h"

#include <cstdlib>
#include <sstream>

#include "amounts.h"

namespace referral::rewardd {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::string flag(bool b) {
    return b ? "1" : "0";
}

}  // namespace

ScriptCall Applier::event_call(Script script, std::string_view entry,
                               std::string_view event_id) const {
    // Events without an id cannot be told apart by it; their stream entry id stands in.
    std::string seen =
        event_id.empty() ? keys_.seen("entry:" + std::string(entry)) : keys_.seen(event_id);
    return ScriptCall{
        script,
        {keys_.events(), keys_.ledger(), keys_.rejected(), std::move(seen)},
        {config_.daemon.group, std::string(entry), std::to_string(config_.daemon.event_ttl_ms),
         std::to_string(config_.daemon.rejected_maxlen)}};
}

std::variant<ScriptCall, Refund> Applier::prepare(std::string_view entry, const Fields &fields,
                                                  int64_t now_ms) const {
    std::string_view id = field(fields, "id");
    Plan plan = plan_event(config_.programme, fields, now_ms);
    if (auto *c = std::get_if<Click>(&plan)) {
        return click_call(entry, id, *c);
    }
    if (auto *c = std::get_if<Conversion>(&plan)) {
        return conversion_call(entry, id, *c);
    }
    if (auto *r = std::get_if<Refund>(&plan)) {
        return *r;
    }
    const Rejection &rejection = std::get<Rejection>(plan);
    ScriptCall call = event_call(Script::kReject, entry, id);
    call.args.push_back(rejection.reason);
    call.args.push_back(rejection.detail);
    return call;
}

ScriptCall Applier::click_call(std::string_view entry, std::string_view id, const Click &c) const {
    ScriptCall call = event_call(Script::kClick, entry, id);
    call.keys.insert(call.keys.end(), {keys_.owner(), keys_.stats(c.code), keys_.codes(),
                                       keys_.clicks_in_hour(c.ts)});
    call.args.insert(
        call.args.end(),
        {std::string(c.code), std::string(c.ip), std::string(c.source),
         flag(config_.programme.open_enrolment),
         std::to_string(config_.limits.clicks_per_ip_per_hour), std::to_string(2 * kHourMs)});
    return call;
}

ScriptCall Applier::conversion_call(std::string_view entry, std::string_view id,
                                    const Conversion &c) const {
    const Programme &p = config_.programme;
    const Limits &l = config_.limits;
    ScriptCall call = event_call(Script::kConversion, entry, id);
    call.keys.insert(
        call.keys.end(),
        {keys_.order(c.site, c.order), keys_.owner(), keys_.code_of(), keys_.referred_by(),
         keys_.stats(c.code), keys_.codes(), keys_.buyers(), keys_.conversions_on_day(c.ts),
         keys_.rewards_in_month(c.ts), keys_.due(), keys_.currencies(),
         keys_.balance(c.referrer_currency), keys_.balance(c.friend_currency)});
    call.args.insert(call.args.end(), {std::string(id),
                                       std::string(c.site),
                                       std::string(c.order),
                                       std::string(c.code),
                                       std::string(c.customer),
                                       std::to_string(c.amount),
                                       std::string(c.currency),
                                       std::to_string(c.ts),
                                       c.state,
                                       std::to_string(c.due_ms),
                                       std::to_string(config_.daemon.order_ttl_ms),
                                       flag(p.open_enrolment),
                                       flag(p.first_purchase_only),
                                       std::to_string(l.conversions_per_referrer_per_day),
                                       std::to_string(2 * kDayMs),
                                       std::to_string(l.reward_cap_per_referrer_per_month),
                                       std::to_string(62 * kDayMs),
                                       c.referrer_currency,
                                       c.friend_currency,
                                       std::to_string(c.friend_reward)});
    for (int64_t reward : c.referrer_rewards) {
        call.args.push_back(std::to_string(reward));
    }
    return call;
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
    ScriptCall call = event_call(Script::kRefund, entry, event_id);
    call.keys.push_back(keys_.order(refund.site, refund.order));
    call.keys.push_back(keys_.due());
    const char *mode = plan.mode == RefundPlan::Mode::kEarly     ? "early"
                       : plan.mode == RefundPlan::Mode::kReverse ? "reverse"
                                                                 : "complete";
    call.args.insert(call.args.end(),
                     {order.version, mode, plan.total, std::to_string(plan.amount),
                      std::to_string(refund.ts), std::to_string(config_.daemon.event_ttl_ms)});
    if (plan.mode == RefundPlan::Mode::kReverse) {
        call.keys.push_back(keys_.stats(order.code));
        for (size_t i = 0; i < plan.reversals.size(); ++i) {
            call.keys.push_back(keys_.balance(order.currencies[i]));
            call.args.push_back(std::to_string(plan.reversals[i]));
        }
    }
    return call;
}

}  // namespace referral::rewardd
