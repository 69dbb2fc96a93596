// Standard Webhooks signing of outgoing notifications (docs/rewards.md, Webhooks): the secret is
// "whsec_" + base64 of the key, and webhook-signature is "v1," + base64 of
// HMAC-SHA256(key, id + "." + timestamp + "." + body).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace referral::rewardd {

// The key of a "whsec_<base64>" secret; nullopt when the line is not one (or the key is empty).
std::optional<std::string> decode_webhook_secret(std::string_view line);

// "v1,<base64 signature>".
std::string sign_webhook(const std::string &key, std::string_view id, int64_t timestamp,
                         std::string_view body);

}  // namespace referral::rewardd
