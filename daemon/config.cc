#include "config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "amounts.h"
#include "event_schema.h"
#include "money.h"
#include "secret_file.h"
#include "standard_webhooks.h"
#include "webhook_payload.h"

namespace referral::rewardd {
namespace {

constexpr size_t kMaxLevels = 10;
constexpr size_t kMaxVariantName = 32;

// The document's lines: a float is re-read from its source text, so "2.5" is taken as written
// rather than through a double.
class Source {
  public:
    Source(std::string_view text, std::string_view name) : name_(name) {
        std::string line;
        std::istringstream in{std::string(text)};
        while (std::getline(in, line)) {
            lines_.push_back(line);
        }
    }

    const std::string &name() const { return name_; }

    std::string number_text(const toml::node &node) const {
        const auto &pos = node.source().begin;
        if (pos.line == 0 || pos.line > lines_.size()) {
            return {};
        }
        const std::string &line = lines_[pos.line - 1];
        // Columns count code points, not bytes.
        size_t i = 0;
        for (size_t column = 1; column < pos.column && i < line.size(); ++column) {
            ++i;
            while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) {
                ++i;
            }
        }
        size_t end = line.find_first_not_of("0123456789+-._eE", i);
        return line.substr(i, end == std::string::npos ? std::string::npos : end - i);
    }

  private:
    std::string name_;
    std::vector<std::string> lines_;
};

// One TOML table; every key read is remembered so that anything else can be reported as an
// unknown key.
class Section {
  public:
    Section(const toml::table *table, std::string path, const Source &source)
        : table_(table), path_(std::move(path)), source_(source) {}

    bool present() const { return table_ != nullptr; }
    bool has(std::string_view key) const { return table_ && table_->contains(key); }

    [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
        throw ConfigError(source_.name() + ": " + path_ + (path_.empty() ? "" : ".") +
                          std::string(key) + ": " + std::string(problem));
    }

    const toml::node *node(std::string_view key) {
        known_.insert(std::string(key));
        return table_ ? table_->get(key) : nullptr;
    }

    Section table(std::string_view key) {
        const toml::node *n = node(key);
        if (n && !n->is_table()) {
            fail(key, "must be a table");
        }
        std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
        return Section(n ? n->as_table() : nullptr, path, source_);
    }

    void read(std::string_view key, std::string *out) {
        if (const toml::node *n = node(key)) {
            if (!n->is_string()) {
                fail(key, "must be a string");
            }
            *out = n->as_string()->get();
        }
    }

    void read(std::string_view key, bool *out) {
        if (const toml::node *n = node(key)) {
            if (!n->is_boolean()) {
                fail(key, "must be true or false");
            }
            *out = n->as_boolean()->get();
        }
    }

    void read_count(std::string_view key, int64_t *out, int64_t max = INT64_MAX) {
        if (const toml::node *n = node(key)) {
            if (!n->is_integer()) {
                fail(key, "must be an integer");
            }
            int64_t v = n->as_integer()->get();
            if (v < 0) {
                fail(key, "must not be negative");
            }
            if (v > max) {
                fail(key, "must be at most " + std::to_string(max));
            }
            *out = v;
        }
    }

    void read_duration(std::string_view key, int64_t *out) {
        std::string text;
        read(key, &text);
        if (!has(key)) {
            return;
        }
        auto ms = parse_duration_ms(text);
        if (!ms) {
            fail(key,
                 "\"" + text + "\" is not a duration like \"30d\", \"14d\", \"2s\", \"500ms\"");
        }
        *out = *ms;
    }

    // A decimal exactly as written: a string, an integer, or a float's source text.
    std::string decimal(std::string_view key, const toml::node &n) const {
        std::string text;
        if (n.is_string()) {
            text = n.as_string()->get();
        } else if (n.is_integer()) {
            text = std::to_string(n.as_integer()->get());
        } else if (n.is_floating_point()) {
            text = source_.number_text(n);
        } else {
            fail(key, "must be a number or a decimal string");
        }
        if (!text.empty() && text[0] == '-') {
            fail(key, "must not be negative");
        }
        if (!text.empty() && text[0] == '+') {
            text.erase(0, 1);
        }
        return text;
    }

