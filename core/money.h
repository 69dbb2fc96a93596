// Exact decimal amounts in minor units (docs/design.md#event-schema).
#pragma once

#include <cstdint>
#include <string_view>

namespace referral {

// ISO 4217 minor-unit exponent of an alphabetic currency code (upper case, 3 letters);
// -1 when the code is not a known currency.
int currency_exponent(std::string_view code);

// ^[0-9]{1,15}(\.[0-9]{1,exponent})?$ into minor units: fewer decimals are padded, never
// rounded. Returns false for anything else (including empty).
bool parse_amount(std::string_view text, int exponent, int64_t *minor_units);

}  // namespace referral
