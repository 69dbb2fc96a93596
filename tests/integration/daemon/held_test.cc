// Conversions held for approval (trust=request under hold_for_approval): recorded only, until a
// trusted conversion of the same order supersedes them, `approve` applies them, `reject` drops
// them, or they expire. The ledger notes each one held and each one rejected, moving nothing.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 10

[limits]
conversions_per_referrer_per_day = 1
reward_cap_per_referrer_per_month = "10.00"
)";

using testing_support::Reply;

Event requested(Event event) {
    return with(std::move(event), "trust", "request");
}

class HeldTest : public RewarddTest {
  protected:
    bool held_anything() {
        Reply r = redis_.command({"KEYS", key("held:*")});
        return r->type == REDIS_REPLY_ARRAY && r->elements > 0;
    }
    int64_t held_expiring() {
        Reply r = redis_.command({"ZCARD", key("held_expiry")});
        return r->integer;
    }
    // The ledger's notes of conversions: "held <event> <order>", "rejected <event> <order>
    // <reason>"; each moves nothing.
    std::vector<std::string> notes() {
        std::vector<std::string> out;
        for (const Entry &e : ledger()) {
            if (e.at("kind") != "held" && e.at("kind") != "rejected") {
                continue;
            }
            EXPECT_EQ(e.at("from") + e.at("to"), "");
            std::string note = e.at("kind") + " " + e.at("event") + " " + e.at("order");
            if (e.at("kind") == "rejected") {
                note += " " + e.at("reason");
            }
            out.push_back(note);
        }
        return out;
    }
};

TEST_F(HeldTest, HeldConversionChangesNothingAndTheTrustedOneSupersedesIt) {
    start(kProgramme);
    enroll("alice", "ALICE");
    enroll("mallory", "MALLORY");
    // Mallory claims alice's buyer's order first, from the request alone; a second claim of the
    // same order waits behind the first.
    add(requested(conversion("m1", "MALLORY", "o1", 10000, "carol")));
    add(requested(conversion("m2", "MALLORY", "o1", 10000, "carol")));
    // A held conversion of ALICE's own uses none of her daily limit or monthly cap.
    add(requested(conversion("a1", "ALICE", "o2", 10000, "dave")));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"already_held"});
    EXPECT_EQ(rejected().at(0).at("detail"), "m1");
    EXPECT_TRUE(held_anything());
    EXPECT_EQ(held_expiring(), 2);
    for (const char *code : {"ALICE", "MALLORY"}) {
        Reply stats = redis_.command({"HLEN", key(std::string("stats:") + code)});
        EXPECT_EQ(stats->integer, 0) << code << ": a held conversion counts in no statistic";
    }
    EXPECT_EQ(balance("code:MALLORY", "pending"), 0);
    EXPECT_EQ(balance("code:ALICE", "pending"), 0);
    EXPECT_TRUE(movements().empty());
    EXPECT_EQ(notes(), (std::vector<std::string>{"held m1 o1", "rejected m2 o1 already_held",
                                                 "held a1 o2"}));
    EXPECT_EQ(hget(key("referred_by"), "carol"), "");

    // The shop's trusted conversion of o1 settles it for ALICE, within her limit and cap.
    add(conversion("t1", "ALICE", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(balance("code:MALLORY", "approved"), 0);
    EXPECT_EQ(balance("code:MALLORY", "pending"), 0);
    EXPECT_EQ(hget(key("stats:ALICE"), "conversions"), "1");
    EXPECT_EQ(hget(key("stats:ALICE"), "revenue:EUR"), "10000");
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{"already_held", "superseded"}));
    Entry superseded = rejected().at(1);
    EXPECT_EQ(superseded.at("detail"), "t1");
    EXPECT_EQ(superseded.at("id"), "m1");
    EXPECT_EQ(superseded.at("code"), "MALLORY");
    EXPECT_EQ(superseded.at("order"), "o1");
    EXPECT_EQ(superseded.at("amount"), "10000");
    EXPECT_EQ(held_expiring(), 1);  // ALICE's o2 only

    // A request-sourced conversion of a settled order is not held at all.
    add(requested(conversion("m3", "MALLORY", "o1", 10000, "carol")));
    wait_applied();
    EXPECT_EQ(rejected_reasons().back(), "duplicate_order");
    EXPECT_EQ(held_expiring(), 1);
    EXPECT_EQ(notes(), (std::vector<std::string>{"held m1 o1", "rejected m2 o1 already_held",
                                                 "held a1 o2", "rejected m1 o1 superseded",
                                                 "rejected m3 o1 duplicate_order"}));
    EXPECT_EQ(movements().size(), 1u);
}

