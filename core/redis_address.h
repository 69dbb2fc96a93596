// Node addresses in Redis replies: a Sentinel's answer to get-master-addr-by-name and a Redis
// Cluster's MOVED and ASK errors. Both the module and the daemon follow them; the module takes
// only IPs (it resolves nothing at run time), the daemon hands the host to hiredis.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace referral::redis {

// A decimal TCP port, 1 to 65535, nothing else.
std::optional<uint16_t> parse_port(std::string_view text);

struct Redirection {
    std::string_view host;  // within the parsed text; never empty
    uint16_t port = 0;
    bool asking = false;  // ASK: this command only, after ASKING
};

// "MOVED <slot> <host>:<port>" or "ASK <slot> <host>:<port>" (an IPv6 host unbracketed, as
// Redis writes it); nothing for other errors, or when the host is unknown ("" or "?").
std::optional<Redirection> parse_redirection(std::string_view error);

}  // namespace referral::redis
