// Amounts and currencies from the shop's response: the first three bytes are the currency,
// the rest the amount. Accepted amounts are checked against a slow reference parse.
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "money.h"

namespace {

// The same grammar, decided digit by digit in 128 bits.
bool reference(std::string_view text, int exponent, __int128 *out) {
    size_t dot = text.find('.');
    std::string_view integer = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (integer.empty() || integer.size() > 15 ||
        (dot != std::string_view::npos &&
         (fraction.empty() || fraction.size() > static_cast<size_t>(exponent)))) {
        return false;
    }
    __int128 v = 0;
    for (char c : integer) {
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    for (int i = 0; i < exponent; ++i) {
        char c = static_cast<size_t>(i) < fraction.size() ? fraction[i] : '0';
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::string_view currency = input.substr(0, 3);
    std::string_view text = input.substr(currency.size());
    int e = referral::currency_exponent(currency);
    check(e >= -1 && e <= 4);
    for (int exponent : {e < 0 ? 2 : e, 0, 3, 4}) {
        int64_t minor = -1;
        bool ok = referral::parse_amount(text, exponent, &minor);
        __int128 expected = 0;
        bool expected_ok = reference(text, exponent, &expected) && expected <= INT64_MAX;
        check(ok == expected_ok);
        check(!ok || minor == expected);
    }
    return 0;
}
