// Outgoing webhooks against real receivers: every ledger movement arrives once per webhook-id,
// signed, across a receiver outage and a SIGKILL of the daemon; what a receiver never takes ends
// in the dead-letter stream; a hanging receiver delays neither rewards nor other receivers;
// conversions held for approval or rejected are notified and move no money.
#include <algorithm>
#include <csignal>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rewardd_fixture.h"
#include "webhook_receiver.h"

namespace rewardd_test {
namespace {

using testing_support::Reply;

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"
hold = "1d"

[referrer]
levels = [10, 5]
)";

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class WebhookTest : public RewarddTest {
  protected:
    // kProgramme and one [[webhook]] per receiver (extra: more keys for each).
    std::string programme(const std::vector<const WebhookReceiver *> &receivers,
                          const std::string &extra = "") {
        std::string secret = dir_.path() + "/webhook.secret";
        testing_support::write_file(secret, std::string(kSecret) + "\n");
        std::string out = kProgramme;
        for (const WebhookReceiver *r : receivers) {
            out += "\n[[webhook]]\nurl = \"" + r->url() + "\"\nsecret_file = \"" + secret + "\"\n" +
                   extra;
        }
        return out;
    }

    // A programme's movements: rewards pending and approved (an order whose hold ended long
    // ago), a reversal, a payout.
    void scripted(const std::string &suffix) {
        add(conversion("n" + suffix, "BOB", "on" + suffix, 10000, "carol" + suffix));
        add(with(conversion("o" + suffix, "BOB", "oo" + suffix, 5000, "dave" + suffix), "ts",
                 "1000000000000"));
        add(refund("r" + suffix, "on" + suffix, 5000));
        wait_applied();
        ASSERT_TRUE(testing_support::eventually([&] {
            std::vector<std::string> kinds = ledger_kinds();
            return std::count(kinds.begin(), kinds.end(), "approved") > 0;
        }));
        std::string out;
        ASSERT_EQ(cli({"payout", "BOB"}, &out), 0) << out;
    }

    std::vector<std::string> ledger_ids() {
        std::vector<std::string> ids;
        Reply r = redis_.command({"XRANGE", key("ledger"), "-", "+"});
        for (size_t i = 0; i < r->elements; ++i) {
            ids.emplace_back(r->element[i]->element[0]->str);
        }
        return ids;
    }

    // Every ledger entry was answered 2xx exactly once by the receiver, under one webhook-id,
    // with a valid signature and the entry's id in the body.
    ::testing::AssertionResult all_delivered_once(const WebhookReceiver &receiver) {
        std::map<std::string, int> delivered;  // entry id → 2xx answers
        for (const Received &r : receiver.requests()) {
            if (!WebhookReceiver::signature_valid(r, kSecret)) {
                return ::testing::AssertionFailure() << "bad signature on " << r.id;
            }
            auto body = nlohmann::json::parse(r.body);
            std::string entry = body["id"];
            if (r.id.size() < entry.size() ||
                r.id.compare(r.id.size() - entry.size(), entry.size(), entry) != 0) {
                return ::testing::AssertionFailure() << r.id << " is not of entry " << entry;
            }
            if (r.status / 100 == 2) {
                ++delivered[entry];
            }
        }
        std::vector<std::string> ids = ledger_ids();
        for (const std::string &id : ids) {
            if (delivered[id] != 1) {
                return ::testing::AssertionFailure()
                       << "entry " << id << " delivered " << delivered[id] << " times";
            }
        }
        if (delivered.size() != ids.size()) {
            return ::testing::AssertionFailure() << "deliveries of entries not in the ledger";
        }
        return ::testing::AssertionSuccess();
    }

    // A webhook metric summed over receivers.
    int64_t metric(const std::string &name) {
        std::istringstream in(testing_support::http_get(metrics_port_, "/metrics").body);
        int64_t sum = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.rfind(name + "{", 0) == 0) {
                sum += std::stoll(line.substr(line.rfind(' ') + 1));
            }
        }
        return sum;
    }
};

// The notifications of one type, by order.
std::map<std::string, nlohmann::json> of_type(const WebhookReceiver &receiver,
                                              const std::string &type) {
    std::map<std::string, nlohmann::json> out;
    for (const Received &r : receiver.requests()) {
        auto body = nlohmann::json::parse(r.body);
        if (body["type"] == type) {
            out[body["data"]["order"]] = body;
        }
    }
    return out;
}

