// The pre-keyed states are OpenSSL's low-level SHA256_CTX, copied by assignment. With EVP,
// every EVP_MD_CTX_copy_ex frees the destination's provider context (with a cleanse) and
// allocates a new one: two copies per HMAC cost four malloc/free pairs, about a third of the
// time for a token-sized message. The low-level functions are deprecated in OpenSSL 3.0 but
// present in every 3.x and run the same SHA-256 code (SHA-NI where the CPU has it).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "hmac.h"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace referral {
namespace {

constexpr size_t kBlockSize = 64;

}  // namespace

struct HmacSha256::State {
    SHA256_CTX inner;
    SHA256_CTX outer;

    State() = default;
    State(const State &) = delete;
    State &operator=(const State &) = delete;
    ~State() { OPENSSL_cleanse(this, sizeof(*this)); }
};

HmacSha256::HmacSha256(std::string_view key) : state_(new State) {
    uint8_t block[kBlockSize] = {};
    if (key.size() > kBlockSize) {
        SHA256(reinterpret_cast<const uint8_t *>(key.data()), key.size(), block);
    } else if (!key.empty()) {
        std::memcpy(block, key.data(), key.size());
    }
    uint8_t pad[kBlockSize];
    for (size_t i = 0; i < kBlockSize; ++i) {
        pad[i] = block[i] ^ 0x36;
    }
    SHA256_Init(&state_->inner);
    SHA256_Update(&state_->inner, pad, kBlockSize);
    for (size_t i = 0; i < kBlockSize; ++i) {
        pad[i] = block[i] ^ 0x5c;
    }
    SHA256_Init(&state_->outer);
    SHA256_Update(&state_->outer, pad, kBlockSize);
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(pad, sizeof(pad));
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256 &&) noexcept = default;
HmacSha256 &HmacSha256::operator=(HmacSha256 &&) noexcept = default;

bool HmacSha256::mac(std::string_view message, Digest *out) const {
    if (state_ == nullptr) {
        return false;
    }
    uint8_t inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX ctx = state_->inner;
    SHA256_Update(&ctx, message.data(), message.size());
    SHA256_Final(inner, &ctx);
    ctx = state_->outer;
    SHA256_Update(&ctx, inner, sizeof(inner));
    // Final leaves only the digest in ctx: nothing derived from the key is left on the stack.
    SHA256_Final(out->data(), &ctx);
    return true;
}

Digest HmacSha256::mac(std::string_view message) const {
    Digest digest{};
    if (!mac(message, &digest)) {
        digest.fill(0);
    }
    return digest;
}

bool equal_constant_time(const uint8_t *a, const uint8_t *b, size_t n) {
    return CRYPTO_memcmp(a, b, n) == 0;
}

}  // namespace referral
