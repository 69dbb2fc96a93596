#include "trust.h"

namespace referral {

namespace {

bool trusted(std::string_view name) {
    for (std::string_view prefix :
         {"upstream_http_", "sent_http_", "upstream_trailer_", "upstream_cookie_"}) {
        if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) {
            return true;
        }
    }
    return false;
}

bool name_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

}  // namespace

std::string_view first_request_variable(std::string_view value) {
    for (size_t p = value.find('$'); p != std::string_view::npos; p = value.find('$', p)) {
        p++;
        if (p < value.size() && value[p] == '{') {
            p++;
        }
        size_t name = p;
        while (p < value.size() && name_char(value[p])) {
            p++;
        }
        if (p > name && !trusted(value.substr(name, p - name))) {
            return value.substr(name, p - name);
        }
    }
    return {};
}

}  // namespace referral