    int64_t percent(std::string_view key, const toml::node &n) const {
        std::string text = decimal(key, n);
        auto bp = parse_basis_points(text);
        if (!bp) {
            fail(key, "\"" + text + "\" is not a percentage with at most two decimals");
        }
        if (*bp > 10000) {
            fail(key, "must be at most 100");
        }
        return *bp;
    }

    int64_t money(std::string_view key, const toml::node &n, const std::string &currency) const {
        if (currency.empty()) {
            fail(key, "an amount needs programme.currency");
        }
        std::string text = decimal(key, n);
        int64_t minor = 0;
        if (!parse_amount(text, currency_exponent(currency), &minor) || minor > kMaxAmount) {
            fail(key, "\"" + text + "\" is not an amount in " + currency + " (at most " +
                          std::to_string(currency_exponent(currency)) + " decimals)");
        }
        return minor;
    }

    void reject_unknown() const {
        if (!table_) {
            return;
        }
        for (const auto &[key, value] : *table_) {
            if (!known_.count(std::string(key.str()))) {
                fail(key.str(), "unknown key");
            }
        }
    }

  private:
    const toml::table *table_;
    std::string path_;
    const Source &source_;
    std::set<std::string> known_;
};

// "host:port" or "[v6]:port"; false when malformed.
bool parse_host_port(const std::string &text, std::string *host, int *port) {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
        colon + 6 < text.size()) {
        return false;
    }
    int p = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9') {
            return false;
        }
        p = p * 10 + (c - '0');
    }
    std::string h = text.substr(0, colon);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
    }
    if (p < 1 || p > 65535) {
        return false;
    }
    *host = h;
    *port = p;
    return true;
}

void parse_address(Section &s, RedisConfig *redis) {
    std::string address;
    s.read("address", &address);
    if (!s.has("address")) {
        return;
    }
    if (address.rfind("unix:", 0) == 0) {
        redis->unix_path = address.substr(5);
        if (redis->unix_path.empty()) {
            s.fail("address", "unix: needs a socket path");
        }
    } else if (!parse_host_port(address, &redis->host, &redis->port)) {
        s.fail("address", "\"" + address + "\" is not host:port or unix:/path");
    }
}

std::string read_secret(Section &s, std::string_view key, const std::string &path) {
    SecretFile file(path.c_str());
    switch (file.status()) {
        case SecretFile::Status::ok:
            break;
        case SecretFile::Status::cannot_open:
        case SecretFile::Status::cannot_read:
            s.fail(key, "cannot read " + path + ": " + std::strerror(file.error()));
        case SecretFile::Status::too_long:
            s.fail(key, "the first line of " + path + " is longer than " +
                            std::to_string(SecretFile::kMaxLine) + " bytes");
        case SecretFile::Status::empty:
            s.fail(key, path + " is empty: put the password on its first line");
    }
    return std::string(file.secret());
}

void parse_sentinels(Section &s, RedisConfig *redis) {
    s.read("master_name", &redis->master_name);
    const toml::node *sentinels = s.node("sentinels");
    if (!sentinels) {
        if (s.has("master_name")) {
            s.fail("master_name", "needs redis.sentinels to ask for its address");
        }
        return;
    }
    const toml::array *list = sentinels->as_array();
    if (!list || list->empty()) {
        s.fail("sentinels", "must be a list of \"host:port\", e.g. [\"10.0.0.1:26379\"]");
    }
    for (const toml::node &n : *list) {
        std::string sentinel = n.is_string() ? n.as_string()->get() : "";
        HostPort at;
        if (!parse_host_port(sentinel, &at.host, &at.port)) {
            s.fail("sentinels", "\"" + sentinel + "\" is not host:port");
        }
        redis->sentinels.push_back(at);
    }
    if (redis->master_name.empty()) {
        s.fail("master_name", "must name the master the sentinels watch");
    }
    if (s.has("address")) {
        s.fail("sentinels", "the sentinels give the master's address: remove redis.address");
    }
}

