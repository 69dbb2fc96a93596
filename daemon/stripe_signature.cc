#include "stripe_signature.h"

#include <cstdlib>

#include "hmac.h"

namespace referral::rewardd {
namespace {

constexpr size_t kHexDigits = 64;
// More v1 elements than any rollover produces are not looked at: each costs an HMAC.
constexpr size_t kMaxSignatures = 8;

bool lower_hex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string hex(const Digest &d) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : d) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string signed_payload(int64_t timestamp, std::string_view body) {
    std::string payload = std::to_string(timestamp);
    payload += '.';
    payload.append(body);
    return payload;
}

}  // namespace

std::optional<StripeSignatureHeader> parse_stripe_signature(std::string_view header) {
    StripeSignatureHeader out;
    bool have_t = false;
    while (!header.empty()) {
        size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        std::string_view name = item.substr(0, eq), value = item.substr(eq + 1);
        if (name == "t" && !have_t) {
            std::optional<int64_t> t = parse_signature_time(value);
            if (!t) {
                return std::nullopt;
            }
            out.timestamp = *t;
            have_t = true;
        } else if (name == "v1" && value.size() == kHexDigits && lower_hex(value) &&
                   out.v1.size() < kMaxSignatures) {
            out.v1.emplace_back(value);
        }
    }
    if (!have_t || out.v1.empty()) {
        return std::nullopt;
    }
    return out;
}

std::optional<int64_t> parse_signature_time(std::string_view text) {
    if (text.empty() || text.size() > 12 ||
        text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    return std::strtoll(std::string(text).c_str(), nullptr, 10);
}

SignatureVerdict signature_verdict(bool match, int64_t timestamp, int64_t now_s,
                                   int64_t tolerance_s) {
    if (!match) {
        return SignatureVerdict::kMismatch;
    }
    int64_t age = now_s - timestamp;
    return age > tolerance_s || -age > tolerance_s ? SignatureVerdict::kStale
                                                   : SignatureVerdict::kValid;
}

SignatureVerdict verify_stripe_signature(std::string_view header, std::string_view body,
                                         const std::vector<std::string> &secrets, int64_t now_s,
                                         int64_t tolerance_s) {
    std::optional<StripeSignatureHeader> parsed = parse_stripe_signature(header);
    if (!parsed) {
        return SignatureVerdict::kMalformed;
    }
    std::string payload = signed_payload(parsed->timestamp, body);
    bool match = false;
    for (const std::string &secret : secrets) {
        std::string expected = hex(HmacSha256(secret).mac(payload));
        for (const std::string &candidate : parsed->v1) {
            // Every pair is compared, so the time taken says nothing about which matched.
            match |= equal_constant_time(reinterpret_cast<const uint8_t *>(expected.data()),
                                         reinterpret_cast<const uint8_t *>(candidate.data()),
                                         kHexDigits);
        }
    }
    return signature_verdict(match, parsed->timestamp, now_s, tolerance_s);
}

std::string stripe_signature(std::string_view secret, int64_t timestamp, std::string_view body) {
    return "t=" + std::to_string(timestamp) +
           ",v1=" + hex(HmacSha256(secret).mac(signed_payload(timestamp, body)));
}

}  // namespace referral::rewardd
