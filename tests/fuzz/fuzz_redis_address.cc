// Redis replies naming a node (MOVED, ASK, a Sentinel's port): whatever the text, a parsed
// redirection lies within it and names a port.
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "redis_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    if (auto to = referral::redis::parse_redirection(input)) {
        check(!to->host.empty() && to->port != 0);
        check(to->host.data() >= input.data() &&
              to->host.data() + to->host.size() <= input.data() + input.size());
    }
    if (auto port = referral::redis::parse_port(input)) {
        check(*port != 0);
    }
    return 0;
}
