#include "script_calls.h"

#include <algorithm>

namespace referral::rewardd {
namespace {

std::string flag(bool b) {
    return b ? "1" : "0";
}

std::string number(int64_t n) {
    return std::to_string(n);
}

}  // namespace

ScriptCall EventHeader::start(Script script) const {
    return ScriptCall{script,
                      {events, ledger, rejected, seen, daily},
                      {group, entry, number(seen_ttl_ms), number(rejected_maxlen),
                       number(daily_ttl_ms), seen_id}};
}

ScriptCall ClickCall::to_call() const {
    ScriptCall call = header.start(Script::kClick);
    call.keys.insert(call.keys.end(), {owner, stats, codes, ip_clicks});
    call.args.insert(call.args.end(), {code, ip, source, flag(open_enrolment),
                                       number(clicks_per_ip), number(hour_ttl_ms)});
    return call;
}

ScriptCall ConversionCall::to_call() const {
    ScriptCall call = header.start(Script::kConversion);
    call.keys.insert(call.keys.end(),
                     {order_key, owner, code_of, referred_by, stats, codes, buyers, day_conversions,
                      month_rewards, due, currencies, referrer_balance, friend_balance, held,
                      held_expiry, first_conversion});
    call.args.insert(call.args.end(), {event_id,
                                       site,
                                       order,
                                       code,
                                       customer,
                                       number(amount),
                                       currency,
                                       number(ts),
                                       state,
                                       number(due_ms),
                                       number(order_ttl_ms),
                                       flag(open_enrolment),
                                       flag(first_purchase_only),
                                       number(daily_limit),
                                       number(day_ttl_ms),
                                       number(monthly_cap),
                                       number(month_ttl_ms),
                                       referrer_currency,
                                       friend_currency,
                                       number(friend_reward),
                                       flag(approval),
                                       flag(renewal),
                                       alias,
                                       source,
                                       flag(bound_first_purchase),
                                       variant});
    for (int64_t reward : referrer_rewards) {
        call.args.push_back(number(reward));
    }
    return call;
}

ScriptCall SignupCall::to_call() const {
    ScriptCall call = header.start(Script::kSignup);
    call.keys.insert(call.keys.end(),
                     {owner, code_of, referred_by, bound_at, stats, codes, ip_signups, code_signups,
                      month_rewards, due, currencies, referrer_balance, friend_balance, order_key});
    call.args.insert(call.args.end(), {event_id,
                                       site,
                                       code,
                                       customer,
                                       ip,
                                       source,
                                       number(ts),
                                       state,
                                       number(due_ms),
                                       number(order_ttl_ms),
                                       flag(open_enrolment),
                                       number(ip_limit),
                                       number(hour_ttl_ms),
                                       number(code_limit),
                                       number(day_ttl_ms),
                                       number(monthly_cap),
                                       number(month_ttl_ms),
                                       referrer_currency,
                                       number(referrer_reward),
                                       friend_currency,
                                       number(friend_reward),
                                       order,
                                       variant});
    return call;
}

ScriptCall HoldCall::to_call() const {
    ScriptCall call = header.start(Script::kHold);
    call.keys.insert(call.keys.end(), {order_key, held, held_expiry, owner, confirmed});
    call.args.insert(call.args.end(),
                     {event_id, site, order, code, customer, number(amount), currency, number(ts),
                      first_ts, flag(open_enrolment), number(held_ttl_ms), flag(bound)});
    return call;
}

ScriptCall RefundCall::to_call() const {
    ScriptCall call = header.start(Script::kRefund);
    call.keys.insert(call.keys.end(), {order_key, due});
    call.args.insert(call.args.end(),
                     {version, mode, total, number(amount), number(ts), number(remember_ttl_ms)});
    if (!stats.empty()) {
        call.keys.push_back(stats);
    }
    call.keys.insert(call.keys.end(), balances.begin(), balances.end());
    for (int64_t reversal : reversals) {
        call.args.push_back(number(reversal));
    }
    return call;
}

ScriptCall RejectCall::to_call() const {
    ScriptCall call = header.start(Script::kReject);
    call.args.insert(call.args.end(),
                     {reason, detail, event_id, site, order, code, customer, amount, currency, ts});
    return call;
}

ScriptCall PromoteCall::to_call() const {
    return ScriptCall{Script::kPromote, {due, ledger}, {prefix, number(batch)}};
}

ScriptCall ApproveCall::to_call() const {
    return ScriptCall{Script::kApprove, {order_key, due, ledger}, {prefix, number(hold_ms)}};
}

ScriptCall DropHeldCall::to_call() const {
    return ScriptCall{Script::kDropHeld,
                      {held, held_expiry, rejected, ledger},
                      {id, reason, detail, number(rejected_maxlen)}};
}

ScriptCall ExpireHeldCall::to_call() const {
    return ScriptCall{Script::kExpireHeld,
                      {held_expiry, rejected, ledger},
                      {number(rejected_maxlen), number(batch)}};
}

ScriptCall PayoutCall::to_call() const {
    ScriptCall call{Script::kPayout, {ledger}, {account}};
    call.keys.insert(call.keys.end(), balances.begin(), balances.end());
    call.args.insert(call.args.end(), currencies.begin(), currencies.end());
    return call;
}

ScriptCall PayoutBatchCall::to_call() const {
    ScriptCall call{Script::kPayoutBatch, {ledger, batch, payee}, {batch_id, code}};
    call.keys.insert(call.keys.end(), balances.begin(), balances.end());
    call.args.insert(call.args.end(), minimums.begin(), minimums.end());
    return call;
}

ScriptCall HookCall::to_call() const {
    ScriptCall call{
        Script::kHook,
        {events, hooked, refunded.empty() ? hooked : refunded, link.empty() ? hooked : link},
        {number(ttl_ms), number(link_ttl_ms), link_value, refunded_total}};
    for (const auto &[name, value] : fields) {
        call.args.insert(call.args.end(), {name, value});
    }
    return call;
}

ScriptCall ConfirmCall::to_call() const {
    ScriptCall call = header.start(Script::kConfirm);
    call.keys.push_back(confirmed);
    call.args.push_back(number(ttl_ms));
    for (const auto &[name, value] : fields) {
        call.args.insert(call.args.end(), {name, value});
    }
    return call;
}

BatchCall::Layout BatchCall::layout() const {
    struct Shape {
        const ScriptCall *first;
        std::vector<bool> own_keys, own_args;  // by position: not the same in every event
    };
    std::vector<Shape> shapes;
    std::vector<size_t> shape_of(count);
    for (size_t i = 0; i < count; ++i) {
        const ScriptCall &e = events[i];
        auto same_shape = [&e](const Shape &s) {
            return s.first->script == e.script && s.first->keys.size() == e.keys.size() &&
                   s.first->args.size() == e.args.size();
        };
        auto it = std::find_if(shapes.begin(), shapes.end(), same_shape);
        shape_of[i] = static_cast<size_t>(it - shapes.begin());
        if (it == shapes.end()) {
            shapes.push_back(
                Shape{&e, std::vector<bool>(e.keys.size()), std::vector<bool>(e.args.size())});
            continue;
        }
        for (size_t p = 0; p < e.keys.size(); ++p) {
            it->own_keys[p] = it->own_keys[p] || e.keys[p] != it->first->keys[p];
        }
        for (size_t p = 0; p < e.args.size(); ++p) {
            it->own_args[p] = it->own_args[p] || e.args[p] != it->first->args[p];
        }
    }

    Layout out;
    auto number_view = [&out](size_t n) -> std::string_view {
        return out.numbers.emplace_back(std::to_string(n));
    };
    auto positions = [&](const std::vector<bool> &own) {
        for (size_t p = 0; p < own.size(); ++p) {
            if (own[p]) {
                out.args.push_back(number_view(p + 1));
            }
        }
    };
    out.args.push_back(number_view(shapes.size()));
    for (const Shape &s : shapes) {
        const ScriptCall &first = *s.first;
        out.keys.insert(out.keys.end(), first.keys.begin(), first.keys.end());
        out.args.insert(out.args.end(), {script_name(first.script), number_view(first.keys.size()),
                                         number_view(first.args.size()),
                                         number_view(static_cast<size_t>(std::count(
                                             s.own_keys.begin(), s.own_keys.end(), true))),
                                         number_view(static_cast<size_t>(std::count(
                                             s.own_args.begin(), s.own_args.end(), true)))});
        positions(s.own_keys);
        positions(s.own_args);
        out.args.insert(out.args.end(), first.args.begin(), first.args.end());
    }
    for (size_t i = 0; i < count; ++i) {
        const ScriptCall &e = events[i];
        const Shape &s = shapes[shape_of[i]];
        out.args.push_back(number_view(shape_of[i] + 1));
        for (size_t p = 0; p < e.keys.size(); ++p) {
            if (s.own_keys[p]) {
                out.keys.push_back(e.keys[p]);
            }
        }
        for (size_t p = 0; p < e.args.size(); ++p) {
            if (s.own_args[p]) {
                out.args.push_back(e.args[p]);
            }
        }
    }
    return out;
}

ScriptCall EnrollCall::to_call() const {
    return ScriptCall{
        Script::kEnroll, {owner, code_of, referred_by, codes}, {customer, code, parent}};
}

}  // namespace referral::rewardd
