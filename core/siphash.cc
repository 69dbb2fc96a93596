#include "siphash.h"

#include <cstring>
#include <utility>

#include <openssl/crypto.h>

namespace referral {
namespace {

uint64_t load_le64(const unsigned char *p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

// The last 0 to 7 bytes of a message, little-endian.
uint64_t load_tail(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        v |= uint64_t{p[i]} << (8 * i);
    }
    return v;
}

uint64_t rotl(uint64_t x, int b) {
    return x << b | x >> (64 - b);
}

struct State {
    uint64_t v0, v1, v2, v3;

    void round() {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }

    void compress(uint64_t m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace

SipHash64::SipHash64(std::string_view key) {
    if (key.size() < kKeySize) {
        return;
    }
    const auto *k = reinterpret_cast<const unsigned char *>(key.data());
    k0_ = load_le64(k);
    k1_ = load_le64(k + 8);
    valid_ = true;
}

void SipHash64::forget() {
    OPENSSL_cleanse(&k0_, sizeof(k0_));
    OPENSSL_cleanse(&k1_, sizeof(k1_));
    valid_ = false;
}

SipHash64::~SipHash64() {
    forget();
}

SipHash64::SipHash64(SipHash64 &&other) noexcept
    : k0_(other.k0_), k1_(other.k1_), valid_(other.valid_) {
    other.forget();
}

SipHash64 &SipHash64::operator=(SipHash64 &&other) noexcept {
    if (this != &other) {
        k0_ = other.k0_;
        k1_ = other.k1_;
        valid_ = other.valid_;
        other.forget();
    }
    return *this;
}

bool SipHash64::mac(std::string_view message, Tag *out) const {
    if (!valid_) {
        return false;
    }
    State s{k0_ ^ 0x736f6d6570736575ULL, k1_ ^ 0x646f72616e646f6dULL, k0_ ^ 0x6c7967656e657261ULL,
            k1_ ^ 0x7465646279746573ULL};
    const auto *p = reinterpret_cast<const unsigned char *>(message.data());
    size_t n = message.size();
    for (; n >= 8; n -= 8, p += 8) {
        s.compress(load_le64(p));
    }
    s.compress(uint64_t{message.size()} << 56 | load_tail(p, n));
    s.v2 ^= 0xff;
    s.round();
    s.round();
    s.round();
    s.round();
    uint64_t tag = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    for (size_t i = 0; i < out->size(); ++i) {
        (*out)[i] = static_cast<uint8_t>(tag >> (8 * i));
    }
    return true;
}

}  // namespace referral
