// A QR code as inline SVG (libqrencode), for a referrer to print their link.
#pragma once

#include <string>
#include <string_view>

namespace referral::rewardd {

// The SVG of text as a QR code (error correction level M, quiet zone of 4 modules), or "" when
// the text does not fit in one.
std::string qr_svg(std::string_view text, std::string_view title);

}  // namespace referral::rewardd