RedisConfig parse_redis(Section s) {
    RedisConfig redis;
    parse_address(s, &redis);
    parse_sentinels(s, &redis);
    int64_t db = 0;
    s.read_count("db", &db, 15);
    redis.db = static_cast<int>(db);
    s.read("user", &redis.user);
    std::string password_file;
    s.read("password_file", &password_file);
    if (!password_file.empty()) {
        redis.password = read_secret(s, "password_file", password_file);
    }
    s.read("prefix", &redis.prefix);
    if (redis.prefix.empty()) {
        s.fail("prefix", "must not be empty");
    }
    s.read_duration("timeout", &redis.timeout_ms);
    if (redis.timeout_ms <= 0) {
        s.fail("timeout", "must be positive");
    }
    s.reject_unknown();
    return redis;
}

DaemonConfig parse_daemon(Section s) {
    DaemonConfig d;
    s.read("group", &d.group);
    s.read("consumer", &d.consumer);
    s.read_count("batch", &d.batch, 10000);
    if (d.batch == 0) {
        s.fail("batch", "must be at least 1");
    }
    s.read_duration("block", &d.block_ms);
    s.read_duration("claim_idle", &d.claim_idle_ms);
    if (d.claim_idle_ms == 0) {
        s.fail("claim_idle", "must be positive");
    }
    s.read("trim", &d.trim);
    s.read_duration("event_retention", &d.event_retention_ms);
    s.read_duration("event_ttl", &d.event_ttl_ms);
    s.read_duration("order_ttl", &d.order_ttl_ms);
    if (d.event_ttl_ms == 0 || d.order_ttl_ms == 0) {
        s.fail(d.event_ttl_ms == 0 ? "event_ttl" : "order_ttl", "must be positive");
    }
    s.read_count("rejected_maxlen", &d.rejected_maxlen);
    s.read_duration("daily_ttl", &d.daily_ttl_ms);
    if (d.daily_ttl_ms == 0) {
        s.fail("daily_ttl", "must be positive");
    }
    s.reject_unknown();
    return d;
}

// [http] listen, or its older name [metrics] listen: one server for /metrics, /hooks/,
// /dashboard and /p/.
void parse_listen(Section &http, Section metrics, DaemonConfig *d) {
    if (http.has("listen") && metrics.has("listen")) {
        http.fail("listen", "set either http.listen or metrics.listen (its older name), not both");
    }
    for (Section *s : {&http, &metrics}) {
        std::string listen;
        s->read("listen", &listen);
        if (!listen.empty() && !parse_host_port(listen, &d->metrics_host, &d->metrics_port)) {
            s->fail("listen", "\"" + listen + "\" is not host:port");
        }
    }
    metrics.reject_unknown();
}

// Webhook signing secrets, one per line so that a rolled secret and its successor both verify;
// blank lines and blanks around a secret are ignored.
std::vector<std::string> read_secret_lines(Section &s, std::string_view key,
                                           const std::string &path) {
    constexpr size_t kMaxFile = 64 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        s.fail(key, "cannot read " + path + ": " + std::strerror(errno));
    }
    std::string text(kMaxFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFile) {
        s.fail(key, path + " is larger than 64 KiB");
    }
    std::vector<std::string> secrets;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = first_line_secret(rest);
        if (!line.empty()) {
            secrets.emplace_back(line);
        }
        size_t nl = rest.find('\n');
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
    if (secrets.empty()) {
        s.fail(key, path + " holds no secret: put one per line");
    }
    return secrets;
}

// The HMAC key of a Standard Webhooks secret as the receiver shows it: the shop hook verifies
// with it, [[webhook]] deliveries sign with it.
std::string whsec_key(const Section &s, std::string_view key, const std::string &path,
                      std::string_view secret) {
    std::optional<std::string> decoded = standard_webhooks_key(secret);
    if (!decoded) {
        s.fail(key, path + " holds a secret that is not whsec_ followed by its key in base64");
    }
    return std::move(*decoded);
}

void read_tolerance(Section &s, int64_t *out) {
    s.read_duration("tolerance", out);
    if (*out == 0) {
        s.fail("tolerance", "must be positive");
    }
}

