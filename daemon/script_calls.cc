#include "script_calls.h"

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

ScriptCall BatchCall::to_call() const {
    ScriptCall call{Script::kBatch, {}, {}};
    size_t keys = 0, args = 0;
    for (size_t i = 0; i < count; ++i) {
        keys += events[i].keys.size();
        args += 3 + events[i].args.size();
    }
    call.keys.reserve(keys);
    call.args.reserve(args);
    for (size_t i = 0; i < count; ++i) {
        const ScriptCall &e = events[i];
        call.keys.insert(call.keys.end(), e.keys.begin(), e.keys.end());
        call.args.insert(call.args.end(), {std::string(script_name(e.script)),
                                           number(static_cast<int64_t>(e.keys.size())),
                                           number(static_cast<int64_t>(e.args.size()))});
        call.args.insert(call.args.end(), e.args.begin(), e.args.end());
    }
    return call;
}

ScriptCall EnrollCall::to_call() const {
    return ScriptCall{
        Script::kEnroll, {owner, code_of, referred_by, codes}, {customer, code, parent}};
}

}  // namespace referral::rewardd
