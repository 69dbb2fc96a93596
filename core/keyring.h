// The key file of referral_secret_file (docs/directives.md): one key a line, `kid:hex`. The
// first line signs, all verify.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hmac.h"
#include "siphash.h"

namespace referral {

constexpr size_t kMaxKidLength = 16;

struct Key {
    std::string kid;
    HmacSha256 mac;  // HMAC keyed with the secret
    // SipHash-2-4 keyed with the first 16 bytes of HMAC(secret, "ip-v1"): the `ip` and `ua`
    // digests of events.
    SipHash64 ip_hash;
    HmacSha256 spool_mac;  // HMAC keyed with HMAC(secret, "spool-v1"): spool records
};

class Keyring {
  public:
    // Parses the file's text. Blank lines and lines starting with '#' are skipped; surrounding
    // whitespace is trimmed. A key of one repeated byte (all zeros) is refused. On failure returns
    // nullptr and sets *error to a message that names the line ("line 3: key shorter than 32 bytes
    // (64 hex characters)") and never the key. Throws only std::bad_alloc.
    static std::unique_ptr<Keyring> parse(std::string_view text, std::string *error);

    const Key &signer() const { return keys_.front(); }
    const Key *find(std::string_view kid) const;
    size_t size() const { return keys_.size(); }

  private:
    std::vector<Key> keys_;
};

}  // namespace referral