TEST_F(WebhookTest, HeldAndRejectedConversionsAreNotifiedAndMoveNothing) {
    WebhookReceiver receiver;
    start(programme({&receiver}));
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    // Held from the request alone: o1 until the shop's own conversion supersedes it, o2 until
    // the operator rejects it.
    add(with(conversion("h1", "BOB", "o1", 10000, "carol"), "trust", "request"));
    add(with(conversion("h2", "BOB", "o2", 5000, "dave"), "trust", "request"));
    wait_applied();
    std::string out;
    ASSERT_EQ(cli({"reject", "--site", "shop", "o2", "--reason", "no such sale"}, &out), 0) << out;
    add(conversion("t1", "BOB", "o1", 10000, "carol"));
    add(conversion("s1", "BOB", "o3", 7000, "bob"));                            // self-referral
    add(with(conversion("u1", "BOB", "o4", 3000, "erin"), "currency", "USD"));  // wrong currency
    add(click("c1", "NOBODY"));  // a refused click is never notified
    wait_applied();
    ASSERT_EQ(rejected_reasons(),
              (std::vector<std::string>{"held_rejected", "superseded", "self_referral",
                                        "currency_mismatch", "unknown_code"}));
    ASSERT_TRUE(testing_support::eventually([&] { return all_delivered_once(receiver); }))
        << all_delivered_once(receiver);

    std::map<std::string, nlohmann::json> held = of_type(receiver, "conversion.held");
    ASSERT_EQ(held.size(), 2u);
    nlohmann::json h1 = held["o1"]["data"];
    EXPECT_EQ(h1["code"], "BOB");
    EXPECT_EQ(h1["customer"], "carol");
    EXPECT_EQ(h1["amount"], 10000);
    EXPECT_EQ(h1["currency"], "EUR");
    EXPECT_EQ(h1["site"], "shop");
    EXPECT_EQ(h1["state"], "pending");
    EXPECT_TRUE(h1["level"].is_null());
    EXPECT_TRUE(h1["reason"].is_null());
    EXPECT_EQ(held["o2"]["data"]["amount"], 5000);

    std::map<std::string, nlohmann::json> rejected = of_type(receiver, "conversion.rejected");
    ASSERT_EQ(rejected.size(), 4u);
    EXPECT_EQ(rejected["o1"]["data"]["reason"], "superseded");
    EXPECT_EQ(rejected["o1"]["data"]["customer"], "carol");
    EXPECT_EQ(rejected["o1"]["data"]["amount"], 10000);
    EXPECT_EQ(rejected["o2"]["data"]["reason"], "held_rejected");
    EXPECT_EQ(rejected["o3"]["data"]["reason"], "self_referral");
    EXPECT_EQ(rejected["o3"]["data"]["code"], "BOB");
    EXPECT_EQ(rejected["o3"]["data"]["customer"], "bob");
    EXPECT_EQ(rejected["o3"]["data"]["amount"], 7000);
    EXPECT_EQ(rejected["o4"]["data"]["reason"], "currency_mismatch");
    EXPECT_EQ(rejected["o4"]["data"]["currency"], "USD");
    for (const auto &[order, body] : rejected) {
        EXPECT_TRUE(body["data"]["state"].is_null()) << body;
        EXPECT_EQ(body["data"]["site"], "shop") << body;
    }
    EXPECT_EQ(of_type(receiver, "reward.pending").size(), 1u);  // o1, two levels
    EXPECT_EQ(receiver.requests().size(), 8u);

    // The books are the rewards of o1 alone: the notes move nothing and count nowhere.
    EXPECT_EQ(balance("code:BOB", "pending"), 1000);
    EXPECT_EQ(balance("code:ALICE", "pending"), 500);
    std::map<std::string, int64_t> sums;  // account → what the ledger moved into pending
    for (const Entry &e : ledger()) {
        if (e.at("kind") == "held" || e.at("kind") == "rejected") {
            EXPECT_EQ(e.at("from"), "");
            EXPECT_EQ(e.at("to"), "");
            EXPECT_EQ(e.count("account"), 0u);
        } else {
            sums[e.at("account")] += std::stoll(e.at("amount"));
        }
    }
    EXPECT_EQ(sums, (std::map<std::string, int64_t>{{"code:ALICE", 500}, {"code:BOB", 1000}}));
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    auto report = nlohmann::json::parse(out);
    EXPECT_EQ(report["conversions"], 1);
    EXPECT_EQ(report["held"], 0);
    for (const auto &code : report["codes"]) {
        EXPECT_EQ(code["conversions"], code["code"] == "BOB" ? 1 : 0) << code;
    }
}

