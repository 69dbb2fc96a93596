// Turns stream entries into the script calls that apply them, each call carrying every key it
// touches and the stream entry to acknowledge.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config.h"
#include "events.h"
#include "keys.h"
#include "redis_client.h"
#include "rules.h"
#include "script_calls.h"
#include "scripts.h"

namespace referral::rewardd {

class Applier {
  public:
    Applier(const Config &config, const Keys &keys) : config_(config), keys_(keys) {}

    // The call for a click, a conversion or a rejection; a refund comes back as is, to be
    // planned against its order (read_order, refund_call).
    // Confirmations and renewals come back as they are too: they are planned against what
    // the books hold for their order or customer (confirm_calls, renewal_call).
    // A purchase without a cookie or coupon comes back as is too, to be planned against the
    // customer's binding (bound_purchase_call).
    std::variant<ScriptCall, Refund, Confirm, Renewal, BoundPurchase> prepare(
        std::string_view entry, const Fields &fields, int64_t now_ms) const;

    OrderRecord read_order(Redis &redis, const Refund &refund) const;
    ScriptCall refund_call(std::string_view entry, std::string_view event_id, const Refund &refund,
                           const OrderRecord &order) const;
    // now_ms names the day counted when the rejection carries no conversion with a time. seen_ts:
    // the event's own ts (own_time()), which names the hash of its seen flag; nullopt: the event
    // has a seen key of its own. Every path of one event must pass the same.
    ScriptCall reject_call(std::string_view entry, std::string_view event_id,
                           const Rejection &rejection, int64_t now_ms,
                           std::optional<int64_t> seen_ts) const;
    // The event's own ts as its `ts` field carries it, the same on every replay; nullopt if it
    // has none the daemon can read.
    static std::optional<int64_t> own_time(std::string_view ts_field);
    // `approve`: the conversion held for its order, planned again as if trusted. entry is the
    // held event's stream entry (acknowledged long ago, acknowledging it again changes nothing).
    ScriptCall approval_call(std::string_view entry, std::string_view event_id,
                             const Conversion &c) const;
    // The conversion held for an order, by its event id, leaves the books with a reason
    // (`reject`, a refused `approve` or confirmation).
    ScriptCall drop_held_call(std::string_view site, std::string_view order, std::string_view id,
                              const std::string &reason, const std::string &detail) const;

    // A confirmation settles the conversion held for its order with the provider's amount and
    // currency, or a coupon-only purchase, or is kept until the conversion comes; the calls run
    // in order. event_fields: the confirmation's own, kept as they are.
    std::vector<ScriptCall> confirm_calls(Redis &redis, std::string_view entry,
                                          std::string_view event_id, const Confirm &c,
                                          const Fields &event_fields, int64_t now_ms) const;
    // A renewal is paid as a conversion of the code that referred the customer, while the
    // programme's recurring_months since their first conversion last.
    ScriptCall renewal_call(Redis &redis, std::string_view entry, std::string_view event_id,
                            const Renewal &r, int64_t now_ms) const;

    // A purchase of a customer a signup or an earlier purchase bound to a referrer, within the
    // programme's customer_window of the binding: a conversion of that referrer's code.
    // event_fields: the purchase's own.
    ScriptCall bound_purchase_call(Redis &redis, std::string_view entry, std::string_view event_id,
                                   const BoundPurchase &p, const Fields &event_fields,
                                   int64_t now_ms) const;
    // Its plan, for the stream and for `approve` of one held: a Rejection (not_referred,
    // customer_window, or the programme's) or a bound Conversion. fields: the purchase's own,
    // given the binding's code and first_ts; the plan views them, code and ts.
    Plan plan_bound_purchase(Redis &redis, const BoundPurchase &p, Fields &fields,
                             std::string &code, std::string &ts, int64_t now_ms) const;

  private:
    // ts_ms: the event's time, which names its per-day counters, and seen_ts as reject_call's
    // (ts_ms by default, for events whose ts is required).
    EventHeader header(std::string_view entry, std::string_view event_id, int64_t ts_ms) const {
        return header(entry, event_id, ts_ms, ts_ms);
    }
    EventHeader header(std::string_view entry, std::string_view event_id, int64_t ts_ms,
                       std::optional<int64_t> seen_ts) const;
    ScriptCall click_call(std::string_view entry, std::string_view id, const Click &c) const;
    ScriptCall signup_call(std::string_view entry, std::string_view id, const Signup &s) const;
    ConversionCall conversion_call(std::string_view entry, std::string_view id,
                                   const Conversion &c) const;
    ScriptCall hold_call(std::string_view entry, std::string_view id, const Conversion &c) const;

    const Config &config_;
    const Keys &keys_;
};

}  // namespace referral::rewardd
