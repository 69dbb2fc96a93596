#include "money.h"

#include <algorithm>
#include <iterator>

namespace referral {
namespace {

struct Currency {
    char code[4];
    int8_t exponent;
};

// ISO 4217 list one: every code with a minor unit, including funds codes (BOV, CLF, ...) and
// codes still in their withdrawal period. Codes without a minor unit (XAU, XDR, XXX, ...) are
// not money a shop charges and are unknown here. Sorted for binary search.
constexpr Currency kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
    {"ZWL", 2},
};

constexpr bool sorted_and_unique() {
    for (size_t i = 1; i < std::size(kCurrencies); ++i) {
        if (!(std::string_view(kCurrencies[i - 1].code) < std::string_view(kCurrencies[i].code))) {
            return false;
        }
    }
    return true;
}
static_assert(sorted_and_unique(), "kCurrencies must stay sorted for the binary search");

constexpr size_t kMaxIntegerDigits = 15;

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

int currency_exponent(std::string_view code) {
    if (code.size() != 3) {
        return -1;
    }
    auto it = std::lower_bound(
        std::begin(kCurrencies), std::end(kCurrencies), code,
        [](const Currency &c, std::string_view key) { return std::string_view(c.code) < key; });
    if (it == std::end(kCurrencies) || std::string_view(it->code) != code) {
        return -1;
    }
    return it->exponent;
}

bool parse_amount(std::string_view text, int exponent, int64_t *minor_units) {
    if (exponent < 0) {
        return false;
    }
    size_t dot = text.find('.');
    std::string_view integer = text.substr(0, dot);
    std::string_view fraction;
    if (dot != std::string_view::npos) {
        fraction = text.substr(dot + 1);
        // "10." and "10.5" in JPY are mistakes to report, not amounts to guess at.
        if (fraction.empty() || fraction.size() > static_cast<size_t>(exponent) ||
            !all_digits(fraction)) {
            return false;
        }
    }
    if (integer.empty() || integer.size() > kMaxIntegerDigits || !all_digits(integer)) {
        return false;
    }
    int64_t v = 0;
    for (char c : integer) {
        v = v * 10 + (c - '0');  // at most 15 digits: cannot overflow
    }
    // Pad the fraction with zeros to the exponent; with 4 decimals (CLF) 15 integer digits
    // can exceed int64.
    for (int i = 0; i < exponent; ++i) {
        int digit = static_cast<size_t>(i) < fraction.size() ? fraction[i] - '0' : 0;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v)) {
            return false;
        }
    }
    *minor_units = v;
    return true;
}

}  // namespace referral
