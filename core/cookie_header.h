// Finding every cookie of one name in a request Cookie header (RFC 6265 §5.4 syntax, lenient
// on whitespace like browsers): a visitor may send several cookies of the same name (another
// path, a parent domain) and each must be verified.
#pragma once

#include <string_view>

namespace referral {

class CookieScanner {
  public:
    CookieScanner(std::string_view header, std::string_view name) : rest_(header), name_(name) {}

    // Yields the value of the next `name=value` pair whose name equals name exactly (surrounding
    // double quotes removed); false when there is none left.
    bool next(std::string_view *value);

  private:
    std::string_view rest_;
    std::string_view name_;
};

}  // namespace referral
