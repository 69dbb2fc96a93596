#include "resp.h"

#include <charconv>
#include <cstring>

namespace referral::resp {

namespace {

size_t digits(size_t n) {
    size_t d = 1;
    for (; n >= 10; n /= 10) {
        d++;
    }
    return d;
}

char *put_header(char *p, char type, size_t n) {
    *p++ = type;
    p = std::to_chars(p, p + 20, n).ptr;
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

}  // namespace

void append_command(std::string *out, const std::string_view *argv, size_t argc) {
    size_t size = 3 + digits(argc);
    for (size_t i = 0; i < argc; i++) {
        size += 5 + digits(argv[i].size()) + argv[i].size();
    }
    size_t at = out->size();
    out->resize(at + size);

    char *p = put_header(out->data() + at, '*', argc);
    for (size_t i = 0; i < argc; i++) {
        p = put_header(p, '$', argv[i].size());
        std::memcpy(p, argv[i].data(), argv[i].size());
        p += argv[i].size();
        *p++ = '\r';
        *p++ = '\n';
    }
}

}  // namespace referral::resp
