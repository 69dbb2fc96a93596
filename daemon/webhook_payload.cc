#include "webhook_payload.h"

#include <openssl/sha.h>

#include <ctime>

#include <nlohmann/json.hpp>

namespace referral::rewardd {
namespace {

std::string get(const LedgerFields &entry, const char *name) {
    auto it = entry.find(name);
    return it == entry.end() ? std::string() : it->second;
}

nlohmann::json or_null(const std::string &value) {
    return value.empty() ? nlohmann::json() : nlohmann::json(value);
}

// Ledger numbers are digits the scripts wrote; anything else is no number.
nlohmann::json integer_or_null(const std::string &value) {
    if (value.empty() || value.size() > 18 ||
        value.find_first_not_of("0123456789") != std::string::npos) {
        return nlohmann::json();
    }
    return std::stoll(value);
}

// An amount is at least 1: a free order's conversion has none to tell.
nlohmann::json amount_or_null(const std::string &value) {
    nlohmann::json n = integer_or_null(value);
    return n.is_number() && n.get<int64_t>() > 0 ? n : nlohmann::json();
}

// "1700000000123-0" → "2023-11-14T22:13:20.123Z".
std::string iso8601(std::string_view entry_id) {
    int64_t ms =
        std::strtoll(std::string(entry_id.substr(0, entry_id.find('-'))).c_str(), nullptr, 10);
    time_t seconds = static_cast<time_t>(ms / 1000);
    struct tm tm {};
    gmtime_r(&seconds, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace

const std::vector<std::string> &webhook_event_types() {
    static const std::vector<std::string> types = {"reward.pending",  "reward.approved",
                                                   "reward.reversed", "payout.created",
                                                   "conversion.held", "conversion.rejected"};
    return types;
}

std::optional<std::string> webhook_type(const LedgerFields &entry) {
    std::string kind = get(entry, "kind");
    if (kind == "reward") {
        return get(entry, "to") == "approved" ? "reward.approved" : "reward.pending";
    }
    if (kind == "approved") {
        return "reward.approved";
    }
    if (kind == "reversal") {
        return "reward.reversed";
    }
    if (kind == "payout") {
        return "payout.created";
    }
    if (kind == "held") {
        return "conversion.held";
    }
    if (kind == "rejected") {
        return "conversion.rejected";
    }
    return std::nullopt;
}

std::string webhook_body(std::string_view entry_id, const std::string &type,
                         const LedgerFields &entry, const std::string &customer) {
    std::string account = get(entry, "account");
    std::string code = get(entry, "code");
    std::string beneficiary = customer;
    if (account.rfind("code:", 0) == 0) {
        code = account.substr(5);
    } else if (account.rfind("customer:", 0) == 0) {
        beneficiary = account.substr(9);
    } else if (account.empty()) {
        beneficiary = get(entry, "customer");  // a conversion's own entry: the buyer
    }
    std::string state;
    if (type == "reward.pending" || type == "conversion.held") {
        state = "pending";
    } else if (type == "reward.approved") {
        state = "approved";
    } else if (type == "payout.created") {
        state = "paid";
    } else if (type == "reward.reversed") {
        state = "reversed";
    }
    nlohmann::json data = {
        {"code", or_null(code)},
        {"customer", or_null(beneficiary)},
        {"level", integer_or_null(get(entry, "level"))},
        {"amount", amount_or_null(get(entry, "amount"))},
        {"currency", or_null(get(entry, "currency"))},
        {"order", or_null(get(entry, "order"))},
        {"site", or_null(get(entry, "site"))},
        {"state", or_null(state)},
        {"reason", or_null(get(entry, "reason"))},
    };
    for (const char *optional : {"batch", "variant"}) {
        if (entry.count(optional)) {
            data[optional] = get(entry, optional);
        }
    }
    nlohmann::json body = {
        {"type", type}, {"id", entry_id}, {"timestamp", iso8601(entry_id)}, {"data", data}};
    return body.dump();
}

std::string webhook_receiver_id(const std::string &url) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(url.data()), url.size(), digest);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string webhook_message_id(std::string_view receiver, std::string_view entry_id) {
    return "msg_" + std::string(receiver) + "_" + std::string(entry_id);
}

std::optional<WebhookUrl> parse_webhook_url(const std::string &url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) {
        return std::nullopt;
    }
    std::string scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    size_t host_begin = scheme_end + 3;
    size_t host_end = url.find_first_of("/?#", host_begin);
    std::string authority = url.substr(host_begin, host_end - host_begin);
    if (authority.empty() || authority.find_first_of("@ \t\r\n") != std::string::npos ||
        authority[0] == ':' || url.find('#') != std::string::npos) {
        return std::nullopt;
    }
    for (char c : url) {
        if (c <= ' ' || c > '~') {
            return std::nullopt;
        }
    }
    WebhookUrl out;
    out.origin = scheme + "://" + authority;
    out.target = host_end == std::string::npos ? "/" : url.substr(host_end);
    if (out.target[0] == '?') {
        out.target = "/" + out.target;
    }
    return out;
}

}  // namespace referral::rewardd
