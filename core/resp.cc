#include "resp.h"

#include <charconv>
#include <cstring>

namespace referral::resp {

namespace {

// Most lengths in an XADD (field names, ids, hex digests) are under 100: those take no loop.
size_t digits(size_t n) {
    if (n < 100) {
        return n < 10 ? 1 : 2;
    }
    size_t d = 1;
    for (; n >= 10; n /= 10) {
        d++;
    }
    return d;
}

char *put_header(char *p, char type, size_t n) {
    *p++ = type;
    if (n < 10) {
        *p++ = static_cast<char>('0' + n);
    } else if (n < 100) {
        *p++ = static_cast<char>('0' + n / 10);
        *p++ = static_cast<char>('0' + n % 10);
    } else {
        p = std::to_chars(p, p + 20, n).ptr;
    }
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

size_t bulk_size(std::string_view arg) {
    return 5 + digits(arg.size()) + arg.size();
}

char *put_bulk(char *p, std::string_view arg) {
    p = put_header(p, '$', arg.size());
    if (!arg.empty()) {
        std::memcpy(p, arg.data(), arg.size());
    }
    p += arg.size();
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

}  // namespace

void append_command(std::string *out, const std::string_view *argv, size_t argc) {
    size_t size = 3 + digits(argc);
    for (size_t i = 0; i < argc; i++) {
        size += bulk_size(argv[i]);
    }
    size_t at = out->size();
    out->resize(at + size);

    char *p = put_header(out->data() + at, '*', argc);
    for (size_t i = 0; i < argc; i++) {
        p = put_bulk(p, argv[i]);
    }
}

void append_command(std::string *out, std::initializer_list<std::string_view> head,
                    const Pairs &pairs) {
    size_t argc = head.size() + 2 * pairs.size();
    size_t size = 3 + digits(argc);
    for (std::string_view arg : head) {
        size += bulk_size(arg);
    }
    for (const auto &[name, value] : pairs) {
        size += bulk_size(name) + bulk_size(value);
    }
    size_t at = out->size();
    out->resize(at + size);

    char *p = put_header(out->data() + at, '*', argc);
    for (std::string_view arg : head) {
        p = put_bulk(p, arg);
    }
    for (const auto &[name, value] : pairs) {
        p = put_bulk(put_bulk(p, name), value);
    }
}

size_t bulk_string_size(std::string_view in) {
    // Longer lengths are no entry id: hiredis reads them.
    constexpr size_t kMaxDigits = 6;
    if (in.size() < 4 || in[0] != '$') {
        return 0;
    }
    size_t n = 0, i = 1;
    for (; i < in.size() && i <= kMaxDigits && in[i] >= '0' && in[i] <= '9'; i++) {
        n = n * 10 + static_cast<size_t>(in[i] - '0');
    }
    // No digits, or a leading zero hiredis might read otherwise.
    if (i == 1 || (in[1] == '0' && i > 2) || i + 1 >= in.size() || in[i] != '\r' ||
        in[i + 1] != '\n') {
        return 0;
    }
    size_t end = i + 2 + n;
    if (in.size() < end + 2 || in[end] != '\r' || in[end + 1] != '\n') {
        return 0;
    }
    return end + 2;
}

}  // namespace referral::resp
