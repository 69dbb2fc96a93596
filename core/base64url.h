// RFC 4648 §5 base64url without padding, decoded strictly (docs/design.md#cookie-token-v1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace referral {

constexpr size_t b64url_encoded_size(size_t n) {
    return (n * 4 + 2) / 3;
}
constexpr size_t b64url_decoded_max(size_t n) {
    return n * 3 / 4;
}

// Writes b64url_encoded_size(n) characters to out; returns that count.
size_t b64url_encode(const uint8_t *in, size_t n, char *out);
std::string b64url_encode(std::string_view in);

// Strict: rejects padding, characters outside the alphabet, a length of 4k+1 and non-zero
// trailing bits, so every byte string has exactly one accepted encoding. Writes at most
// b64url_decoded_max(in.size()) bytes; returns the count, or -1 when invalid.
long b64url_decode(std::string_view in, uint8_t *out);

}  // namespace referral
