// Applier's plan for a purchase that came without a referral cookie or coupon: the customer's
// binding to a referrer (docs/rewards.md, Signups and bound customers) attributes it.
#include <spdlog/spdlog.h>

#include "amounts.h"
#include "applier.h"

namespace referral::rewardd {

Plan Applier::plan_bound_purchase(Redis &redis, const BoundPurchase &p, Fields &fields,
                                  std::string &code, std::string &ts, int64_t now_ms) const {
    // A binding is never overwritten, so what is read here still holds when the script runs.
    std::string customer(p.customer);
    redis.append({"HGET", keys_.referred_by(), customer});
    redis.append({"HGET", keys_.bound_at(), customer});
    redis.append({"HGET", keys_.first_conversion(), customer});
    Reply replies[3];
    for (Reply &r : replies) {
        r = redis.read_reply();
        if (is_error(r.get())) {
            throw std::runtime_error("HGET: " + std::string(text(r.get())));
        }
    }
    if (replies[0]->type != REDIS_REPLY_STRING) {
        return Rejection{"not_referred", customer};
    }
    code = text(replies[0].get());
    // Bound by a signup (bound_at), or by the purchase that first named the customer with this
    // code; a binding from `enroll --parent` has no time and attributes no purchase.
    std::optional<int64_t> since;
    if (replies[1]->type == REDIS_REPLY_STRING) {
        since = parse_minor_units(text(replies[1].get()));
    } else if (replies[2]->type == REDIS_REPLY_STRING) {
        std::string_view record = text(replies[2].get());  // "<code> <ts>"
        size_t space = record.find(' ');
        if (space != std::string_view::npos && record.substr(0, space) == code) {
            since = parse_minor_units(record.substr(space + 1));
        }
    }
    if (!since) {
        return Rejection{"not_referred", customer};
    }
    const Programme &programme = config_.programme;
    if (p.ts - *since > programme.customer_window_ms) {
        return Rejection{"customer_window", "bound to " + code + " at " + std::to_string(*since)};
    }
    ts = std::to_string(p.ts);
    set_field(fields, EventField::code, code);
    // The binding stands in for the click: customer_window, not the click's window, applies.
    set_field(fields, EventField::first_ts, ts);
    Plan plan = plan_event(programme, fields, now_ms);
    if (auto *conversion = std::get_if<Conversion>(&plan)) {
        conversion->bound = true;
    } else if (!std::holds_alternative<Rejection>(plan)) {
        return Rejection{"internal_error", ""};
    }
    return plan;
}

ScriptCall Applier::bound_purchase_call(Redis &redis, std::string_view entry,
                                        std::string_view event_id, const BoundPurchase &p,
                                        const Fields &event_fields, int64_t now_ms) const {
    Fields fields = event_fields;
    std::string code, ts;
    Plan plan = plan_bound_purchase(redis, p, fields, code, ts, now_ms);
    if (const auto *rejection = std::get_if<Rejection>(&plan)) {
        return reject_call(entry, event_id, *rejection, p.ts, p.ts);
    }
    Conversion &conversion = std::get<Conversion>(plan);
    spdlog::debug("entry {}: purchase of bound customer {} for code {}", entry, p.customer, code);
    if (conversion.held) {
        return hold_call(entry, event_id, conversion);
    }
    return conversion_call(entry, event_id, conversion).to_call();
}

}  // namespace referral::rewardd
