#include "random_pool.h"

#include <algorithm>
#include <cstring>

#include <openssl/rand.h>

namespace referral {

bool RandomPool::take(uint8_t *out, size_t n) {
    while (n > 0) {
        if (used_ == sizeof(buf_)) {
            if (RAND_bytes(buf_, sizeof(buf_)) != 1) {
                return false;
            }
            used_ = 0;
        }
        size_t chunk = std::min(n, sizeof(buf_) - used_);
        std::memcpy(out, buf_ + used_, chunk);
        used_ += chunk;
        out += chunk;
        n -= chunk;
    }
    return true;
}

}  // namespace referral
