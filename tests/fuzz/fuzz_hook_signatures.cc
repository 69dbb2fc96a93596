// Signature headers as anyone can send them to /hooks/: the first input line is the header (a
// Stripe-Signature, or webhook-id, webhook-timestamp and webhook-signature separated by tabs),
// the rest the body. Nothing verifies unless signed with the key, and parsing never fails.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "standard_webhooks.h"
#include "stripe_signature.h"

namespace {

using namespace referral::rewardd;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    size_t nl = input.find('\n');
    std::string_view header = input.substr(0, nl);
    std::string_view body = nl == std::string_view::npos ? "" : input.substr(nl + 1);

    if (auto parsed = parse_stripe_signature(header)) {
        check(!parsed->v1.empty() && parsed->timestamp >= 0);
        for (const std::string &v1 : parsed->v1) {
            check(v1.size() == 64);
        }
    }
    SignatureVerdict stripe =
        verify_stripe_signature(header, body, {"whsec_fuzz"}, 1700000000, 300);
    // A forgery would need HMAC-SHA256 broken: a match is the input's own signature.
    if (stripe == SignatureVerdict::kValid) {
        std::string expected =
            stripe_signature("whsec_fuzz", parse_stripe_signature(header)->timestamp, body);
        check(header.find(expected.substr(expected.find("v1="))) != std::string_view::npos);
    }

    size_t tab1 = header.find('\t');
    size_t tab2 = tab1 == std::string_view::npos ? tab1 : header.find('\t', tab1 + 1);
    if (tab2 != std::string_view::npos) {
        std::string_view id = header.substr(0, tab1);
        std::string_view ts = header.substr(tab1 + 1, tab2 - tab1 - 1);
        std::string_view sig = header.substr(tab2 + 1);
        standard_webhooks_verify({"fuzz-key"}, id, ts, sig, body, 1700000000, 300);
    }
    return 0;
}
