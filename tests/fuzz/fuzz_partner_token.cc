// The path of a partner page, /p/<token>, as anyone may send it: only a token signed with the
// secret, unexpired and naming a valid code is accepted, and it names the code it was made for.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "event_schema.h"
#include "partner_token.h"

namespace {

constexpr std::string_view kSecret = "fuzzing secret of sixteen bytes or more";
constexpr int64_t kNow = 1800000000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    using referral::rewardd::make_partner_token;
    using referral::rewardd::verify_partner_token;
    if (auto code = verify_partner_token(kSecret, input, kNow)) {
        check(referral::valid_code(*code));
        check(!verify_partner_token("another secret, as long as the first", input, kNow));
    }
    // Any valid code signs into a token that verifies to it until it expires, and not after.
    if (referral::valid_code(input)) {
        std::string token = make_partner_token(kSecret, input, kNow + 60);
        check(verify_partner_token(kSecret, token, kNow) == std::string(input));
        check(!verify_partner_token(kSecret, token, kNow + 60));
    }
    return 0;
}