StripeConfig parse_stripe(Section s) {
    StripeConfig stripe;
    if (!s.present()) {
        return stripe;
    }
    std::string file;
    s.read("webhook_secret_file", &file);
    if (file.empty()) {
        s.fail("webhook_secret_file", "is required: the signing secret(s) of the Stripe endpoint");
    }
    stripe.secrets = read_secret_lines(s, "webhook_secret_file", file);
    s.read("site", &stripe.site);
    if (!valid_id(stripe.site)) {
        s.fail("site", "is required: the referral_site of the orders paid through Stripe");
    }
    s.read("order_id", &stripe.order_id);
    const std::string metadata = "metadata.";
    bool by_metadata = stripe.order_id.rfind(metadata, 0) == 0 &&
                       stripe.order_id.size() > metadata.size() && stripe.order_id.size() <= 48;
    if (stripe.order_id != "session" && stripe.order_id != "client_reference_id" && !by_metadata) {
        s.fail("order_id",
               "\"" + stripe.order_id + "\" is not session, client_reference_id or metadata.<key>");
    }
    read_tolerance(s, &stripe.tolerance_ms);
    s.reject_unknown();
    return stripe;
}

ShopConfig parse_shop(Section s) {
    ShopConfig shop;
    if (!s.present()) {
        return shop;
    }
    std::string file;
    s.read("webhook_secret_file", &file);
    if (file.empty()) {
        s.fail("webhook_secret_file", "is required: the shop's signing secret(s), whsec_...");
    }
    for (const std::string &line : read_secret_lines(s, "webhook_secret_file", file)) {
        shop.keys.push_back(whsec_key(s, "webhook_secret_file", file, line));
    }
    read_tolerance(s, &shop.tolerance_ms);
    s.reject_unknown();
    return shop;
}

// Secrets shorter than this are guessable offline from one token.
constexpr size_t kMinSecret = 16;

bool valid_public_url(const std::string &url) {
    return (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) && url.back() != '/';
}

HttpConfig parse_http(Section s, Section metrics, DaemonConfig *d) {
    parse_listen(s, std::move(metrics), d);
    HttpConfig h;
    std::string token_file, secret_file;
    s.read("dashboard_token_file", &token_file);
    if (!token_file.empty()) {
        h.dashboard_token = read_secret(s, "dashboard_token_file", token_file);
        if (h.dashboard_token.size() < kMinSecret) {
            s.fail("dashboard_token_file",
                   "the token must be at least " + std::to_string(kMinSecret) + " characters");
        }
    }
    s.read("secret_file", &secret_file);
    if (!secret_file.empty()) {
        h.secret = read_secret(s, "secret_file", secret_file);
        if (h.secret.size() < kMinSecret) {
            s.fail("secret_file",
                   "the secret must be at least " + std::to_string(kMinSecret) + " characters");
        }
    }
    s.read("public_url", &h.public_url);
    if (!h.public_url.empty() && !valid_public_url(h.public_url)) {
        s.fail("public_url", "\"" + h.public_url +
                                 "\" is not an http:// or https:// URL without a trailing slash");
    }
    s.read("link", &h.link);
    if (!h.link.empty() &&
        (h.link.find("{code}") == std::string::npos ||
         (h.link.rfind("http://", 0) != 0 && h.link.rfind("https://", 0) != 0))) {
        s.fail("link", "must be an http:// or https:// URL containing {code}");
    }
    s.reject_unknown();
    return h;
}

TrustPolicy parse_trust(Section &s) {
    std::string text = "hold_for_approval";
    s.read("trust_request", &text);
    if (text == "hold_for_approval") {
        return TrustPolicy::kHoldForApproval;
    }
    if (text == "accept") {
        return TrustPolicy::kAccept;
    }
    if (text == "reject") {
        return TrustPolicy::kReject;
    }
    s.fail("trust_request", "\"" + text + "\" is not hold_for_approval, accept or reject");
}

