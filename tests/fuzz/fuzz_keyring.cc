// The secret file: whatever an operator writes, parsing ends with a ring or a message, and a
// message never repeats a key (no long run of hex digits).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "keyring.h"

namespace {

// A kid may be 16 hex digits; a key is at least 64.
size_t longest_hex_run(const std::string &s) {
    size_t longest = 0, run = 0;
    for (char c : s) {
        run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    std::string error;
    auto keys = referral::Keyring::parse(text, &error);
    if (keys) {
        check(keys->size() >= 1 && error.empty());
        check(keys->find(keys->signer().kid) == &keys->signer());
    } else {
        check(!error.empty());
        check(longest_hex_run(error) <= 16);
    }
    return 0;
}
