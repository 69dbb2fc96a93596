#include "micro_fixture.h"

#include <ctime>
#include <stdexcept>

namespace referral_bench {

const referral::Keyring &keyring() {
    static const std::unique_ptr<referral::Keyring> keys = [] {
        std::string error;
        auto k = referral::Keyring::parse(std::string("k1:") + kKeyHex, &error);
        if (!k) {
            throw std::runtime_error(error);
        }
        return k;
    }();
    return *keys;
}

std::string raw_key() {
    std::string key;
    for (const char *p = kKeyHex; p[0] && p[1]; p += 2) {
        key.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
    }
    return key;
}

const std::string &valid_token() {
    static const std::string token = [] {
        referral::Attribution a;
        a.code = "alice";
        a.issued = std::time(nullptr);
        a.click_id = "AAECAwQFBgcICQoLDA0ODw";
        a.source = "x";
        char out[referral::kMaxTokenLength];
        return std::string(out, referral::sign_token(keyring().signer(), a, out));
    }();
    return token;
}

}  // namespace referral_bench