// [referrer] or [friend]: exactly one of percent, fixed, points (and levels for the referrer).
Reward parse_reward(Section s, const std::string &currency, bool multi_level) {
    Reward r;
    std::vector<std::string> kinds;
    for (const char *kind : {"percent", "fixed", "points", "levels"}) {
        if (s.has(kind)) {
            kinds.push_back(kind);
        }
    }
    if (kinds.size() > 1) {
        s.fail(kinds[1], "cannot be combined with " + kinds[0]);
    }
    if (const toml::node *n = s.node("percent")) {
        r.kind = RewardKind::kPercent;
        r.basis_points.push_back(s.percent("percent", *n));
    }
    if (const toml::node *n = s.node("fixed")) {
        r.kind = RewardKind::kFixed;
        r.value = s.money("fixed", *n, currency);
    }
    if (s.has("points")) {
        r.kind = RewardKind::kPoints;
        s.read_count("points", &r.value, kMaxAmount);
    }
    if (const toml::node *n = multi_level ? s.node("levels") : nullptr) {
        const toml::array *levels = n->as_array();
        if (!levels || levels->empty() || levels->size() > kMaxLevels) {
            s.fail("levels", "must be a list of 1 to " + std::to_string(kMaxLevels) +
                                 " percentages, e.g. [15, 5]");
        }
        r.kind = RewardKind::kPercent;
        int64_t sum = 0;
        for (const toml::node &level : *levels) {
            r.basis_points.push_back(s.percent("levels", level));
            sum += r.basis_points.back();
        }
        if (sum > 10000) {
            s.fail("levels", "levels sum to " + format_minor(sum, 2) + "%, over 100%");
        }
    }
    s.reject_unknown();
    return r;
}

// [signup] referrer or friend: a registration has no amount to take a percentage of.
Reward parse_signup_reward(Section s, const std::string &currency) {
    if (s.has("percent") || s.has("levels")) {
        s.fail(s.has("percent") ? "percent" : "levels",
               "a signup has no amount: use fixed or points");
    }
    return parse_reward(std::move(s), currency, false);
}

Programme parse_programme(Section s, Section referrer, Section friend_reward, Section signup) {
    Programme p;
    s.read("currency", &p.currency);
    if (s.has("currency") && currency_exponent(p.currency) < 0) {
        s.fail("currency", "\"" + p.currency + "\" is not an ISO 4217 currency code");
    }
    if (const toml::node *n = s.node("min_order")) {
        p.min_order = s.money("min_order", *n, p.currency);
    }
    s.read_duration("window", &p.window_ms);
    s.read("first_purchase_only", &p.first_purchase_only);
    s.read("require_customer", &p.require_customer);
    s.read_duration("hold", &p.hold_ms);
    p.trust_request = parse_trust(s);
    s.read_duration("held_ttl", &p.held_ttl_ms);
    if (p.held_ttl_ms == 0) {
        s.fail("held_ttl", "must be positive");
    }
    s.read("open_enrolment", &p.open_enrolment);
    s.read_count("recurring_months", &p.recurring_months, 1200);
    std::string coupons = "fallback";
    s.read("coupon_attribution", &coupons);
    if (coupons == "override") {
        p.coupon_attribution = CouponAttribution::kOverride;
    } else if (coupons == "off") {
        p.coupon_attribution = CouponAttribution::kOff;
    } else if (coupons != "fallback") {
        s.fail("coupon_attribution", "\"" + coupons + "\" is not fallback, override or off");
    }
    s.read_duration("customer_window", &p.customer_window_ms);
    if (p.customer_window_ms == 0) {
        s.fail("customer_window", "must be positive");
    }
    std::string pay_on = "first_purchase";
    s.read("pay_on", &pay_on);
    if (pay_on == "every_purchase") {
        p.pay_on = PayOn::kEveryPurchase;
    } else if (pay_on != "first_purchase") {
        s.fail("pay_on", "\"" + pay_on + "\" is not first_purchase or every_purchase");
    }
    if (p.pay_on == PayOn::kEveryPurchase && p.first_purchase_only) {
        s.fail("pay_on", "\"every_purchase\" contradicts first_purchase_only = true");
    }
    s.reject_unknown();
    p.referrer = parse_reward(referrer, p.currency, true);
    p.friend_reward = parse_reward(friend_reward, p.currency, false);
    p.signup_referrer = parse_signup_reward(signup.table("referrer"), p.currency);
    p.signup_friend = parse_signup_reward(signup.table("friend"), p.currency);
    signup.reject_unknown();
    if (p.referrer.kind == RewardKind::kNone && p.friend_reward.kind == RewardKind::kNone &&
        p.signup_referrer.kind == RewardKind::kNone && p.signup_friend.kind == RewardKind::kNone) {
        referrer.fail("percent",
                      "the programme rewards nobody: set [referrer], [friend] and/or [signup]");
    }
    return p;
}

