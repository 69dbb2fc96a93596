// Exact arithmetic on money and rates: integers in minor units, percentages in basis points,
// every reward floored to the minor unit. No floating point anywhere near a balance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace referral::rewardd {

// Points are kept as their own currency, with no minor unit.
inline constexpr std::string_view kPointsCurrency = "PTS";

// Largest amount the Lua scripts can carry exactly (Lua numbers are doubles): 2^53 - 1.
inline constexpr int64_t kMaxAmount = (int64_t{1} << 53) - 1;

// ISO 4217 exponent of a currency, 0 for points, -1 when unknown.
int currency_exponent_or_points(std::string_view currency);

// An event's amount field: decimal digits only, in minor units, at most kMaxAmount.
std::optional<int64_t> parse_minor_units(std::string_view digits);

// "15", "2.5", "2.55" (at most two decimals) into basis points; 1_000 underscores allowed as in
// TOML. nullopt for anything else, including signs and exponents.
std::optional<int64_t> parse_basis_points(std::string_view text);

// "14d", "2s", "500ms", "1h", "30m", "2w" into milliseconds; nullopt when malformed.
std::optional<int64_t> parse_duration_ms(std::string_view text);

// floor(amount * basis_points / 10000).
int64_t percent_of(int64_t amount, int64_t basis_points);

// floor(value * numerator / denominator) without overflow; denominator > 0.
int64_t scale(int64_t value, int64_t numerator, int64_t denominator);

// Minor units as a decimal in the currency's exponent: 1250 EUR → "12.50", -5 → "-0.05".
std::string format_minor(int64_t amount, int exponent);

}  // namespace referral::rewardd
