// Referral capture from a query string (docs/directives.md: referral_param,
// referral_code_max_length, referral_utm, referral_redirect).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace referral {

struct CaptureRules {
    std::vector<std::string> params;  // lower-case names; matched case-insensitively like $arg_
    size_t max_code_length = 64;      // 1..128
    bool utm = true;
};

struct Capture {
    std::string_view code;  // empty: nothing valid found
    std::string_view source, medium, campaign;
    unsigned rejected = 0;  // occurrences of a referral param whose value was not a valid code
};

// Scans args (the query string without '?') once. The first valid occurrence of any referral
// param wins; each utm value is taken from its first valid occurrence ('+' is a space, then
// percent-decoding; 1..64 bytes of 0x20-0x7E). scratch must hold args.size() bytes; views in
// *out point into it or into args.
void capture(std::string_view args, const CaptureRules &rules, char *scratch, Capture *out);

// The query string with every referral param and utm_source/utm_medium/utm_campaign removed,
// other args kept in their order and bytes. Writes at most args.size() bytes; returns the count.
size_t strip_referral_args(std::string_view args, const CaptureRules &rules, char *out);

// Percent-decodes into out (in.size() bytes at most); plus_is_space turns '+' into ' '.
// Returns -1 for a malformed escape ("%zz", "%4") or an escaped NUL.
long percent_decode(std::string_view in, bool plus_is_space, char *out);

}  // namespace referral
