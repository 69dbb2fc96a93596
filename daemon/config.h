// rewards.toml: the shop's programme and how the daemon reaches Redis (docs/rewards.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace referral::rewardd {

// A configuration mistake; what() names the file and the key.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class RewardKind { kNone, kPercent, kFixed, kPoints };

struct Reward {
    RewardKind kind = RewardKind::kNone;
    std::vector<int64_t> basis_points;  // kPercent: level 1, 2, ...
    int64_t value = 0;                  // kFixed: minor units of the programme's currency;
                                        // kPoints: points
    size_t levels() const { return kind == RewardKind::kPercent ? basis_points.size() : 1; }
};

// [[variant]]: one arm of an experiment on the rewards (docs/rewards.md, Experiments).
struct Variant {
    std::string name;
    int64_t share_bp = 0;  // of all codes, in basis points
    Reward referrer;       // the programme's [referrer] unless the variant has its own
    Reward friend_reward;  // likewise [friend]
};

enum class TrustPolicy { kHoldForApproval, kAccept, kReject };

// Which purchases of a bound customer without a referral cookie are paid through the binding
// (docs/rewards.md, Signups and bound customers).
enum class PayOn { kFirstPurchase, kEveryPurchase };

// Who a conversion that names a coupon belongs to (docs/rewards.md, Coupons).
enum class CouponAttribution { kFallback, kOverride, kOff };

struct Programme {
    std::string currency;   // "" = rewards in each order's own currency, no fixed amounts
    int64_t min_order = 0;  // minor units of currency
    int64_t window_ms = 0;  // 0 = no attribution window
    bool first_purchase_only = false;
    bool require_customer = false;
    int64_t hold_ms = 0;  // 0 = rewards approved at once
    TrustPolicy trust_request = TrustPolicy::kHoldForApproval;
    int64_t held_ttl_ms = 30LL * 86400 * 1000;  // a held conversion's life without a decision
    bool open_enrolment = false;
    int64_t recurring_months = 0;  // renewals paid for this long after the first conversion
    CouponAttribution coupon_attribution = CouponAttribution::kFallback;
    // A purchase without a cookie is attributed through the customer's binding for this long
    // after the binding.
    int64_t customer_window_ms = 365LL * 86400 * 1000;
    PayOn pay_on = PayOn::kFirstPurchase;
    Reward referrer;
    Reward friend_reward;
    // [signup]: paid when a referred visitor registers; fixed or points, one level.
    Reward signup_referrer;
    Reward signup_friend;
    std::vector<Variant> variants;  // empty = no experiment; shares sum to 100%
};

struct Limits {
    int64_t clicks_per_ip_per_hour = 0;  // 0 = no limit, here and below
    int64_t conversions_per_referrer_per_day = 0;
    int64_t reward_cap_per_referrer_per_month = 0;  // in the referrer's reward unit
    int64_t signups_per_ip_per_hour = 0;
    int64_t signups_per_referrer_per_day = 0;
};

struct HostPort {
    std::string host;
    int port = 0;
    bool operator==(const HostPort &o) const { return host == o.host && port == o.port; }
};

struct RedisConfig {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string unix_path;  // set for "unix:/path" addresses
    // Sentinels asked for master_name's address instead of host and port.
    std::vector<HostPort> sentinels;
    std::string master_name;
    int db = 0;
    std::string user;
    std::string password;
    std::string prefix = "{referral}";
    int64_t timeout_ms = 5000;
};

struct DaemonConfig {
    std::string group = "referral-rewardd";
    std::string consumer;  // "" = <hostname>-<pid>
    int64_t batch = 500;
    int64_t block_ms = 200;
    int64_t claim_idle_ms = 60 * 1000;
    // <prefix>:events is trimmed below what every group still needs and older than
    // event_retention; trim = false keeps everything (docs/rewards.md, Trimming).
    bool trim = true;
    int64_t event_retention_ms = 7LL * 86400 * 1000;
    int64_t event_ttl_ms = 7LL * 86400 * 1000;
    int64_t order_ttl_ms = 400LL * 86400 * 1000;
    int64_t rejected_maxlen = 1000000;
    int64_t daily_ttl_ms = 400LL * 86400 * 1000;
    std::string metrics_host;  // [http] listen (or [metrics] listen); "" = no HTTP listener
    int metrics_port = 0;
};

// [stripe]: POST /hooks/stripe (docs/rewards.md, Stripe).
struct StripeConfig {
    std::vector<std::string> secrets;  // whole lines of webhook_secret_file, "whsec_..."; empty =
                                       // no hook
    std::string site;                  // the referral_site of Stripe's orders
    std::string order_id = "session";  // session | client_reference_id | metadata.<key>
    int64_t tolerance_ms = 300 * 1000;
};

// [shop]: POST /hooks/shop, signed as Standard Webhooks sign.
struct ShopConfig {
    std::vector<std::string> keys;  // decoded from the "whsec_<base64>" lines; empty = no hook
    int64_t tolerance_ms = 300 * 1000;
};

// [[webhook]]: a receiver of ledger movements (docs/rewards.md, Webhooks).
struct WebhookConfig {
    std::string url;
    std::string key;                  // the secret's decoded HMAC key
    std::vector<std::string> events;  // notification types sent
    int64_t max_age_ms = 3LL * 86400 * 1000;
    int64_t timeout_ms = 10 * 1000;
};

// [http]: the pages served next to /metrics (docs/rewards.md, Pages).
struct HttpConfig {
    std::string dashboard_token;  // "" = /dashboard open (loopback listeners only)
    std::string secret;           // key of partner tokens; "" = no /p/ pages
    std::string public_url;       // the listener as partners reach it, no trailing slash
    std::string link;             // a code's referral link, "{code}" replaced
};

struct Config {
    RedisConfig redis;
    HttpConfig http;
    DaemonConfig daemon;
    Programme programme;
    Limits limits;
    StripeConfig stripe;
    ShopConfig shop;
    std::vector<WebhookConfig> webhooks;
};

// Throws ConfigError for an unreadable file, a TOML syntax error, an unknown key, or a value
// out of range (negative rates, levels over 100%, malformed amounts and durations).
Config load_config(const std::string &path);
// Whether host:port listens on loopback only, where the dashboard needs no token.
bool loopback_host(std::string_view host);
Config parse_config(std::string_view text, std::string_view source_name);

}  // namespace referral::rewardd
