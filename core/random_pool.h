// Random bytes for click and event ids, drawn from OpenSSL in bulk: RAND_bytes costs ~1.9 µs a
// call whatever the size (docs/design.md#performance-targets). One pool per worker; reset() after
// fork so no two workers ever hand out the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace referral {

class RandomPool {
  public:
    // Copies n (<= 256) random bytes to out; false only when OpenSSL cannot produce any.
    bool take(uint8_t *out, size_t n);
    void reset() { used_ = sizeof(buf_); }

  private:
    uint8_t buf_[4096];
    size_t used_ = sizeof(buf_);
};

}  // namespace referral
