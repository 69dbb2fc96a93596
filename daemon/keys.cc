#include "keys.h"

#include <openssl/sha.h>

#include <ctime>

namespace referral::rewardd {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

std::string utc(int64_t ts_ms, const char *format) {
    time_t seconds = static_cast<time_t>(ts_ms / 1000);
    struct tm tm {};
    gmtime_r(&seconds, &tm);
    char buf[32];
    size_t n = strftime(buf, sizeof(buf), format, &tm);
    return std::string(buf, n);
}

}  // namespace

Keys::Keys(std::string prefix)
    : prefix_(std::move(prefix)),
      events_(key("events")),
      ledger_(key("ledger")),
      rejected_(key("rejected")),
      owner_(key("owner")),
      code_of_(key("code_of")),
      referred_by_(key("referred_by")),
      codes_(key("codes")),
      buyers_(key("buyers")),
      currencies_(key("currencies")),
      due_(key("due")),
      held_expiry_(key("held_expiry")),
      first_conversion_(key("first_conversion")),
      bound_at_(key("bound_at")) {}

std::string Keys::key(std::string_view name, std::string_view suffix) const {
    std::string k;
    k.reserve(prefix_.size() + 1 + name.size() + suffix.size());
    k.append(prefix_).append(":").append(name).append(suffix);
    return k;
}

std::string Keys::order(std::string_view site, std::string_view order_id) const {
    return per_order("order:", site, order_id);
}

std::string Keys::held(std::string_view site, std::string_view order_id) const {
    return per_order("held:", site, order_id);
}

std::string Keys::confirmed(std::string_view site, std::string_view order_id) const {
    return per_order("confirmed:", site, order_id);
}

std::string Keys::per_order(std::string_view name, std::string_view site,
                            std::string_view order_id) const {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(order_id.data()), order_id.size(), digest);
    static const char hex[] = "0123456789abcdef";
    std::string k = key(name, site);
    k.reserve(k.size() + 1 + 2 * sizeof(digest));
    k += ':';
    for (unsigned char b : digest) {
        k += hex[b >> 4];
        k += hex[b & 15];
    }
    return k;
}

std::string Keys::seen_in_hour(int64_t ts_ms) const {
    // Hours since the epoch: the name only has to be the same on every replay of the event.
    return key("seen_hour:", std::to_string(ts_ms / kHourMs));
}

std::string Keys::clicks_in_hour(int64_t ts_ms) const {
    return key("limit:clicks:", utc(ts_ms, "%Y%m%d%H"));
}

std::string Keys::conversions_on_day(int64_t ts_ms) const {
    return key("limit:conversions:", utc(ts_ms, "%Y%m%d"));
}

std::string Keys::signups_in_hour(int64_t ts_ms) const {
    return key("limit:signups_ip:", utc(ts_ms, "%Y%m%d%H"));
}

std::string Keys::signups_on_day(int64_t ts_ms) const {
    return key("limit:signups:", utc(ts_ms, "%Y%m%d"));
}

std::string Keys::daily(int64_t ts_ms) const {
    return key("daily:", utc(ts_ms, "%Y%m%d"));
}

std::string Keys::rewards_in_month(int64_t ts_ms) const {
    return key("limit:rewards:", utc(ts_ms, "%Y%m"));
}

}  // namespace referral::rewardd
