#include "redis_address.h"

#include <charconv>

namespace referral::redis {

std::optional<uint16_t> parse_port(std::string_view text) {
    unsigned port = 0;
    if (text.empty() || text.size() > 5 || text.front() == '+' || text.front() == '-') {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
        return std::nullopt;
    }
    return static_cast<uint16_t>(port);
}

std::optional<Redirection> parse_redirection(std::string_view error) {
    Redirection to;
    std::string_view rest;
    if (error.substr(0, 6) == "MOVED ") {
        rest = error.substr(6);
    } else if (error.substr(0, 4) == "ASK ") {
        rest = error.substr(4);
        to.asking = true;
    } else {
        return std::nullopt;
    }
    size_t space = rest.find(' ');
    if (space == 0 || space == std::string_view::npos ||
        rest.substr(0, space).find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view node = rest.substr(space + 1);
    size_t colon = node.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    to.host = node.substr(0, colon);
    std::optional<uint16_t> port = parse_port(node.substr(colon + 1));
    if (!port || to.host.empty() || to.host == "?" ||
        to.host.find_first_of(" \r\n") != std::string_view::npos) {
        return std::nullopt;
    }
    to.port = *port;
    return to;
}

}  // namespace referral::redis
