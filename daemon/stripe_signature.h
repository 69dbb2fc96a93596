// Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>,...` where each v1 is
// HMAC-SHA256 keyed with the endpoint's signing secret over "<t>.<raw body>" (docs/rewards.md,
// Stripe). Several v1 elements come while Stripe rolls a secret; any one may match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace referral::rewardd {

struct StripeSignatureHeader {
    int64_t timestamp = 0;        // seconds
    std::vector<std::string> v1;  // lower-case hex, 64 digits each
};

// nullopt without a t= of 1-12 digits or without any well-formed v1=; v0 and elements of
// other schemes are ignored, as Stripe's libraries do.
std::optional<StripeSignatureHeader> parse_stripe_signature(std::string_view header);

enum class SignatureVerdict { kValid, kMalformed, kStale, kMismatch };

// A signature's timestamp, as Stripe and Standard Webhooks send it: unix seconds, 1 to 12
// digits; nullopt otherwise.
std::optional<int64_t> parse_signature_time(std::string_view text);

// The verdict on a signature that did or did not match: a match further than tolerance_s from
// now_s either way is stale, so a captured request cannot be replayed later.
SignatureVerdict signature_verdict(bool match, int64_t timestamp, int64_t now_s,
                                   int64_t tolerance_s);

// secrets: whole lines as Stripe shows them ("whsec_..."), each tried as the HMAC key. A
// timestamp further than tolerance_s from now_s either way is stale, so a captured request
// cannot be replayed later.
SignatureVerdict verify_stripe_signature(std::string_view header, std::string_view body,
                                         const std::vector<std::string> &secrets, int64_t now_s,
                                         int64_t tolerance_s);

// The header Stripe would send for body at timestamp, signed with secret.
std::string stripe_signature(std::string_view secret, int64_t timestamp, std::string_view body);

}  // namespace referral::rewardd
