#include "hmac.h"

#include <cstring>
#include <new>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace referral {
namespace {

constexpr size_t kBlockSize = 64;

// One scratch context per thread, so a call copies the pre-keyed states without allocating a
// context. A plain pointer rather than an object with a destructor: a thread_local destructor
// would pin the module's shared object in nginx's master and defeat dlclose() on reload. The
// context lives as long as its thread.
EVP_MD_CTX *scratch_context() {
    thread_local EVP_MD_CTX *ctx = nullptr;
    if (ctx == nullptr) {
        ctx = EVP_MD_CTX_new();
    }
    return ctx;
}

}  // namespace

struct HmacSha256::State {
    EVP_MD_CTX *inner = EVP_MD_CTX_new();
    EVP_MD_CTX *outer = EVP_MD_CTX_new();

    State() = default;
    State(const State &) = delete;
    State &operator=(const State &) = delete;
    ~State() {
        EVP_MD_CTX_free(inner);
        EVP_MD_CTX_free(outer);
    }
};

HmacSha256::HmacSha256(std::string_view key) : state_(new State) {
    uint8_t block[kBlockSize] = {};
    bool ok = state_->inner != nullptr && state_->outer != nullptr;
    if (ok && key.size() > kBlockSize) {
        ok = EVP_Digest(key.data(), key.size(), block, nullptr, EVP_sha256(), nullptr) == 1;
    } else if (ok) {
        std::memcpy(block, key.data(), key.size());
    }
    uint8_t pad[kBlockSize];
    for (size_t i = 0; i < kBlockSize; ++i) {
        pad[i] = block[i] ^ 0x36;
    }
    ok = ok && EVP_DigestInit_ex(state_->inner, EVP_sha256(), nullptr) == 1 &&
         EVP_DigestUpdate(state_->inner, pad, kBlockSize) == 1;
    for (size_t i = 0; i < kBlockSize; ++i) {
        pad[i] = block[i] ^ 0x5c;
    }
    ok = ok && EVP_DigestInit_ex(state_->outer, EVP_sha256(), nullptr) == 1 &&
         EVP_DigestUpdate(state_->outer, pad, kBlockSize) == 1;
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(pad, sizeof(pad));
    if (!ok) {
        throw std::bad_alloc();
    }
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256 &&) noexcept = default;
HmacSha256 &HmacSha256::operator=(HmacSha256 &&) noexcept = default;

bool HmacSha256::mac(std::string_view message, Digest *out) const {
    EVP_MD_CTX *ctx = scratch_context();
    if (state_ == nullptr || ctx == nullptr) {
        return false;
    }
    uint8_t inner[32];
    return EVP_MD_CTX_copy_ex(ctx, state_->inner) == 1 &&
           EVP_DigestUpdate(ctx, message.data(), message.size()) == 1 &&
           EVP_DigestFinal_ex(ctx, inner, nullptr) == 1 &&
           EVP_MD_CTX_copy_ex(ctx, state_->outer) == 1 &&
           EVP_DigestUpdate(ctx, inner, sizeof(inner)) == 1 &&
           EVP_DigestFinal_ex(ctx, out->data(), nullptr) == 1;
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