TEST_F(WebhookTest, ExpiredHeldConversionIsNotifiedAsRejected) {
    WebhookReceiver receiver;
    std::string config = programme({&receiver});
    config.insert(config.find("[programme]\n") + 12, "held_ttl = \"1s\"\n");
    start(config);
    enroll("bob", "BOB");
    add(with(conversion("h1", "BOB", "o1", 10000, "carol"), "trust", "request"));
    wait_applied();
    ASSERT_TRUE(testing_support::eventually(
        [&] { return of_type(receiver, "conversion.rejected").size() == 1; },
        std::chrono::seconds(30)))
        << testing_support::read_file(dir_.path() + "/rewardd.log");
    nlohmann::json data = of_type(receiver, "conversion.rejected")["o1"]["data"];
    EXPECT_EQ(data["reason"], "held_expired");
    EXPECT_EQ(data["code"], "BOB");
    EXPECT_EQ(data["amount"], 10000);
    EXPECT_EQ(of_type(receiver, "conversion.held").size(), 1u);
    EXPECT_TRUE(movements().empty());
}

TEST_F(WebhookTest, EveryMovementOnceSignedAndTyped) {
    WebhookReceiver all, payouts;
    std::string config = programme({&all}) + "\n[[webhook]]\nurl = \"" + payouts.url() +
                         "\"\nsecret_file = \"" + dir_.path() +
                         "/webhook.secret\"\nevents = [\"payout.created\"]\n";
    start(config);
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    scripted("1");
    ASSERT_TRUE(testing_support::eventually([&] { return all_delivered_once(all); }))
        << all_delivered_once(all);

    std::map<std::string, std::string> types;  // entry id → type
    for (const Received &r : all.requests()) {
        auto body = nlohmann::json::parse(r.body);
        types[body["id"]] = body["type"];
        EXPECT_EQ(body["data"]["currency"], "EUR");
        EXPECT_TRUE(body["data"]["amount"].is_number_integer()) << r.body;
    }
    std::multiset<std::string> seen;
    for (const auto &[id, type] : types) {
        seen.insert(type);
    }
    // Two levels per conversion: 2 pending, 2 reversed (the refund of the pending order),
    // 2 pending then approved (the old order), 1 payout (BOB's approved level 1).
    EXPECT_EQ(seen,
              (std::multiset<std::string>{"reward.pending", "reward.pending", "reward.pending",
                                          "reward.pending", "reward.reversed", "reward.reversed",
                                          "reward.approved", "reward.approved", "payout.created"}));
    ASSERT_TRUE(testing_support::eventually([&] { return payouts.requests().size() == 1; }));
    auto payout = nlohmann::json::parse(payouts.requests()[0].body);
    EXPECT_EQ(payout["type"], "payout.created");
    EXPECT_EQ(payout["data"]["code"], "BOB");
    EXPECT_EQ(payout["data"]["customer"], "bob");
    EXPECT_EQ(payout["data"]["state"], "paid");
    EXPECT_EQ(payout["data"]["amount"], 500);
    EXPECT_NE(payouts.requests()[0].id, all.requests()[0].id);  // webhook-id is per receiver
    EXPECT_TRUE(testing_support::eventually(
        [&] { return metric("referral_rewardd_webhook_delivered_total") == 10; }));
}

TEST_F(WebhookTest, OutageAndSigkillLoseNothing) {
    WebhookReceiver receiver;
    receiver.set(WebhookReceiver::Mode::kFail);
    start(programme({&receiver}));
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    scripted("1");
    // A first attempt and a retry, both refused.
    ASSERT_TRUE(testing_support::eventually([&] { return receiver.requests().size() >= 2; },
                                            std::chrono::seconds(30)));
    ASSERT_TRUE(testing_support::eventually(
        [&] { return metric("referral_rewardd_webhook_retried_total") >= 1; }));
    daemon_.signal(SIGKILL);
    daemon_.wait(std::chrono::seconds(10));
    receiver.set(WebhookReceiver::Mode::kOk);
    daemon_ = spawn("rewardd2.log");
    scripted("2");
    ASSERT_TRUE(testing_support::eventually([&] { return all_delivered_once(receiver); },
                                            std::chrono::seconds(60)))
        << all_delivered_once(receiver);
    // The refused attempts came under the same webhook-id as the delivery.
    std::map<std::string, std::set<std::string>> ids;  // entry → webhook-ids
    for (const Received &r : receiver.requests()) {
        ids[nlohmann::json::parse(r.body)["id"]].insert(r.id);
    }
    for (const auto &[entry, webhook_ids] : ids) {
        EXPECT_EQ(webhook_ids.size(), 1u) << entry;
    }
}