TEST_F(HeldTest, ApproveShowsWhatItAppliesAsIfTrusted) {
    start(kProgramme);
    enroll("alice", "ALICE");
    add(requested(conversion("e1", "ALICE", "o1", 9999, "carol")));
    wait_applied();

    std::string out;
    ASSERT_EQ(cli({"report"}, &out), 0) << out;
    EXPECT_NE(out.find("\n1 conversions held for approval: approve or reject them\n"),
              std::string::npos)
        << out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    EXPECT_NE(out.find("\"held\": 1"), std::string::npos) << out;
    ASSERT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 0) << out;
    EXPECT_EQ(out, "code ALICE amount 99.99 EUR customer carol\napproved\n");
    EXPECT_EQ(balance("code:ALICE", "approved"), 999);
    EXPECT_EQ(hget(key("stats:ALICE"), "conversions"), "1");
    EXPECT_EQ(hget(key("referred_by"), "carol"), "ALICE");
    std::vector<Entry> entries = movements();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].at("kind"), "reward");
    EXPECT_EQ(notes(), std::vector<std::string>{"held e1 o1"});
    EXPECT_EQ(entries[0].at("event"), "e1");
    EXPECT_EQ(entries[0].at("order"), "o1");
    EXPECT_FALSE(held_anything());
    EXPECT_EQ(held_expiring(), 0);
    EXPECT_TRUE(rejected().empty());
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    EXPECT_NE(out.find("\"held\": 0"), std::string::npos) << out;

    // Approved once: nothing is held for it any more.
    EXPECT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 1);
    EXPECT_NE(out.find("no conversion is held"), std::string::npos) << out;
    EXPECT_EQ(cli({"approve", "--site", "shop", "nope"}, &out), 1);
    EXPECT_NE(out.find("no conversion is held"), std::string::npos) << out;
    EXPECT_EQ(balance("code:ALICE", "approved"), 999);
}

TEST_F(HeldTest, ApprovalObeysTheRulesAsTheyStandThen) {
    start(kProgramme);
    enroll("alice", "ALICE");
    add(requested(conversion("e1", "ALICE", "o1", 10000)));
    add(conversion("e2", "ALICE", "o2", 10000));  // takes the day's one conversion
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);

    std::string out;
    EXPECT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 1) << out;
    EXPECT_EQ(out, "code ALICE amount 100.00 EUR\nrejected: conversion_limit\n");
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"conversion_limit"});
    EXPECT_EQ(rejected().at(0).at("id"), "e1");
    EXPECT_FALSE(held_anything());
    EXPECT_EQ(held_expiring(), 0);
    EXPECT_EQ(notes(), (std::vector<std::string>{"held e1 o1", "rejected e1 o1 conversion_limit"}));
}

TEST_F(HeldTest, ApprovalHandsOverToThePayoutHold) {
    start(R"(
[programme]
currency = "EUR"
hold = "1d"

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(requested(conversion("e1", "ALICE", "o1", 10000)));
    // Bought long ago: its hold ended while it waited.
    add(with(requested(conversion("e2", "ALICE", "o2", 20000)), "ts", "1000000000000"));
    wait_applied();
    std::string out;
    ASSERT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 0) << out;
    EXPECT_EQ(out.rfind("code ALICE amount 100.00 EUR\npending until ", 0), 0u) << out;
    EXPECT_EQ(balance("code:ALICE", "pending"), 1000);
    ASSERT_EQ(cli({"approve", "--site", "shop", "o2"}, &out), 0) << out;
    EXPECT_EQ(out, "code ALICE amount 200.00 EUR\napproved\n");
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
    EXPECT_EQ(balance("code:ALICE", "pending"), 1000);
}

