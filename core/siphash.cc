#include "siphash.h"

#include <utility>

#include <openssl/core_names.h>
#include <openssl/evp.h>

namespace referral {

SipHash64::SipHash64(std::string_view key) {
    if (key.size() < kKeySize) {
        return;
    }
    EVP_MAC *mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    if (mac == nullptr) {
        return;
    }
    ctx_ = EVP_MAC_CTX_new(mac);
    // The context holds its own reference.
    EVP_MAC_free(mac);
    // SipHash's output size takes part in its key schedule: 8 selects SipHash-2-4-64.
    size_t size = sizeof(Tag);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                           OSSL_PARAM_construct_end()};
    if (ctx_ != nullptr && EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char *>(key.data()),
                                        kKeySize, params) != 1) {
        EVP_MAC_CTX_free(ctx_);
        ctx_ = nullptr;
    }
}

SipHash64::~SipHash64() {
    if (ctx_ != nullptr) {
        // OpenSSL 3.0's SipHash frees its context without cleansing it, and the keyed state gives
        // the key back: key it with zeros first.
        static constexpr unsigned char kZeros[kKeySize] = {};
        EVP_MAC_init(ctx_, kZeros, sizeof(kZeros), nullptr);
        EVP_MAC_CTX_free(ctx_);
    }
}

SipHash64::SipHash64(SipHash64 &&other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

SipHash64 &SipHash64::operator=(SipHash64 &&other) noexcept {
    std::swap(ctx_, other.ctx_);
    return *this;
}

bool SipHash64::mac(std::string_view message, Tag *out) const {
    size_t len = 0;
    return ctx_ != nullptr && EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char *>(message.data()),
                          message.size()) == 1 &&
           EVP_MAC_final(ctx_, out->data(), &len, out->size()) == 1 && len == out->size();
}

}  // namespace referral
