// A verified Stripe webhook body (an Event object) read into what it asks of the books
// (docs/rewards.md, Stripe): checkout.session.completed, checkout.session.async_payment_succeeded
// and payment_intent.succeeded confirm an order; charge.refunded refunds the cumulative
// amount_refunded; charge.dispute.created reverses the order; invoice.paid with billing_reason
// subscription_cycle is a renewal. Every other type is ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "hook_message.h"

namespace referral::rewardd {

// nullopt when the body is not a JSON object with an event id and type, or a handled type
// lacks its data.object: the sender is told 400.
std::optional<HookMessage> read_stripe_event(std::string_view body, const StripeConfig &stripe);

}  // namespace referral::rewardd
