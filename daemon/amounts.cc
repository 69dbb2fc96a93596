#include "amounts.h"

#include "money.h"

namespace referral::rewardd {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

int currency_exponent_or_points(std::string_view currency) {
    return currency == kPointsCurrency ? 0 : currency_exponent(currency);
}

std::optional<int64_t> parse_minor_units(std::string_view digits) {
    if (digits.empty() || digits.size() > 16) {
        return std::nullopt;
    }
    int64_t v = 0;
    for (char c : digits) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        v = v * 10 + (c - '0');  // 16 digits cannot overflow int64
    }
    if (v > kMaxAmount) {
        return std::nullopt;
    }
    return v;
}

std::optional<int64_t> parse_basis_points(std::string_view text) {
    std::string plain;
    for (size_t i = 0; i < text.size(); ++i) {
        // TOML allows an underscore only between two digits.
        if (text[i] == '_' && i > 0 && i + 1 < text.size() && is_digit(text[i - 1]) &&
            is_digit(text[i + 1])) {
            continue;
        }
        plain += text[i];
    }
    int64_t bp = 0;
    // "100.00" has 3 + 1 + 2 characters; anything longer is out of range or malformed.
    if (plain.size() > 12 || !parse_amount(plain, 2, &bp)) {
        return std::nullopt;
    }
    return bp;
}

std::optional<int64_t> parse_duration_ms(std::string_view text) {
    size_t i = 0;
    int64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
        if (i >= 9) {  // keeps n * (ms per week) far from overflow
            return std::nullopt;
        }
        n = n * 10 + (text[i++] - '0');
    }
    if (i == 0) {
        return std::nullopt;
    }
    std::string_view unit = text.substr(i);
    int64_t ms;
    if (unit == "ms") {
        ms = 1;
    } else if (unit == "s") {
        ms = 1000;
    } else if (unit == "m") {
        ms = 60 * 1000;
    } else if (unit == "h") {
        ms = 3600 * 1000;
    } else if (unit == "d") {
        ms = 86400 * 1000;
    } else if (unit == "w") {
        ms = 7 * 86400 * 1000;
    } else {
        return std::nullopt;
    }
    return n * ms;
}

int64_t percent_of(int64_t amount, int64_t basis_points) {
    return scale(amount, basis_points, 10000);
}

int64_t scale(int64_t value, int64_t numerator, int64_t denominator) {
    // Operands are non-negative, so integer division is the floor.
    __int128 product = static_cast<__int128>(value) * numerator;
    return static_cast<int64_t>(product / denominator);
}

std::string format_minor(int64_t amount, int exponent) {
    std::string sign = amount < 0 ? "-" : "";
    uint64_t magnitude = amount < 0 ? -static_cast<uint64_t>(amount) : amount;
    std::string digits = std::to_string(magnitude);
    if (exponent <= 0) {
        return sign + digits;
    }
    if (digits.size() <= static_cast<size_t>(exponent)) {
        digits.insert(0, exponent + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - exponent, 1, '.');
    return sign + digits;
}

}  // namespace referral::rewardd
