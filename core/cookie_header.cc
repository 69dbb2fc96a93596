#include "cookie_header.h"

namespace referral {
namespace {

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

bool CookieScanner::next(std::string_view *value) {
    while (!rest_.empty()) {
        size_t semi = rest_.find(';');
        std::string_view pair = rest_.substr(0, semi);
        rest_.remove_prefix(semi == std::string_view::npos ? rest_.size() : semi + 1);

        size_t eq = pair.find('=');
        if (eq == std::string_view::npos || trim_blanks(pair.substr(0, eq)) != name_) {
            continue;
        }
        std::string_view v = trim_blanks(pair.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
            v = v.substr(1, v.size() - 2);
        }
        *value = v;
        return true;
    }
    return false;
}

}  // namespace referral
