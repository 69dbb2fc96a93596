// A shop's signed postback (docs/rewards.md, Shop postbacks): {"type": "confirm" | "refund" |
// "cancel" | "renewal", "site", "order", "amount", "currency", "customer"}, the amount a decimal
// string in the currency's major units ("49.90").
#pragma once

#include <optional>
#include <string_view>

#include "hook_message.h"

namespace referral::rewardd {

// id: the webhook-id header; timestamp_s: the verified webhook-timestamp. nullopt when the body
// is not a JSON object with a type.
std::optional<HookMessage> read_shop_postback(std::string_view body, std::string_view id,
                                              int64_t timestamp_s);

}  // namespace referral::rewardd
