// Outgoing webhooks without a network: the body for each ledger kind, receiver URLs, and the
// [[webhook]] configuration (their signatures: hook_signatures_test.cc).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config.h"
#include "process.h"
#include "webhook_payload.h"

namespace referral::rewardd {
namespace {

TEST(WebhookPayload, KindsMapToTypes) {
    auto type = [](LedgerFields f) { return webhook_type(f).value_or("none"); };
    EXPECT_EQ(type({{"kind", "reward"}, {"to", "pending"}}), "reward.pending");
    EXPECT_EQ(type({{"kind", "reward"}, {"to", "approved"}}), "reward.approved");
    EXPECT_EQ(type({{"kind", "approved"}}), "reward.approved");
    EXPECT_EQ(type({{"kind", "reversal"}}), "reward.reversed");
    EXPECT_EQ(type({{"kind", "payout"}}), "payout.created");
    EXPECT_EQ(type({{"kind", "held"}}), "conversion.held");
    EXPECT_EQ(type({{"kind", "rejected"}}), "conversion.rejected");
    EXPECT_EQ(type({{"kind", "something"}}), "none");
    EXPECT_EQ(type({}), "none");
}

TEST(WebhookPayload, RewardBody) {
    LedgerFields entry = {{"kind", "reward"},     {"amount", "1500"},      {"from", ""},
                          {"to", "pending"},      {"account", "code:BOB"}, {"currency", "EUR"},
                          {"party", "referrer"},  {"level", "1"},          {"site", "shop"},
                          {"order", "1002"},      {"code", "BOB"},         {"event", "x"},
                          {"ts", "1700000000000"}};
    auto body =
        nlohmann::json::parse(webhook_body("1700000000123-0", "reward.pending", entry, "bob"));
    EXPECT_EQ(body, nlohmann::json::parse(R"({
        "type": "reward.pending", "id": "1700000000123-0",
        "timestamp": "2023-11-14T22:13:20.123Z",
        "data": {"code": "BOB", "customer": "bob", "level": 1, "amount": 1500,
                 "currency": "EUR", "order": "1002", "site": "shop", "state": "pending",
                 "reason": null}})"));
}

TEST(WebhookPayload, FriendPayoutAndOddFields) {
    LedgerFields friend_reward = {
        {"kind", "reversal"}, {"amount", "200"}, {"account", "customer:carol"}, {"currency", "EUR"},
        {"level", "0"},       {"code", "BOB"},   {"variant", "double"}};
    auto body = nlohmann::json::parse(webhook_body("1-0", "reward.reversed", friend_reward, ""));
    EXPECT_EQ(body["data"]["code"], "BOB");  // the code the order was attributed to
    EXPECT_EQ(body["data"]["variant"], "double");
    EXPECT_EQ(body["data"]["customer"], "carol");
    EXPECT_EQ(body["data"]["state"], "reversed");
    EXPECT_EQ(body["timestamp"], "1970-01-01T00:00:00.001Z");

    LedgerFields payout = {{"kind", "payout"},
                           {"amount", "2000"},
                           {"account", "code:ALICE"},
                           {"currency", "EUR"},
                           {"batch", "B1"}};
    body = nlohmann::json::parse(webhook_body("2-0", "payout.created", payout, "alice"));
    EXPECT_EQ(body["data"]["state"], "paid");
    EXPECT_EQ(body["data"]["batch"], "B1");
    EXPECT_TRUE(body["data"]["level"].is_null());
    EXPECT_TRUE(body["data"]["order"].is_null());

    LedgerFields held = {{"kind", "held"}, {"amount", "4990"},  {"currency", "EUR"},
                         {"code", "BOB"},  {"customer", "dan"}, {"site", "shop"},
                         {"order", "o9"}};
    body = nlohmann::json::parse(webhook_body("4-0", "conversion.held", held, ""));
    EXPECT_EQ(body["data"]["code"], "BOB");
    EXPECT_EQ(body["data"]["customer"], "dan");
    EXPECT_EQ(body["data"]["amount"], 4990);
    EXPECT_EQ(body["data"]["state"], "pending");

    LedgerFields odd = {
        {"kind", "rejected"}, {"amount", "-5"}, {"level", "x"}, {"reason", "superseded"}};
    body = nlohmann::json::parse(webhook_body("3-0", "conversion.rejected", odd, ""));
    EXPECT_TRUE(body["data"]["amount"].is_null());
    EXPECT_TRUE(body["data"]["level"].is_null());
    EXPECT_EQ(body["data"]["reason"], "superseded");

    held["amount"] = "0";  // a free order
    body = nlohmann::json::parse(webhook_body("5-0", "conversion.held", held, ""));
    EXPECT_TRUE(body["data"]["amount"].is_null());
}

TEST(WebhookPayload, IdsAreStable) {
    std::string receiver = webhook_receiver_id("https://shop.example/hooks/rewards");
    EXPECT_EQ(receiver.size(), 16u);
    EXPECT_EQ(receiver, webhook_receiver_id("https://shop.example/hooks/rewards"));
    EXPECT_NE(receiver, webhook_receiver_id("https://shop.example/hooks/other"));
    EXPECT_EQ(webhook_message_id(receiver, "17-3"), "msg_" + receiver + "_17-3");
}

TEST(WebhookPayload, Urls) {
    auto url = parse_webhook_url("https://shop.example:8443/hooks/rewards?x=1");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->origin, "https://shop.example:8443");
    EXPECT_EQ(url->target, "/hooks/rewards?x=1");
    url = parse_webhook_url("http://127.0.0.1:9000");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->target, "/");
    EXPECT_EQ(parse_webhook_url("http://h?q")->target, "/?q");
    for (const char *bad : {"", "ftp://h/", "shop.example/hooks", "http://", "http:///x",
                            "http://user@h/", "http://h/a b", "http://h/#frag", "http://:80/"}) {
        EXPECT_FALSE(parse_webhook_url(bad)) << bad;
    }
}

