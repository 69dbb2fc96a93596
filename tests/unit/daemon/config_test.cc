#include "config.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "config_error.h"

namespace referral::rewardd {
namespace {

void expect_error(const std::string &toml, const std::string &needle) {
    std::string message = config_error(toml);
    EXPECT_NE(message.find(needle), std::string::npos)
        << "config:\n"
        << toml << "\nmessage: " << message << "\nexpected: " << needle;
}

TEST(Config, Defaults) {
    Config c = parse_config("[referrer]\npercent = 10\n", "x");
    EXPECT_EQ(c.redis.host, "127.0.0.1");
    EXPECT_EQ(c.redis.port, 6379);
    EXPECT_EQ(c.redis.prefix, "{referral}");
    EXPECT_EQ(c.daemon.group, "referral-rewardd");
    EXPECT_EQ(c.daemon.batch, 500);
    EXPECT_TRUE(c.daemon.trim);
    EXPECT_EQ(c.daemon.event_retention_ms, 7 * 86400000LL);
    EXPECT_EQ(c.daemon.metrics_host, "");
    EXPECT_EQ(c.programme.trust_request, TrustPolicy::kHoldForApproval);
    EXPECT_EQ(c.programme.hold_ms, 0);
    EXPECT_EQ(c.programme.held_ttl_ms, 30 * 86400000LL);
    EXPECT_EQ(c.programme.referrer.kind, RewardKind::kPercent);
    EXPECT_EQ(c.programme.referrer.basis_points, std::vector<int64_t>{1000});
    EXPECT_EQ(c.programme.friend_reward.kind, RewardKind::kNone);
}

TEST(Config, Sentinels) {
    Config c = parse_config(
        "[redis]\nsentinels = [\"10.0.0.1:26379\", \"[::1]:26380\"]\nmaster_name = \"shop\"\n"
        "[referrer]\npercent = 1\n",
        "rewards.toml");
    EXPECT_EQ(c.redis.sentinels, (std::vector<HostPort>{{"10.0.0.1", 26379}, {"::1", 26380}}));
    EXPECT_EQ(c.redis.master_name, "shop");
}

TEST(Config, FullProgramme) {
    Config c = parse_config(R"(
[redis]
address = "unix:/run/redis/redis.sock"
db = 2
prefix = "{shop}"
timeout = "3s"

[daemon]
group = "g"
consumer = "node1"
batch = 100
block = "100ms"
claim_idle = "30s"
trim = false
event_retention = "36h"
event_ttl = "2d"
order_ttl = "90d"

[metrics]
listen = "127.0.0.1:9465"

[programme]
currency = "EUR"
min_order = "10.00"
window = "30d"
first_purchase_only = true
require_customer = true
hold = "14d"
trust_request = "accept"
held_ttl = "7d"
open_enrolment = true

[referrer]
levels = [15, 2.5]

[friend]
fixed = "5.00"

[limits]
clicks_per_ip_per_hour = 20
conversions_per_referrer_per_day = 5
reward_cap_per_referrer_per_month = "500.00"
)",
                            "x");
    EXPECT_EQ(c.redis.unix_path, "/run/redis/redis.sock");
    EXPECT_EQ(c.redis.db, 2);
    EXPECT_EQ(c.redis.prefix, "{shop}");
    EXPECT_EQ(c.redis.timeout_ms, 3000);
    EXPECT_EQ(c.daemon.consumer, "node1");
    EXPECT_EQ(c.daemon.claim_idle_ms, 30000);
    EXPECT_FALSE(c.daemon.trim);
    EXPECT_EQ(c.daemon.event_retention_ms, 36 * 3600000LL);
    EXPECT_EQ(c.daemon.metrics_host, "127.0.0.1");
    EXPECT_EQ(c.daemon.metrics_port, 9465);
    EXPECT_EQ(c.programme.min_order, 1000);
    EXPECT_EQ(c.programme.window_ms, 30 * 86400000LL);
    EXPECT_EQ(c.programme.hold_ms, 14 * 86400000LL);
    EXPECT_EQ(c.programme.trust_request, TrustPolicy::kAccept);
    EXPECT_EQ(c.programme.held_ttl_ms, 7 * 86400000LL);
    EXPECT_TRUE(c.programme.open_enrolment);
    EXPECT_EQ(c.programme.referrer.basis_points, (std::vector<int64_t>{1500, 250}));
    EXPECT_EQ(c.programme.friend_reward.kind, RewardKind::kFixed);
    EXPECT_EQ(c.programme.friend_reward.value, 500);
    EXPECT_EQ(c.limits.reward_cap_per_referrer_per_month, 50000);
    EXPECT_EQ(c.limits.clicks_per_ip_per_hour, 20);
}

TEST(Config, FloatsAreReadAsWritten) {
    // 0.29 is 0.28999999999999998 as a double; the source text is what counts.
    Config c = parse_config("[referrer]\npercent = 0.29\n[friend]\npercent = 1_2.5\n", "x");
    EXPECT_EQ(c.programme.referrer.basis_points[0], 29);
    EXPECT_EQ(c.programme.friend_reward.basis_points[0], 1250);
    expect_error("[referrer]\npercent = 2.555\n", "referrer.percent: \"2.555\" is not");
    expect_error("[referrer]\npercent = 1e1\n", "referrer.percent");
    expect_error("[referrer]\npercent = inf\n", "referrer.percent");
}

TEST(Config, MoneyFollowsTheCurrencyExponent) {
    Config jpy = parse_config(
        "[programme]\ncurrency = \"JPY\"\nmin_order = 1000\n"
        "[referrer]\nfixed = \"500\"\n",
        "x");
    EXPECT_EQ(jpy.programme.min_order, 1000);
    EXPECT_EQ(jpy.programme.referrer.value, 500);
    Config kwd =
        parse_config("[programme]\ncurrency = \"KWD\"\n[referrer]\nfixed = \"1.5\"\n", "x");
    EXPECT_EQ(kwd.programme.referrer.value, 1500);
    expect_error("[programme]\ncurrency = \"JPY\"\n[referrer]\nfixed = \"5.5\"\n",
                 "referrer.fixed: \"5.5\" is not an amount in JPY");
    expect_error("[programme]\ncurrency = \"EUR\"\nmin_order = \"10.001\"\n[referrer]\npercent=1\n",
                 "programme.min_order");
    expect_error("[referrer]\nfixed = \"5.00\"\n",
                 "referrer.fixed: an amount needs programme.currency");
}

TEST(Config, Errors) {
    expect_error("[referrer]\npercent = 10\nbonus = 1\n", "referrer.bonus: unknown key");
    expect_error("[programme]\ncurrency = \"EUR\"\nmin_ordr = \"1\"\n[referrer]\npercent = 1\n",
                 "programme.min_ordr: unknown key");
    expect_error("[referer]\npercent = 10\n", "referer: unknown key");
    expect_error("[referrer]\npercent = -5\n", "referrer.percent: must not be negative");
    expect_error("[referrer]\npercent = \"-5\"\n", "referrer.percent: must not be negative");
    expect_error("[referrer]\npercent = 101\n", "referrer.percent: must be at most 100");
    expect_error("[referrer]\nlevels = [60, 30, 15]\n",
                 "referrer.levels: levels sum to 105.00%, over 100%");
    expect_error("[referrer]\nlevels = []\n", "referrer.levels: must be a list");
    expect_error("[referrer]\nlevels = [10, -1]\n", "referrer.levels: must not be negative");
    expect_error("[referrer]\npercent = 10\npoints = 5\n",
                 "referrer.points: cannot be combined with percent");
    expect_error("[friend]\nlevels = [1]\n", "friend.levels: unknown key");
    expect_error("[programme]\ncurrency = \"EUR\"\n", "the programme rewards nobody");
    expect_error("[programme]\ncurrency = \"EURO\"\n[referrer]\npercent = 1\n",
                 "programme.currency: \"EURO\" is not an ISO 4217");
    expect_error("[programme]\nhold = \"14 days\"\n[referrer]\npercent = 1\n",
                 "programme.hold: \"14 days\" is not a duration");
    expect_error("[daemon]\nevent_retention = \"a week\"\n[referrer]\npercent = 1\n",
                 "daemon.event_retention: \"a week\" is not a duration");
    expect_error("[programme]\nheld_ttl = \"0s\"\n[referrer]\npercent = 1\n",
                 "programme.held_ttl: must be positive");
    expect_error("[programme]\ntrust_request = \"maybe\"\n[referrer]\npercent = 1\n",
                 "programme.trust_request");
    expect_error("[programme]\nfirst_purchase_only = \"yes\"\n[referrer]\npercent = 1\n",
                 "programme.first_purchase_only: must be true or false");
    expect_error("[limits]\nclicks_per_ip_per_hour = -1\n[referrer]\npercent = 1\n",
                 "limits.clicks_per_ip_per_hour: must not be negative");
    expect_error(
        "[limits]\nreward_cap_per_referrer_per_month = \"5.00\"\n[referrer]\npercent = 1\n",
        "needs programme.currency");
    expect_error("[redis]\naddress = \"localhost\"\n[referrer]\npercent = 1\n", "redis.address");
    expect_error("[redis]\naddress = \"h:99999\"\n[referrer]\npercent = 1\n", "redis.address");
    expect_error("[redis]\nsentinels = [\"s1:26379\"]\n[referrer]\npercent = 1\n",
                 "redis.master_name: must name the master");
    expect_error("[redis]\nmaster_name = \"shop\"\n[referrer]\npercent = 1\n",
                 "redis.master_name: needs redis.sentinels");
    expect_error("[redis]\nsentinels = [\"s1\"]\nmaster_name = \"shop\"\n[referrer]\npercent = 1\n",
                 "redis.sentinels: \"s1\" is not host:port");
    expect_error("[redis]\nsentinels = []\nmaster_name = \"shop\"\n[referrer]\npercent = 1\n",
                 "redis.sentinels: must be a list");
    expect_error(
        "[redis]\naddress = \"h:1\"\nsentinels = [\"s1:2\"]\nmaster_name = \"m\"\n"
        "[referrer]\npercent = 1\n",
        "redis.sentinels: the sentinels give the master's address");
    expect_error("[redis]\npassword_file = \"/nonexistent/pw\"\n[referrer]\npercent = 1\n",
                 "redis.password_file: cannot read /nonexistent/pw");
    expect_error("[metrics]\nlisten = \"9465\"\n[referrer]\npercent = 1\n", "metrics.listen");
    expect_error("[daemon]\nbatch = 0\n[referrer]\npercent = 1\n", "daemon.batch");
    expect_error("[daemon]\nblock = \"10s\"\n[referrer]\npercent = 1\n", "daemon.block");
    expect_error("[referrer]\npercent = 1\n[referrer]\npercent = 2\n", "rewards.toml:3:");
    expect_error("redis = 5\n[referrer]\npercent = 1\n", "redis: must be a table");
}

TEST(Config, PointsCapIsInPoints) {
    Config c = parse_config(
        "[referrer]\npoints = 100\n[limits]\nreward_cap_per_referrer_per_month = 1000\n", "x");
    EXPECT_EQ(c.programme.referrer.kind, RewardKind::kPoints);
    EXPECT_EQ(c.programme.referrer.value, 100);
    EXPECT_EQ(c.limits.reward_cap_per_referrer_per_month, 1000);
}

TEST(Config, Signups) {
    Config c = parse_config(R"(
[programme]
currency = "EUR"
customer_window = "90d"
pay_on = "every_purchase"

[referrer]
percent = 10

[signup]
referrer = { points = 500 }
friend = { fixed = "5.00" }

[limits]
signups_per_ip_per_hour = 5
signups_per_referrer_per_day = 50
)",
                            "x");
    EXPECT_EQ(c.programme.customer_window_ms, 90 * 86400000LL);
    EXPECT_EQ(c.programme.pay_on, PayOn::kEveryPurchase);
    EXPECT_EQ(c.programme.signup_referrer.kind, RewardKind::kPoints);
    EXPECT_EQ(c.programme.signup_referrer.value, 500);
    EXPECT_EQ(c.programme.signup_friend.kind, RewardKind::kFixed);
    EXPECT_EQ(c.programme.signup_friend.value, 500);
    EXPECT_EQ(c.limits.signups_per_ip_per_hour, 5);
    EXPECT_EQ(c.limits.signups_per_referrer_per_day, 50);

