#include "query.h"

#include <cstring>

#include "event_schema.h"

namespace referral {
namespace {

constexpr std::string_view kUtmNames[] = {"utm_source", "utm_medium", "utm_campaign"};

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool is_referral_param(std::string_view name, const CaptureRules &rules) {
    for (const std::string &param : rules.params) {
        if (equals_ignoring_case(name, param)) {
            return true;
        }
    }
    return false;
}

int utm_index(std::string_view name) {
    for (int i = 0; i < 3; ++i) {
        if (equals_ignoring_case(name, kUtmNames[i])) {
            return i;
        }
    }
    return -1;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// One arg of a query string: the name is everything before the first '='.
struct Arg {
    std::string_view text;  // the whole arg
    std::string_view name;
    std::string_view value;
    size_t value_offset;  // in the query string, so each value has its own slice of scratch
};

// Calls f(arg) for every non-empty '&'-separated arg, in order.
template <typename F>
void for_each_arg(std::string_view args, F f) {
    size_t pos = 0;
    while (pos < args.size()) {
        size_t end = args.find('&', pos);
        if (end == std::string_view::npos) {
            end = args.size();
        }
        std::string_view arg = args.substr(pos, end - pos);
        if (!arg.empty()) {
            size_t eq = arg.find('=');
            if (eq == std::string_view::npos) {
                f(Arg{arg, arg, {}, end});
            } else {
                f(Arg{arg, arg.substr(0, eq), arg.substr(eq + 1), pos + eq + 1});
            }
        }
        pos = end + 1;
    }
}

// The decoded value, pointing into args when nothing needed decoding; false when malformed.
bool decode_value(std::string_view value, bool plus_is_space, char *scratch,
                  std::string_view *out) {
    bool plain = value.find('%') == std::string_view::npos &&
                 (!plus_is_space || value.find('+') == std::string_view::npos);
    if (plain) {
        *out = value;
        return true;
    }
    long n = percent_decode(value, plus_is_space, scratch);
    if (n < 0) {
        return false;
    }
    *out = std::string_view(scratch, static_cast<size_t>(n));
    return true;
}

}  // namespace

long percent_decode(std::string_view in, bool plus_is_space, char *out) {
    char *p = out;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (in.size() - i < 3) {
                return -1;
            }
            int hi = hex_value(in[i + 1]);
            int lo = hex_value(in[i + 2]);
            // An escaped NUL would cut the value short in every C string it later lands in.
            if (hi < 0 || lo < 0 || (hi | lo) == 0) {
                return -1;
            }
            *p++ = static_cast<char>(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            *p++ = ' ';
        } else {
            *p++ = c;
        }
    }
    return p - out;
}

void capture(std::string_view args, const CaptureRules &rules, char *scratch, Capture *out) {
    *out = Capture{};
    std::string_view *utm[] = {&out->source, &out->medium, &out->campaign};
    for_each_arg(args, [&](const Arg &arg) {
        char *buf = scratch + arg.value_offset;
        std::string_view decoded;
        if (is_referral_param(arg.name, rules)) {
            // '+' is left alone: it is not a code character, so such a value is rejected.
            if (decode_value(arg.value, false, buf, &decoded) &&
                valid_code(decoded, rules.max_code_length)) {
                if (out->code.empty()) {
                    out->code = decoded;
                }
            } else {
                ++out->rejected;
            }
            return;
        }
        if (!rules.utm) {
            return;
        }
        int i = utm_index(arg.name);
        if (i >= 0 && utm[i]->empty() && decode_value(arg.value, true, buf, &decoded) &&
            valid_utm(decoded)) {
            *utm[i] = decoded;
        }
    });
}

size_t strip_referral_args(std::string_view args, const CaptureRules &rules, char *out) {
    char *p = out;
    for_each_arg(args, [&](const Arg &arg) {
        if (is_referral_param(arg.name, rules) || utm_index(arg.name) >= 0) {
            return;
        }
        if (p != out) {
            *p++ = '&';
        }
        std::memcpy(p, arg.text.data(), arg.text.size());
        p += arg.text.size();
    });
    return p - out;
}

}  // namespace referral
