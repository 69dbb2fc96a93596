#include "token.h"

#include <cstring>

#include "base64url.h"

namespace referral {
namespace {

constexpr char kSeparator = '\x1f';
constexpr size_t kFields = 6;
constexpr size_t kTagBytes = 16;
constexpr size_t kTagLength = 22;        // b64url of 16 bytes
constexpr size_t kMaxIssuedDigits = 19;  // INT64_MAX has 19 digits
constexpr size_t kMaxPayload =
    kMaxCodeLength + kMaxIssuedDigits + kClickIdLength + 3 * kMaxUtmLength + kFields - 1;
// Clocks of the nodes that share a key may disagree a little; more than this is a forgery.
constexpr int64_t kMaxClockSkew = 300;

static_assert(b64url_encoded_size(kMaxPayload) + 2 + kMaxKidLength + 2 + kTagLength <=
                  kMaxTokenLength,
              "kMaxTokenLength is too small");

// memcpy from an empty view's null data() would be undefined.
char *append(char *p, std::string_view s) {
    if (!s.empty()) {
        std::memcpy(p, s.data(), s.size());
    }
    return p + s.size();
}

// Canonical decimal: digits only, no leading zero except "0" itself, so that one issue time
// has one token.
bool parse_issued(std::string_view s, int64_t *out) {
    if (s.empty() || s.size() > kMaxIssuedDigits || (s[0] == '0' && s.size() > 1)) {
        return false;
    }
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) {
            return false;
        }
    }
    *out = v;
    return true;
}

bool valid_click_id(std::string_view s) {
    uint8_t bytes[b64url_decoded_max(kClickIdLength)];
    return s.size() == kClickIdLength && b64url_decode(s, bytes) == kClickIdBytes;
}

bool valid_optional_utm(std::string_view s) {
    return s.empty() || valid_utm(s);
}

}  // namespace

size_t sign_token(const Key &key, const Attribution &a, char *out) {
    // The limits below are what the output buffer is sized for; anything larger is refused
    // rather than written past its end.
    if (key.kid.empty() || key.kid.size() > kMaxKidLength || a.code.size() > kMaxCodeLength ||
        a.issued < 0 || a.click_id.size() != kClickIdLength || a.source.size() > kMaxUtmLength ||
        a.medium.size() > kMaxUtmLength || a.campaign.size() > kMaxUtmLength) {
        return 0;
    }
    char payload[kMaxPayload];
    char digits[kMaxIssuedDigits];
    size_t ndigits = 0;
    for (int64_t v = a.issued; ndigits == 0 || v != 0; v /= 10) {
        digits[kMaxIssuedDigits - ++ndigits] = static_cast<char>('0' + v % 10);
    }
    char *p = payload;
    p = append(p, a.code);
    *p++ = kSeparator;
    p = append(p, std::string_view(digits + kMaxIssuedDigits - ndigits, ndigits));
    *p++ = kSeparator;
    p = append(p, a.click_id);
    *p++ = kSeparator;
    p = append(p, a.source);
    *p++ = kSeparator;
    p = append(p, a.medium);
    *p++ = kSeparator;
    p = append(p, a.campaign);

    char *t = out;
    t = append(t, "1.");
    t = append(t, key.kid);
    *t++ = '.';
    t += b64url_encode(reinterpret_cast<const uint8_t *>(payload), p - payload, t);
    Digest tag;
    if (!key.mac.mac(std::string_view(out, t - out), &tag)) {
        return 0;
    }
    *t++ = '.';
    t += b64url_encode(tag.data(), kTagBytes, t);
    return t - out;
}

TokenStatus verify_token(const Keyring &keys, std::string_view token, int64_t now, int64_t max_age,
                         char *scratch, Attribution *out) {
    if (token.size() > kMaxTokenLength || token.substr(0, 2) != "1.") {
        return TokenStatus::invalid;
    }
    size_t kid_end = token.find('.', 2);
    size_t tag_dot = token.rfind('.');
    if (kid_end == std::string_view::npos || tag_dot <= kid_end) {
        return TokenStatus::invalid;
    }
    const Key *key = keys.find(token.substr(2, kid_end - 2));
    if (key == nullptr) {
        return TokenStatus::invalid;
    }

    std::string_view payload_b64 = token.substr(kid_end + 1, tag_dot - kid_end - 1);
    std::string_view tag_b64 = token.substr(tag_dot + 1);
    uint8_t tag[b64url_decoded_max(kTagLength)];
    if (tag_b64.size() != kTagLength || b64url_decode(tag_b64, tag) != kTagBytes) {
        return TokenStatus::invalid;
    }
    auto *payload_bytes = reinterpret_cast<uint8_t *>(scratch);
    long payload_size = b64url_decode(payload_b64, payload_bytes);
    if (payload_size < 0) {
        return TokenStatus::invalid;
    }
    Digest expected;
    if (!key->mac.mac(token.substr(0, tag_dot), &expected) ||
        !equal_constant_time(expected.data(), tag, kTagBytes)) {
        return TokenStatus::invalid;
    }

    // Authentic, but the signer may be older or newer code: the payload is still checked.
    std::string_view payload(scratch, static_cast<size_t>(payload_size));
    std::string_view fields[kFields];
    size_t nfields = 0;
    for (;;) {
        size_t sep = payload.find(kSeparator);
        if (nfields == kFields) {
            return TokenStatus::invalid;
        }
        fields[nfields++] = payload.substr(0, sep);
        if (sep == std::string_view::npos) {
            break;
        }
        payload.remove_prefix(sep + 1);
    }
    int64_t issued = 0;
    if (nfields != kFields || !valid_code(fields[0], kMaxCodeLength) ||
        !parse_issued(fields[1], &issued) || !valid_click_id(fields[2]) ||
        !valid_optional_utm(fields[3]) || !valid_optional_utm(fields[4]) ||
        !valid_optional_utm(fields[5])) {
        return TokenStatus::invalid;
    }
    // 128-bit sums: no clock or max_age a caller passes can overflow them.
    using Wide = __int128;
    if (Wide{issued} > Wide{now} + kMaxClockSkew) {
        return TokenStatus::invalid;
    }
    out->code = fields[0];
    out->issued = issued;
    out->click_id = fields[2];
    out->source = fields[3];
    out->medium = fields[4];
    out->campaign = fields[5];
    return Wide{issued} + max_age <= now ? TokenStatus::expired : TokenStatus::valid;
}

}  // namespace referral
