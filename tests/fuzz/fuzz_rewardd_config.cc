// rewards.toml as an operator may write it: loading either succeeds or throws ConfigError
// (which names the key); no other exception, no crash.
#include <string_view>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    try {
        referral::rewardd::parse_config(text, "rewards.toml");
    } catch (const referral::rewardd::ConfigError &) {
    }
    return 0;
}
