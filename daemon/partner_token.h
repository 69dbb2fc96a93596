// The token of a referrer's page, /p/<token> (docs/rewards.md, Pages): the code and an expiry,
// signed with [http] secret_file. base64url(expiry as 8 bytes big-endian, code, HMAC-SHA256 of
// both under a key derived for this use only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace referral::rewardd {

std::string make_partner_token(std::string_view secret, std::string_view code, int64_t expires_s);

// The code, when the token is well-formed, signed with secret and not expired at now_s.
// Which of those failed is not told: a forged and an expired token look the same.
std::optional<std::string> verify_partner_token(std::string_view secret, std::string_view token,
                                                int64_t now_s);

}  // namespace referral::rewardd