TEST_F(HeldTest, RejectDropsItWithTheReason) {
    start(kProgramme);
    enroll("alice", "ALICE");
    add(requested(conversion("e1", "ALICE", "o1", 10000, "carol")));
    wait_applied();
    std::string out;
    ASSERT_EQ(cli({"reject", "--site", "shop", "o1", "--reason", "no such sale in the shop"}, &out),
              0)
        << out;
    EXPECT_EQ(out, "code ALICE amount 100.00 EUR customer carol\nrejected\n");
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"held_rejected"});
    Entry r = rejected().at(0);
    EXPECT_EQ(r.at("detail"), "no such sale in the shop");
    EXPECT_EQ(r.at("id"), "e1");
    EXPECT_EQ(r.at("trust"), "request");
    EXPECT_FALSE(held_anything());
    EXPECT_EQ(held_expiring(), 0);
    EXPECT_TRUE(movements().empty());
    EXPECT_EQ(notes(), (std::vector<std::string>{"held e1 o1", "rejected e1 o1 held_rejected"}));
    EXPECT_EQ(ledger().back().at("detail"), "no such sale in the shop");

    EXPECT_EQ(cli({"reject", "--site", "shop", "o1"}, &out), 1);
    EXPECT_NE(out.find("no conversion is held for order o1 at shop"), std::string::npos) << out;
    EXPECT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 1);
    // Rejected, the order is still open to the shop's trusted conversion.
    add(conversion("e2", "ALICE", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
}

TEST_F(HeldTest, OrdersAnEarlierVersionCreditedWhileAwaitingApproval) {
    start(kProgramme);
    // Such an order, as an earlier version wrote it: credited as pending, with no due time.
    const std::string order =
        key("order:shop:2352da7280f1decc3acf1ba84eb945c9fc2b7b541094e1d0992dbffd1b6664cc");
    redis_.command({"HSET",     order,
                    "id",       "e1",
                    "site",     "shop",
                    "order",    "o1",
                    "code",     "ALICE",
                    "customer", "",
                    "amount",   "10000",
                    "currency", "EUR",
                    "ts",       std::to_string(now_ms()),
                    "state",    "awaiting_approval",
                    "due",      "0",
                    "refunded", "0",
                    "n",        "1",
                    "version",  "1",
                    "r1",       "code:ALICE EUR 1000 referrer 1",
                    "r1:left",  "1000"});
    redis_.command({"HSET", key("balance:EUR"), "code:ALICE:pending", "1000"});
    std::string out;
    ASSERT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 0) << out;
    EXPECT_EQ(out, "approved\n");
    EXPECT_EQ(balance("code:ALICE", "pending"), 0);
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 1);
    EXPECT_NE(out.find("order is approved: no conversion is held for it"), std::string::npos)
        << out;
}

TEST_F(HeldTest, HeldConversionsExpire) {
    start(R"(
[programme]
currency = "EUR"
held_ttl = "1s"

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(requested(conversion("e1", "ALICE", "o1", 10000)));
    wait_applied();
    ASSERT_TRUE(testing_support::eventually(
        [&] { return rejected_reasons() == std::vector<std::string>{"held_expired"}; },
        std::chrono::seconds(30)))
        << testing_support::read_file(dir_.path() + "/rewardd.log");
    EXPECT_EQ(rejected().at(0).at("id"), "e1");
    EXPECT_FALSE(held_anything());
    EXPECT_EQ(held_expiring(), 0);
    EXPECT_TRUE(movements().empty());
    EXPECT_EQ(notes(), (std::vector<std::string>{"held e1 o1", "rejected e1 o1 held_expired"}));
    std::string out;
    EXPECT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 1);
}

}  // namespace
}  // namespace rewardd_test