TEST_F(WebhookTest, DeadLetterAfterMaxAgeAndRedirectsNeverFollowed) {
    WebhookReceiver failing, redirecting;
    failing.set(WebhookReceiver::Mode::kFail);
    redirecting.set(WebhookReceiver::Mode::kRedirect);
    start(programme({&failing, &redirecting}, "max_age = \"1s\"\n"));
    enroll("bob", "BOB");
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    ASSERT_EQ(ledger().size(), 1u);
    std::string entry = ledger_ids()[0];
    ASSERT_TRUE(testing_support::eventually(
        [&] { return redis_.stream(key("webhooks:dead")).size() == 2; }, std::chrono::seconds(30)));
    std::set<std::string> receivers;
    for (const Entry &dead : redis_.stream(key("webhooks:dead"))) {
        EXPECT_EQ(dead.at("entry"), entry);
        EXPECT_EQ(dead.at("type"), "reward.pending");
        EXPECT_EQ(dead.at("webhook_id"), "msg_" + dead.at("receiver") + "_" + entry);
        EXPECT_NE(dead.at("error"), "");
        receivers.insert(dead.at("url"));
    }
    EXPECT_EQ(receivers, (std::set<std::string>{failing.url(), redirecting.url()}));
    EXPECT_GE(failing.requests().size(), 1u);
    EXPECT_GE(redirecting.requests().size(), 1u);
    EXPECT_EQ(redirecting.strays(), 0u);
    EXPECT_TRUE(testing_support::eventually(
        [&] { return metric("referral_rewardd_webhook_dead_total") == 2; }));
    // Given up for good: nothing pending in either receiver's group.
    Reply groups = redis_.command({"XINFO", "GROUPS", key("ledger")});
    for (size_t i = 0; i < groups->elements; ++i) {
        const redisReply *g = groups->element[i];
        for (size_t j = 0; j + 1 < g->elements; j += 2) {
            if (std::string(g->element[j]->str) == "pending") {
                EXPECT_EQ(g->element[j + 1]->integer, 0);
            }
        }
    }
}

TEST_F(WebhookTest, UntrustedCertificateIsNeverSentAnything) {
    std::string cert = dir_.path() + "/cert.pem", key_file = dir_.path() + "/key.pem", out;
    ASSERT_EQ(testing_support::run_command(
                  {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                   key_file, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"},
                  &out),
              0)
        << out;
    WebhookReceiver self_signed(cert, key_file);
    start(programme({&self_signed}, "max_age = \"1s\"\n"));
    enroll("bob", "BOB");
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    ASSERT_TRUE(testing_support::eventually(
        [&] { return redis_.stream(key("webhooks:dead")).size() == 1; }, std::chrono::seconds(30)));
    EXPECT_EQ(redis_.stream(key("webhooks:dead"))[0].at("error"), "SSLServerVerification");
    EXPECT_EQ(self_signed.requests().size(), 0u);
}

TEST_F(WebhookTest, HangingReceiverDelaysNobody) {
    WebhookReceiver hanging, healthy;
    hanging.set(WebhookReceiver::Mode::kHang);
    start(programme({&hanging, &healthy}, "timeout = \"60s\"\n"));
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    for (int i = 0; i < 5; ++i) {
        add(conversion("e" + std::to_string(i), "BOB", "o" + std::to_string(i), 10000,
                       "c" + std::to_string(i)));
    }
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "pending"), 5000);
    ASSERT_TRUE(testing_support::eventually([&] { return all_delivered_once(healthy); }))
        << all_delivered_once(healthy);
    // The hanging receiver has its first request and holds it.
    ASSERT_TRUE(testing_support::eventually([&] { return hanging.arrived() == 1; }));
    EXPECT_EQ(hanging.requests().size(), 0u);
    hanging.release();
    ASSERT_TRUE(testing_support::eventually([&] { return all_delivered_once(hanging); },
                                            std::chrono::seconds(30)))
        << all_delivered_once(hanging);
}

TEST_F(WebhookTest, CheckNamesTheKey) {
    WebhookReceiver receiver;
    auto check = [&](const std::string &webhook) {
        configure(std::string(kProgramme) + "\n" + webhook);
        std::string out;
        EXPECT_EQ(cli({"check"}, &out), 2) << out;
        return out;
    };
    std::string secret = dir_.path() + "/webhook.secret";
    testing_support::write_file(secret, std::string(kSecret) + "\n");
    EXPECT_NE(check("[[webhook]]\nurl = \"ftp://x/\"\nsecret_file = \"" + secret + "\"\n")
                  .find("webhook[0].url"),
              std::string::npos);
    EXPECT_NE(check("[[webhook]]\nurl = \"" + receiver.url() + "\"\nsecret_file = \"" +
                    dir_.path() + "/missing\"\n")
                  .find("webhook[0].secret_file"),
              std::string::npos);
    EXPECT_NE(check("[[webhook]]\nurl = \"" + receiver.url() + "\"\nsecret_file = \"" + secret +
                    "\"\nevents = [\"reward.credited\"]\n")
                  .find("webhook[0].events: unknown event type"),
              std::string::npos);
}

}  // namespace
}  // namespace rewardd_test
