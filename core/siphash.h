// Keyed SipHash-2-4 with a 64-bit output, through OpenSSL's EVP_MAC "SIPHASH": the `ip` and
// `ua` digests of events (docs/design.md#event-schema). They only group events, so a 64-bit
// PRF is enough, and it costs a fraction of the pre-keyed HMAC-SHA256 (bench/README.md,
// micro_hmac.cc). One context is keyed once and re-initialised per message without a key,
// which OpenSSL 3.0 answers by restoring the keyed state: no allocation, no key schedule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace referral {

class SipHash64 {
  public:
    static constexpr size_t kKeySize = 16;
    using Tag = std::array<uint8_t, 8>;

    // Uses the first kKeySize bytes of key (fewer: invalid). Invalid when OpenSSL offers no
    // SipHash (a configuration with the FIPS provider only) or is out of memory.
    explicit SipHash64(std::string_view key);
    ~SipHash64();
    SipHash64(SipHash64 &&other) noexcept;
    SipHash64 &operator=(SipHash64 &&other) noexcept;
    SipHash64(const SipHash64 &) = delete;
    SipHash64 &operator=(const SipHash64 &) = delete;

    bool valid() const { return ctx_ != nullptr; }
    // The tag as SipHash's reference implementation writes it (little-endian). The context is
    // reused: one object is not for concurrent use (an nginx worker is one thread). False
    // when invalid.
    bool mac(std::string_view message, Tag *out) const;

  private:
    EVP_MAC_CTX *ctx_ = nullptr;
};

}  // namespace referral
