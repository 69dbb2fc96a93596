// What a verified message of a payment provider or shop asks of the books, before Redis is
// consulted: one event for the stream (docs/design.md#event-schema, types confirm, refund,
// cancel, renewal), or nothing and why.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event_schema.h"

namespace referral::rewardd {

struct HookMessage {
    // Why nothing is written ("" = an event is); answered with 200 all the same, so the sender
    // does not retry what will never change.
    std::string ignored;
    std::string id;  // the event's id and the message's idempotency key: "stripe:evt_..."
    EventType type = EventType::confirm;
    // site, order, amount, currency, customer, coupon, ts: as the sender gave them; the
    // daemon's parser judges them like any event's
    std::vector<std::pair<std::string, std::string>> fields;
    // Stripe: charges and disputes name a payment intent, which a completed checkout linked to
    // its order.
    std::string payment;      // the payment intent linked (confirm) or looked up (refunds)
    bool find_order = false;  // the order is the one linked to `payment`
    std::optional<std::string> refunded_total;  // charge.refunded: cumulative, minor units
};

}  // namespace referral::rewardd
