// A [[webhook]]'s url and the first line of its secret_file: either refused, or taken apart into
// pieces that hold what they must (an origin cpp-httplib can connect to, a target starting with
// '/'; a key that encodes back to the secret).
#include <openssl/evp.h>

#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "standard_webhooks.h"
#include "webhook_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    if (auto url = referral::rewardd::parse_webhook_url(text)) {
        check(url->origin.rfind("http://", 0) == 0 || url->origin.rfind("https://", 0) == 0);
        check(!url->target.empty() && url->target[0] == '/');
        check(url->origin.find_first_of("/?#@", url->origin.find("://") + 3) == std::string::npos);
    }
    if (auto key = referral::rewardd::standard_webhooks_key(text)) {
        check(!key->empty());
        std::string encoded(4 * ((key->size() + 2) / 3), '\0');
        EVP_EncodeBlock(reinterpret_cast<unsigned char *>(encoded.data()),
                        reinterpret_cast<const unsigned char *>(key->data()),
                        static_cast<int>(key->size()));
        check("whsec_" + encoded == text);
    }
    return 0;
}
