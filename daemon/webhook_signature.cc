#include "webhook_signature.h"

#include <openssl/evp.h>

#include "hmac.h"

namespace referral::rewardd {
namespace {

constexpr std::string_view kPrefix = "whsec_";

std::string base64(const uint8_t *data, size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), data,
                            static_cast<int>(size));
    out.resize(n);
    return out;
}

}  // namespace

std::optional<std::string> decode_webhook_secret(std::string_view line) {
    if (line.substr(0, kPrefix.size()) != kPrefix) {
        return std::nullopt;
    }
    std::string_view text = line.substr(kPrefix.size());
    if (text.empty() || text.size() % 4 != 0 ||
        text.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
            std::string_view::npos) {
        return std::nullopt;
    }
    size_t padding = text.size() - text.find_last_not_of('=') - 1;
    if (padding > 2 || text.find('=') < text.size() - padding) {
        return std::nullopt;
    }
    std::string key(3 * text.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(key.data()),
                            reinterpret_cast<const unsigned char *>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0 || static_cast<size_t>(n) <= padding) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the bytes the padding stands for.
    key.resize(static_cast<size_t>(n) - padding);
    // Only the canonical spelling: stray bits in the last character would make two secrets
    // that look different the same key.
    if (base64(reinterpret_cast<const uint8_t *>(key.data()), key.size()) != text) {
        return std::nullopt;
    }
    return key;
}

std::string sign_webhook(const std::string &key, std::string_view id, int64_t timestamp,
                         std::string_view body) {
    std::string message;
    message.reserve(id.size() + body.size() + 24);
    message.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    Digest digest = HmacSha256(key).mac(message);
    return "v1," + base64(digest.data(), digest.size());
}

}  // namespace referral::rewardd