class WebhookConfigTest : public ::testing::Test {
  protected:
    std::string error(const std::string &webhook) {
        try {
            // Top-level keys first: after [referrer] they would be its keys.
            parse_config(webhook + "\n[referrer]\npercent = 10\n", "rewards.toml");
            return "";
        } catch (const ConfigError &e) {
            return e.what();
        }
    }
    std::string secret(const std::string &line) {
        std::string path = dir_.path() + "/secret";
        testing_support::write_file(path, line + "\n");
        return path;
    }
    testing_support::TempDir dir_;
};

TEST_F(WebhookConfigTest, DefaultsAndValues) {
    std::string path = secret("whsec_YWJj");
    Config c = parse_config(
        "[referrer]\npercent = 10\n\n[[webhook]]\nurl = \"https://a.example/h\"\n"
        "secret_file = \"" +
            path +
            "\"\n\n"
            "[[webhook]]\nurl = \"http://127.0.0.1:9/h\"\nsecret_file = \"" +
            path +
            "\"\nevents = [\"payout.created\"]\nmax_age = \"1h\"\n"
            "timeout = \"2s\"\n",
        "rewards.toml");
    ASSERT_EQ(c.webhooks.size(), 2u);
    EXPECT_EQ(c.webhooks[0].key, "abc");
    EXPECT_EQ(c.webhooks[0].events, webhook_event_types());
    EXPECT_EQ(c.webhooks[0].max_age_ms, 3LL * 86400 * 1000);
    EXPECT_EQ(c.webhooks[0].timeout_ms, 10000);
    EXPECT_EQ(c.webhooks[1].events, std::vector<std::string>{"payout.created"});
    EXPECT_EQ(c.webhooks[1].max_age_ms, 3600 * 1000);
    EXPECT_EQ(c.webhooks[1].timeout_ms, 2000);
}

TEST_F(WebhookConfigTest, MistakesNameTheKey) {
    std::string ok = secret("whsec_YWJj");
    auto webhook = [&](const std::string &url, const std::string &file,
                       const std::string &extra = "") {
        return "[[webhook]]\nurl = \"" + url + "\"\nsecret_file = \"" + file + "\"\n" + extra;
    };
    EXPECT_NE(error(webhook("ftp://a.example/", ok)).find("webhook[0].url: "), std::string::npos);
    EXPECT_NE(error(webhook("https://a", dir_.path() + "/none")).find("webhook[0].secret_file: "),
              std::string::npos);
    EXPECT_NE(error(webhook("https://a", secret("not-a-secret"))).find("webhook[0].secret_file: "),
              std::string::npos);
    ok = secret("whsec_YWJj");
    EXPECT_NE(error(webhook("https://a", ok, "events = [\"reward.paid\"]\n"))
                  .find("webhook[0].events: unknown event type \"reward.paid\""),
              std::string::npos);
    EXPECT_NE(error(webhook("https://a", ok, "events = []\n")).find("webhook[0].events"),
              std::string::npos);
    EXPECT_NE(error(webhook("https://a", ok, "max_age = \"soon\"\n")).find("webhook[0].max_age"),
              std::string::npos);
    EXPECT_NE(error(webhook("https://a", ok, "timeout = \"0s\"\n")).find("webhook[0].timeout"),
              std::string::npos);
    EXPECT_NE(error(webhook("https://a", ok, "colour = 1\n")).find("webhook[0].colour: unknown"),
              std::string::npos);
    EXPECT_NE(
        error(webhook("https://a", ok) + "\n" + webhook("https://a", ok)).find("webhook[1].url"),
        std::string::npos);
    EXPECT_NE(error("[[webhook]]\nsecret_file = \"" + ok + "\"\n").find("webhook[0].url"),
              std::string::npos);
    EXPECT_NE(error("webhook = 1\n").find("webhook: must be [[webhook]] tables"),
              std::string::npos);
}

}  // namespace
}  // namespace referral::rewardd
