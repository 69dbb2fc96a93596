// Cookie token v1 (docs/design.md#cookie-token-v1):
//   1.<kid>.<b64url(payload)>.<b64url(tag)>
//   payload = code \x1f issued \x1f click_id \x1f utm_source \x1f utm_medium \x1f utm_campaign
//   tag     = HMAC-SHA256(key[kid], everything before the last dot)[0..16)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "event_schema.h"
#include "keyring.h"

namespace referral {

constexpr size_t kClickIdBytes = 16;
constexpr size_t kClickIdLength = 22;  // b64url of 16 bytes
// Upper bound of a signed token: "1." kid(16) "." b64url(payload) "." tag(22).
constexpr size_t kMaxTokenLength =
    2 + 16 + 1 + (((kMaxCodeLength + 20 + kClickIdLength + 3 * kMaxUtmLength + 5) * 4 + 2) / 3) +
    1 + 22;

struct Attribution {
    std::string_view code;      // [A-Za-z0-9_.-]{1,128}
    int64_t issued = 0;         // unix seconds
    std::string_view click_id;  // 22 chars, b64url of 16 bytes
    std::string_view source;    // utm values: empty or 1..64 bytes of 0x20-0x7E
    std::string_view medium;
    std::string_view campaign;
};

enum class TokenStatus { valid, invalid, expired };

// Writes the token to out (at least kMaxTokenLength bytes); returns its length.
// The attribution must be valid (the caller validated code, click id and utm values); 0 when
// a field is longer than its limit, issued is negative, or OpenSSL fails (out of memory).
size_t sign_token(const Key &key, const Attribution &a, char *out);

// Verifies a cookie value. scratch must hold token.size() bytes; on valid/expired, *out's views
// point into scratch. expired: issued + max_age <= now. A token issued more than 5 minutes in
// the future is invalid.
TokenStatus verify_token(const Keyring &keys, std::string_view token, int64_t now, int64_t max_age,
                         char *scratch, Attribution *out);

}  // namespace referral
