// What a webhook receiver is sent for a ledger movement (docs/rewards.md, Webhooks): the
// notification type a ledger entry maps to, the JSON body, the ids, the receiver's URL.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace referral::rewardd {

using LedgerFields = std::map<std::string, std::string>;

// reward.pending, reward.approved, reward.reversed, payout.created, conversion.held,
// conversion.rejected.
const std::vector<std::string> &webhook_event_types();

// The type a ledger entry is notified as; nullopt for a kind no type covers.
std::optional<std::string> webhook_type(const LedgerFields &entry);

// {"type", "id", "timestamp", "data": {...}}. customer: the beneficiary's customer id, "" when
// unknown (a code without owner). The timestamp is the entry id's time.
std::string webhook_body(std::string_view entry_id, const std::string &type,
                         const LedgerFields &entry, const std::string &customer);

// A receiver's id: the first 16 hex digits of SHA-256 of its URL, stable across restarts.
std::string webhook_receiver_id(const std::string &url);
// webhook-id of an entry for a receiver, the same on every retry.
std::string webhook_message_id(std::string_view receiver, std::string_view entry_id);

struct WebhookUrl {
    std::string origin;  // scheme://host[:port], as cpp-httplib's client takes it
    std::string target;  // path and query, "/" at least
};
// http:// or https:// with a host; nullopt otherwise.
std::optional<WebhookUrl> parse_webhook_url(const std::string &url);
inline bool valid_webhook_url(const std::string &url) {
    return parse_webhook_url(url).has_value();
}

}  // namespace referral::rewardd