// [[variant]] tables, each named variant[<index>] in messages. A variant's name goes into ledger
// entries and reports, so it has a code's characters.
std::vector<Variant> parse_variants(const Section &root, const toml::node *n, const Source &source,
                                    const Programme &p) {
    std::vector<Variant> out;
    if (!n) {
        return out;
    }
    const toml::array *tables = n->as_array();
    if (!tables || !tables->is_array_of_tables()) {
        root.fail("variant", "must be [[variant]] tables");
    }
    int64_t sum = 0;
    for (size_t i = 0; i < tables->size(); ++i) {
        Section s(tables->get(i)->as_table(), "variant[" + std::to_string(i) + "]", source);
        Variant v;
        s.read("name", &v.name);
        if (!valid_code(v.name, kMaxVariantName)) {
            s.fail("name",
                   "is required: 1-" + std::to_string(kMaxVariantName) + " of [A-Za-z0-9_.-]");
        }
        for (const Variant &other : out) {
            if (other.name == v.name) {
                s.fail("name", "another [[variant]] has the same name");
            }
        }
        const toml::node *share = s.node("share");
        if (!share) {
            s.fail("share", "is required: the percentage of codes in this variant");
        }
        v.share_bp = s.percent("share", *share);
        sum += v.share_bp;
        Section referrer = s.table("referrer"), friend_reward = s.table("friend");
        v.referrer = referrer.present() ? parse_reward(referrer, p.currency, true) : p.referrer;
        v.friend_reward = friend_reward.present() ? parse_reward(friend_reward, p.currency, false)
                                                  : p.friend_reward;
        s.reject_unknown();
        if (i + 1 == tables->size() && sum != 10000) {
            s.fail("share", "the shares of all [[variant]] tables sum to " + format_minor(sum, 2) +
                                "%, not 100%");
        }
        out.push_back(std::move(v));
    }
    return out;
}

Limits parse_limits(Section s, const Programme &programme) {
    Limits l;
    s.read_count("clicks_per_ip_per_hour", &l.clicks_per_ip_per_hour);
    s.read_count("conversions_per_referrer_per_day", &l.conversions_per_referrer_per_day);
    s.read_count("signups_per_ip_per_hour", &l.signups_per_ip_per_hour);
    s.read_count("signups_per_referrer_per_day", &l.signups_per_referrer_per_day);
    if (const toml::node *n = s.node("reward_cap_per_referrer_per_month")) {
        if (programme.referrer.kind == RewardKind::kPoints) {
            s.read_count("reward_cap_per_referrer_per_month", &l.reward_cap_per_referrer_per_month,
                         kMaxAmount);
        } else {
            l.reward_cap_per_referrer_per_month =
                s.money("reward_cap_per_referrer_per_month", *n, programme.currency);
        }
    }
    s.reject_unknown();
    return l;
}

