#include "base64url.h"

#include <array>

namespace referral {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> make_decode_table() {
    std::array<uint8_t, 256> table{};
    for (auto &v : table) {
        v = kInvalid;
    }
    for (uint8_t i = 0; i < 64; ++i) {
        table[static_cast<uint8_t>(kAlphabet[i])] = i;
    }
    return table;
}

constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

}  // namespace

size_t b64url_encode(const uint8_t *in, size_t n, char *out) {
    char *p = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
        *p++ = kAlphabet[v >> 18];
        *p++ = kAlphabet[(v >> 12) & 63];
        *p++ = kAlphabet[(v >> 6) & 63];
        *p++ = kAlphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = uint32_t{in[i]} << 16;
        *p++ = kAlphabet[v >> 18];
        *p++ = kAlphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8;
        *p++ = kAlphabet[v >> 18];
        *p++ = kAlphabet[(v >> 12) & 63];
        *p++ = kAlphabet[(v >> 6) & 63];
    }
    return static_cast<size_t>(p - out);
}

std::string b64url_encode(std::string_view in) {
    std::string out(b64url_encoded_size(in.size()), '\0');
    b64url_encode(reinterpret_cast<const uint8_t *>(in.data()), in.size(), out.data());
    return out;
}

long b64url_decode(std::string_view in, uint8_t *out) {
    if (in.size() % 4 == 1) {
        return -1;
    }
    uint8_t *p = out;
    size_t i = 0;
    for (; i + 4 <= in.size(); i += 4) {
        uint8_t a = kDecode[static_cast<uint8_t>(in[i])];
        uint8_t b = kDecode[static_cast<uint8_t>(in[i + 1])];
        uint8_t c = kDecode[static_cast<uint8_t>(in[i + 2])];
        uint8_t d = kDecode[static_cast<uint8_t>(in[i + 3])];
        // Valid sextets are below 64; kInvalid has the top bits set.
        if (((a | b | c | d) & 0xc0) != 0) {
            return -1;
        }
        uint32_t v = uint32_t{a} << 18 | uint32_t{b} << 12 | uint32_t{c} << 6 | d;
        *p++ = static_cast<uint8_t>(v >> 16);
        *p++ = static_cast<uint8_t>(v >> 8);
        *p++ = static_cast<uint8_t>(v);
    }
    size_t tail = in.size() - i;
    if (tail == 0) {
        return p - out;
    }
    uint8_t a = kDecode[static_cast<uint8_t>(in[i])];
    uint8_t b = kDecode[static_cast<uint8_t>(in[i + 1])];
    uint8_t c = tail == 3 ? kDecode[static_cast<uint8_t>(in[i + 2])] : 0;
    if (((a | b | c) & 0xc0) != 0) {
        return -1;
    }
    // The bits past the last whole byte must be zero, or two encodings would decode alike.
    if (tail == 2 ? (b & 0x0f) != 0 : (c & 0x03) != 0) {
        return -1;
    }
    *p++ = static_cast<uint8_t>(a << 2 | b >> 4);
    if (tail == 3) {
        *p++ = static_cast<uint8_t>(b << 4 | c >> 2);
    }
    return p - out;
}

}  // namespace referral