    Config d = parse_config("[referrer]\npercent = 10\n", "x");
    EXPECT_EQ(d.programme.customer_window_ms, 365 * 86400000LL);
    EXPECT_EQ(d.programme.pay_on, PayOn::kFirstPurchase);
    EXPECT_EQ(d.programme.signup_referrer.kind, RewardKind::kNone);
    EXPECT_EQ(d.programme.signup_friend.kind, RewardKind::kNone);

    // Signup rewards alone are a programme.
    Config e = parse_config("[signup]\nreferrer = { points = 1 }\n", "x");
    EXPECT_EQ(e.programme.referrer.kind, RewardKind::kNone);
}

TEST(Config, SignupMistakesNameTheKey) {
    const std::string referrer = "[referrer]\npercent = 10\n";
    expect_error(referrer + "[signup]\nreferrer = { percent = 5 }\n",
                 "signup.referrer.percent: a signup has no amount");
    expect_error(referrer + "[signup]\nfriend = { fixed = \"5.00\" }\n",
                 "signup.friend.fixed: an amount needs programme.currency");
    expect_error(referrer + "[signup]\nfriend = { points = 1, fixed = 2 }\n", "signup.friend.");
    expect_error(referrer + "[signup]\nreferrer = 5\n", "signup.referrer: must be a table");
    expect_error(referrer + "[signup]\nbonus = 5\n", "signup.bonus: unknown key");
    expect_error(referrer + "[programme]\npay_on = \"always\"\n",
                 "programme.pay_on: \"always\" is not first_purchase or every_purchase");
    expect_error(
        referrer + "[programme]\npay_on = \"every_purchase\"\nfirst_purchase_only = true\n",
        "programme.pay_on: \"every_purchase\" contradicts first_purchase_only");
    expect_error(referrer + "[programme]\ncustomer_window = \"soon\"\n",
                 "programme.customer_window: \"soon\" is not a duration");
    expect_error(referrer + "[programme]\ncustomer_window = \"0s\"\n",
                 "programme.customer_window: must be positive");
    expect_error(referrer + "[limits]\nsignups_per_ip_per_hour = -1\n",
                 "limits.signups_per_ip_per_hour: must not be negative");
    expect_error(referrer + "[limits]\nsignups_per_referrer_per_day = \"ten\"\n",
                 "limits.signups_per_referrer_per_day: must be an integer");
}

TEST(Config, UnreadableFile) {
    try {
        load_config("/nonexistent/rewards.toml");
        FAIL() << "no error";
    } catch (const ConfigError &e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/rewards.toml: cannot read"),
                  std::string::npos);
    }
}

TEST(Config, ExamplesAreValid) {
    int n = 0;
    for (const auto &entry : std::filesystem::directory_iterator(REWARDS_EXAMPLES)) {
        if (entry.path().extension() == ".toml") {
            EXPECT_NO_THROW(load_config(entry.path().string())) << entry.path();
            ++n;
        }
    }
    EXPECT_GE(n, 5);
}

}  // namespace
}  // namespace referral::rewardd