// [[webhook]] tables, each named webhook[<index>] in messages.
std::vector<WebhookConfig> parse_webhooks(Section &root, const Source &source) {
    std::vector<WebhookConfig> out;
    const toml::node *n = root.node("webhook");
    if (!n) {
        return out;
    }
    const toml::array *tables = n->as_array();
    if (!tables || !tables->is_array_of_tables()) {
        root.fail("webhook", "must be [[webhook]] tables");
    }
    for (size_t i = 0; i < tables->size(); ++i) {
        Section s(tables->get(i)->as_table(), "webhook[" + std::to_string(i) + "]", source);
        WebhookConfig w;
        s.read("url", &w.url);
        if (!valid_webhook_url(w.url)) {
            s.fail("url", "\"" + w.url + "\" is not an http:// or https:// URL");
        }
        for (const WebhookConfig &other : out) {
            if (other.url == w.url) {
                s.fail("url", "another [[webhook]] has the same url");
            }
        }
        std::string secret_file;
        s.read("secret_file", &secret_file);
        if (secret_file.empty()) {
            s.fail("secret_file", "is required: a file whose first line is whsec_<base64 key>");
        }
        w.key =
            whsec_key(s, "secret_file", secret_file, read_secret(s, "secret_file", secret_file));
        w.events = webhook_event_types();
        if (const toml::node *events = s.node("events")) {
            const toml::array *list = events->as_array();
            if (!list || list->empty()) {
                s.fail("events", "must be a list of event types, e.g. [\"reward.approved\"]");
            }
            w.events.clear();
            for (const toml::node &e : *list) {
                std::string type = e.is_string() ? e.as_string()->get() : "";
                const auto &known = webhook_event_types();
                if (std::find(known.begin(), known.end(), type) == known.end()) {
                    s.fail("events", "unknown event type \"" + type + "\"");
                }
                w.events.push_back(type);
            }
        }
        s.read_duration("max_age", &w.max_age_ms);
        s.read_duration("timeout", &w.timeout_ms);
        if (w.max_age_ms == 0 || w.timeout_ms == 0) {
            s.fail(w.max_age_ms == 0 ? "max_age" : "timeout", "must be positive");
        }
        s.reject_unknown();
        out.push_back(std::move(w));
    }
    return out;
}

// The monthly cap is in [referrer]'s unit: a variant paying referrers in another would be capped
// in the wrong one.
void check_cap_unit(const Config &c, const Source &source) {
    bool points = c.programme.referrer.kind == RewardKind::kPoints;
    for (size_t i = 0; i < c.programme.variants.size(); ++i) {
        const Reward &r = c.programme.variants[i].referrer;
        if (c.limits.reward_cap_per_referrer_per_month > 0 && r.kind != RewardKind::kNone &&
            (r.kind == RewardKind::kPoints) != points) {
            Section(nullptr, "variant[" + std::to_string(i) + "]", source)
                .fail("referrer",
                      "pays in another unit than [referrer], in which "
                      "limits.reward_cap_per_referrer_per_month counts");
        }
    }
}

}  // namespace

Config parse_config(std::string_view text, std::string_view source_name) {
    Source source(text, source_name);
    toml::table doc;
    try {
        doc = toml::parse(text, source_name);
    } catch (const toml::parse_error &e) {
        throw ConfigError(std::string(source_name) + ":" + std::to_string(e.source().begin.line) +
                          ": " + std::string(e.description()));
    }
    Section root(&doc, "", source);
    Section redis = root.table("redis"), daemon = root.table("daemon"),
            metrics = root.table("metrics"), http = root.table("http"),
            stripe = root.table("stripe"), shop = root.table("shop"),
            programme = root.table("programme"), referrer = root.table("referrer"),
            friend_reward = root.table("friend"), limits = root.table("limits"),
            signup = root.table("signup");
    const toml::node *variants = root.node("variant");
    std::vector<WebhookConfig> webhooks = parse_webhooks(root, source);
    root.reject_unknown();
    Config c;
    c.programme = parse_programme(std::move(programme), std::move(referrer),
                                  std::move(friend_reward), std::move(signup));
    c.programme.variants = parse_variants(root, variants, source, c.programme);
    c.webhooks = std::move(webhooks);
    c.redis = parse_redis(std::move(redis));
    c.daemon = parse_daemon(std::move(daemon));
    c.http = parse_http(std::move(http), std::move(metrics), &c.daemon);
    c.limits = parse_limits(std::move(limits), c.programme);
    check_cap_unit(c, source);
    c.stripe = parse_stripe(std::move(stripe));
    c.shop = parse_shop(std::move(shop));
    if ((!c.stripe.secrets.empty() || !c.shop.keys.empty()) && c.daemon.metrics_host.empty()) {
        root.fail("http.listen",
                  "is required by [stripe] and [shop]: their hooks are served there");
    }
    if (c.daemon.block_ms >= c.redis.timeout_ms) {
        root.fail("daemon.block", "must be shorter than redis.timeout");
    }
    return c;
}

bool loopback_host(std::string_view host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Config load_config(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(path + ": cannot read the file: " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

}  // namespace referral::rewardd
