// Keyed SipHash-2-4 with a 64-bit output: the `ip` and `ua` digests of events
// (docs/design.md#event-schema). They only group events, so a 64-bit PRF is enough, and it costs
// a fraction of the pre-keyed HMAC-SHA256 (bench/README.md, micro_hmac.cc). Computed here rather
// than through OpenSSL's EVP_MAC "SIPHASH": for messages this short the EVP dispatch (the
// re-initialisation, and EVP_MAC_final asking the provider for the size through OSSL_PARAMs)
// cost more than the hash itself. The unit tests hold it to the reference vectors and to
// OpenSSL's output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace referral {

class SipHash64 {
  public:
    static constexpr size_t kKeySize = 16;
    using Tag = std::array<uint8_t, 8>;

    // Uses the first kKeySize bytes of key (fewer: invalid).
    explicit SipHash64(std::string_view key);
    ~SipHash64();
    SipHash64(SipHash64 &&other) noexcept;
    SipHash64 &operator=(SipHash64 &&other) noexcept;
    SipHash64(const SipHash64 &) = delete;
    SipHash64 &operator=(const SipHash64 &) = delete;

    bool valid() const { return valid_; }
    // The tag as SipHash's reference implementation writes it (little-endian). False when
    // invalid.
    bool mac(std::string_view message, Tag *out) const;

  private:
    void forget();

    uint64_t k0_ = 0;
    uint64_t k1_ = 0;
    bool valid_ = false;
};

}  // namespace referral
