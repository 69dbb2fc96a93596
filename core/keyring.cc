#include "keyring.h"

#include <algorithm>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace referral {
namespace {

constexpr size_t kMinKeyBytes = 32;
constexpr std::string_view kWhitespace = " \t\r\v\f";

std::string_view trim(std::string_view s) {
    size_t begin = s.find_first_not_of(kWhitespace);
    if (begin == std::string_view::npos) {
        return {};
    }
    return s.substr(begin, s.find_last_not_of(kWhitespace) - begin + 1);
}

bool valid_kid(std::string_view kid) {
    if (kid.empty() || kid.size() > kMaxKidLength) {
        return false;
    }
    for (char c : kid) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Secret bytes are wiped before their memory goes back to the allocator.
struct SecretBytes {
    std::vector<uint8_t> bytes;
    ~SecretBytes() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// The messages name the line and what to do, never the key: they end up in nginx's error log.
std::string line_error(size_t line, std::string_view what) {
    return "line " + std::to_string(line) + ": " + std::string(what);
}

}  // namespace

std::unique_ptr<Keyring> Keyring::parse(std::string_view text, std::string *error) {
    auto fail = [error](std::string message) -> std::unique_ptr<Keyring> {
        if (error != nullptr) {
            *error = std::move(message);
        }
        return nullptr;
    };
    // Editors on some systems save a byte order mark, which would otherwise spoil the first kid.
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (text.substr(0, kBom.size()) == kBom) {
        text.remove_prefix(kBom.size());
    }

    auto ring = std::make_unique<Keyring>();
    std::vector<size_t> kid_lines;
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        size_t eol = text.find('\n');
        std::string_view line = trim(text.substr(0, eol));
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }

        size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return fail(line_error(line_no,
                                   "expected kid:hex, e.g. k1: followed by the output of "
                                   "`openssl rand -hex 32`"));
        }
        std::string_view kid = trim(line.substr(0, colon));
        std::string_view hex = trim(line.substr(colon + 1));
        if (!valid_kid(kid)) {
            return fail(line_error(line_no,
                                   "key id before ':' must be 1 to 16 characters of A-Z, a-z, "
                                   "0-9, '_' or '-'"));
        }
        for (size_t i = 0; i < ring->keys_.size(); ++i) {
            if (ring->keys_[i].kid == kid) {
                return fail(line_error(
                    line_no, "duplicate key id \"" + std::string(kid) + "\" (first on line " +
                                 std::to_string(kid_lines[i]) + "): give every key its own id"));
            }
        }
        for (char c : hex) {
            if (hex_value(c) < 0) {
                return fail(line_error(line_no,
                                       "key after ':' must be hexadecimal digits only "
                                       "(0-9, a-f)"));
            }
        }
        if (hex.size() % 2 != 0) {
            return fail(
                line_error(line_no, "key has an odd number of hex digits: each byte takes two"));
        }
        if (hex.size() < 2 * kMinKeyBytes) {
            return fail(line_error(line_no,
                                   "key shorter than 32 bytes (64 hex characters); generate one "
                                   "with `openssl rand -hex 32`"));
        }

        SecretBytes secret;
        secret.bytes.resize(hex.size() / 2);
        for (size_t i = 0; i < secret.bytes.size(); ++i) {
            secret.bytes[i] =
                static_cast<uint8_t>(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
        }
        // A placeholder left in the file (all zeros, "ffff...") is a key anyone can guess.
        if (std::all_of(secret.bytes.begin(), secret.bytes.end(),
                        [&secret](uint8_t b) { return b == secret.bytes.front(); })) {
            return fail(line_error(line_no,
                                   "key is one byte repeated (a placeholder, not a secret); "
                                   "generate one with `openssl rand -hex 32`"));
        }
        // The one-shot HMAC keeps config-time work off HmacSha256's per-thread context, so
        // nginx's master never creates one.
        auto derive = [&secret](std::string_view label, SecretBytes *out) {
            out->bytes.resize(32);
            return HMAC(EVP_sha256(), secret.bytes.data(), static_cast<int>(secret.bytes.size()),
                        reinterpret_cast<const unsigned char *>(label.data()), label.size(),
                        out->bytes.data(), nullptr) != nullptr;
        };
        SecretBytes ip_key, spool_key;
        if (!derive("ip-v1", &ip_key) || !derive("spool-v1", &spool_key)) {
            return fail(line_error(line_no, "OpenSSL could not compute HMAC-SHA256"));
        }
        auto view = [](const SecretBytes &b) {
            return std::string_view(reinterpret_cast<const char *>(b.bytes.data()), b.bytes.size());
        };
        SipHash64 ip_hash(view(ip_key));
        if (!ip_hash.valid()) {
            return fail(line_error(line_no,
                                   "OpenSSL offers no SipHash (EVP_MAC \"SIPHASH\"), which the "
                                   "ip and ua digests of events need: is only the FIPS provider "
                                   "loaded?"));
        }
        ring->keys_.push_back(Key{std::string(kid), HmacSha256(view(secret)), std::move(ip_hash),
                                  HmacSha256(view(spool_key))});
        kid_lines.push_back(line_no);
    }
    if (ring->keys_.empty()) {
        return fail(
            "no keys: add a line kid:hex, e.g. k1: followed by the output of "
            "`openssl rand -hex 32`");
    }
    return ring;
}

const Key *Keyring::find(std::string_view kid) const {
    for (const Key &key : keys_) {
        if (key.kid == kid) {
            return &key;
        }
    }
    return nullptr;
}

}  // namespace referral
