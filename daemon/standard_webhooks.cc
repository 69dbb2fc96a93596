#include "standard_webhooks.h"

#include <openssl/evp.h>

#include "hmac.h"

namespace referral::rewardd {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kMaxSignatures = 8;
constexpr size_t kMaxIdLength = 256;
constexpr size_t kMaxSecretLength = 1024;  // base64, after the prefix
// base64 of 32 bytes
constexpr size_t kSignatureLength = 44;

std::string base64(const uint8_t *data, size_t n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), data, static_cast<int>(n));
    out.resize(written < 0 ? 0 : static_cast<size_t>(written));
    return out;
}

}  // namespace

std::optional<std::string> standard_webhooks_key(std::string_view secret) {
    if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
        return std::nullopt;
    }
    std::string_view b64 = secret.substr(kSecretPrefix.size());
    if (b64.empty() || b64.size() % 4 != 0 || b64.size() > kMaxSecretLength ||
        b64.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
            std::string_view::npos) {
        return std::nullopt;
    }
    size_t padding = b64.size() - b64.find_last_not_of('=') - 1;
    if (padding > 2 || b64.find('=') < b64.size() - padding) {
        return std::nullopt;
    }
    std::string key(b64.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(key.data()),
                            reinterpret_cast<const unsigned char *>(b64.data()),
                            static_cast<int>(b64.size()));
    if (n < 0 || static_cast<size_t>(n) <= padding) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the bytes that padding stands for as zeros.
    key.resize(static_cast<size_t>(n) - padding);
    // Only the canonical spelling: stray bits in the last character would make two secrets
    // that look different the same key.
    if (base64(reinterpret_cast<const uint8_t *>(key.data()), key.size()) != b64) {
        return std::nullopt;
    }
    return key;
}

std::string standard_webhooks_sign(std::string_view key, std::string_view id, int64_t timestamp,
                                   std::string_view body) {
    std::string content(id);
    content += '.';
    content += std::to_string(timestamp);
    content += '.';
    content.append(body);
    Digest mac = HmacSha256(key).mac(content);
    return "v1," + base64(mac.data(), mac.size());
}

SignatureVerdict standard_webhooks_verify(const std::vector<std::string> &keys, std::string_view id,
                                          std::string_view timestamp, std::string_view signatures,
                                          std::string_view body, int64_t now_s,
                                          int64_t tolerance_s) {
    std::optional<int64_t> parsed_ts = parse_signature_time(timestamp);
    if (id.empty() || id.size() > kMaxIdLength || !parsed_ts) {
        return SignatureVerdict::kMalformed;
    }
    int64_t ts = *parsed_ts;
    std::vector<std::string_view> candidates;
    while (!signatures.empty() && candidates.size() < kMaxSignatures) {
        size_t space = signatures.find(' ');
        std::string_view item = signatures.substr(0, space);
        signatures =
            space == std::string_view::npos ? std::string_view{} : signatures.substr(space + 1);
        if (item.substr(0, 3) == "v1," && item.size() == 3 + kSignatureLength) {
            candidates.push_back(item.substr(3));
        }
    }
    if (candidates.empty()) {
        return SignatureVerdict::kMalformed;
    }
    bool match = false;
    for (const std::string &key : keys) {
        std::string expected = standard_webhooks_sign(key, id, ts, body).substr(3);
        for (std::string_view candidate : candidates) {
            match |= equal_constant_time(reinterpret_cast<const uint8_t *>(expected.data()),
                                         reinterpret_cast<const uint8_t *>(candidate.data()),
                                         kSignatureLength);
        }
    }
    return signature_verdict(match, ts, now_s, tolerance_s);
}

}  // namespace referral::rewardd
