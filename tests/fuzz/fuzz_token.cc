// The Cookie header as a visitor sends it: every `ref` value is verified against a fixed ring.
// Only a token that re-signs to exactly itself may be accepted (one token per attribution).
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "cookie_header.h"
#include "keyring.h"
#include "token.h"

namespace {

using referral::Attribution;
using referral::TokenStatus;

// The keys of the token-v1 test vectors, so the seed corpus holds tokens that verify.
const referral::Keyring &ring() {
    static const std::unique_ptr<referral::Keyring> keys = referral::Keyring::parse(
        "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
        "k2:8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778\n",
        nullptr);
    return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view header(reinterpret_cast<const char *>(data), size);
    referral::CookieScanner scanner(header, "ref");
    std::string_view value;
    while (scanner.next(&value)) {
        check(value.data() >= header.data() &&
              value.data() + value.size() <= header.data() + header.size());
        std::unique_ptr<char[]> scratch(new char[value.size()]);
        Attribution a;
        TokenStatus status =
            referral::verify_token(ring(), value, 1795425000, 30 * 86400, scratch.get(), &a);
        if (status == TokenStatus::invalid) {
            continue;
        }
        check(referral::valid_code(a.code, referral::kMaxCodeLength));
        check(a.click_id.size() == referral::kClickIdLength);
        size_t kid_end = value.find('.', 2);
        const referral::Key *key = ring().find(value.substr(2, kid_end - 2));
        check(key != nullptr);
        char resigned[referral::kMaxTokenLength];
        size_t n = referral::sign_token(*key, a, resigned);
        check(std::string_view(resigned, n) == value);
    }
    return 0;
}
