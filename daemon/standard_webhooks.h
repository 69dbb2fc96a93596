// Standard Webhooks signing (standardwebhooks.com): headers webhook-id, webhook-timestamp (unix
// seconds) and webhook-signature, a space-separated list of "v1,<base64 HMAC-SHA256(key,
// id.timestamp.body)>"; the key is the base64 after "whsec_" in the secret as shown to users.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stripe_signature.h"

namespace referral::rewardd {

// The key of a "whsec_<base64>" secret, for signing (outgoing webhooks) and verifying (the shop
// hook) alike; nullopt when the prefix is missing, the base64 is not in its canonical spelling,
// or the key is empty.
std::optional<std::string> standard_webhooks_key(std::string_view secret);

// The header value "v1,<base64>" for one message.
std::string standard_webhooks_sign(std::string_view key, std::string_view id, int64_t timestamp,
                                   std::string_view body);

// keys: decoded (standard_webhooks_key). kMalformed: an id, timestamp or signature header
// missing or not well formed; kStale: a timestamp further than tolerance_s from now_s.
SignatureVerdict standard_webhooks_verify(const std::vector<std::string> &keys, std::string_view id,
                                          std::string_view timestamp, std::string_view signatures,
                                          std::string_view body, int64_t now_s,
                                          int64_t tolerance_s);

}  // namespace referral::rewardd
