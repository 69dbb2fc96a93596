#include "partner_token.h"

#include <array>

#include "base64url.h"
#include "event_schema.h"
#include "hmac.h"

namespace referral::rewardd {
namespace {

constexpr size_t kExpiry = 8;
constexpr size_t kMac = 32;
constexpr size_t kMaxPayload = kExpiry + kMaxCodeLength + kMac;

// The secret may serve other uses later: tokens are signed under a key of their own.
HmacSha256 token_key(std::string_view secret) {
    HmacSha256 derive(secret);
    Digest key = derive.mac("referral-rewardd partner page v1");
    return HmacSha256(std::string_view(reinterpret_cast<const char *>(key.data()), key.size()));
}

}  // namespace

std::string make_partner_token(std::string_view secret, std::string_view code, int64_t expires_s) {
    std::string payload(kExpiry, '\0');
    uint64_t e = static_cast<uint64_t>(expires_s);
    for (size_t i = 0; i < kExpiry; ++i) {
        payload[kExpiry - 1 - i] = static_cast<char>(e >> (8 * i));
    }
    payload += code;
    Digest mac = token_key(secret).mac(payload);
    payload.append(reinterpret_cast<const char *>(mac.data()), mac.size());
    return b64url_encode(payload);
}

std::optional<std::string> verify_partner_token(std::string_view secret, std::string_view token,
                                                int64_t now_s) {
    if (token.size() > b64url_encoded_size(kMaxPayload)) {
        return std::nullopt;
    }
    std::array<uint8_t, b64url_decoded_max(b64url_encoded_size(kMaxPayload)) + 1> bytes{};
    long n = b64url_decode(token, bytes.data());
    if (n < static_cast<long>(kExpiry + 1 + kMac)) {
        return std::nullopt;
    }
    size_t signed_size = static_cast<size_t>(n) - kMac;
    std::string_view payload(reinterpret_cast<const char *>(bytes.data()), signed_size);
    Digest mac = token_key(secret).mac(payload);
    if (!equal_constant_time(mac.data(), bytes.data() + signed_size, kMac)) {
        return std::nullopt;
    }
    uint64_t expires = 0;
    for (size_t i = 0; i < kExpiry; ++i) {
        expires = (expires << 8) | bytes[i];
    }
    std::string code(payload.substr(kExpiry));
    if (expires > static_cast<uint64_t>(INT64_MAX) || static_cast<int64_t>(expires) <= now_s ||
        !valid_code(code)) {
        return std::nullopt;
    }
    return code;
}

}  // namespace referral::rewardd
