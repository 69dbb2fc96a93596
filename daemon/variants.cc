#include "variants.h"

#include <openssl/sha.h>

namespace referral::rewardd {

int64_t share_bucket(std::string_view code) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(code.data()), code.size(), digest);
    uint64_t head = 0;
    for (int i = 0; i < 8; ++i) {
        head = (head << 8) | digest[i];
    }
    return static_cast<int64_t>(head % kShareBuckets);
}

const Variant *variant_of(const std::vector<Variant> &variants, std::string_view code) {
    if (variants.empty()) {
        return nullptr;
    }
    int64_t bucket = share_bucket(code);
    int64_t upto = 0;
    for (const Variant &v : variants) {
        upto += v.share_bp;
        if (bucket < upto) {
            return &v;
        }
    }
    // Shares sum to 100% (load_config checks), so only a hand-built list gets here.
    return &variants.back();
}

}  // namespace referral::rewardd
