// Many events of one code or one address in one batch: the counters a batch writes once at its
// end (docs/design.md#life-of-an-event) decide limits and caps exactly as writes made at once.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

// The events are in the stream before the daemon starts: one read, one batch. They all carry
// the same time, so no hour, day or month ends among them.
class BatchLimitsTest : public RewarddTest {
  protected:
    void add_at_once(std::vector<Event> events) {
        std::string ts = std::to_string(now_ms());
        for (Event &e : events) {
            e = with(e, "ts", ts);
        }
        add_all(events);
        daemon_ = spawn();
        wait_applied();
    }

    void run_in_one_batch(const std::string &programme, const std::vector<Event> &events) {
        configure(programme);
        enroll("alice", "ALICE");
        enroll("bob", "BOB", "ALICE");
        add_at_once(events);
    }
};

TEST_F(BatchLimitsTest, ExactlyTheLimitOfClicksPerAddress) {
    constexpr int kLimit = 7;
    std::vector<Event> events;
    for (int i = 0; i < 3 * kLimit; ++i) {
        std::string n = std::to_string(i);
        events.push_back(click("a" + n, "ALICE", "ip-a", "tg"));
        events.push_back(click("b" + n, i % 2 ? "ALICE" : "BOB", "ip-b" + std::to_string(i % 3)));
    }
    events.push_back(click("a0", "ALICE", "ip-a", "tg"));  // a replay within the batch
    run_in_one_batch("[referrer]\npercent = 10\n[limits]\nclicks_per_ip_per_hour = " +
                         std::to_string(kLimit) + "\n",
                     events);
    // ip-a: 7 of 21; ip-b0, ip-b1, ip-b2: all 7 each, 10 to ALICE and 11 to BOB.
    EXPECT_EQ(hget(key("stats:ALICE"), "clicks"), std::to_string(kLimit + 10));
    EXPECT_EQ(hget(key("stats:ALICE"), "src:tg"), std::to_string(kLimit));
    EXPECT_EQ(hget(key("stats:BOB"), "clicks"), "11");
    std::vector<std::string> reasons = rejected_reasons();
    EXPECT_EQ(reasons, std::vector<std::string>(2 * kLimit, "click_limit"));
    for (const Entry &r : rejected()) {
        EXPECT_EQ(r.at("detail"), "ip-a");
    }
    // Refused clicks count against the address too, the replay does not.
    testing_support::Reply hours = redis_.command({"KEYS", key("limit:clicks:*")});
    ASSERT_TRUE(hours);
    ASSERT_EQ(hours->elements, 1u);
    EXPECT_EQ(hget(hours->element[0]->str, "ip-a"), std::to_string(3 * kLimit));
    EXPECT_EQ(hget(hours->element[0]->str, "ip-b0"), std::to_string(kLimit));
}

TEST_F(BatchLimitsTest, ExactlyTheDailyLimitAndTheMonthlyCap) {
    std::vector<Event> events;
    for (int i = 0; i < 12; ++i) {
        std::string n = std::to_string(i);
        events.push_back(conversion("e" + n, "BOB", "o" + n, 10000, "buyer" + n));
    }
    run_in_one_batch(R"(
[programme]
currency = "EUR"

[referrer]
levels = [15, 5]

[limits]
conversions_per_referrer_per_day = 9
reward_cap_per_referrer_per_month = "100.00"
)",
                     events);
    // 9 orders a day for BOB: 15.00 each to BOB until the cap (6 × 15 + 10), 5.00 to ALICE.
    EXPECT_EQ(balance("code:BOB", "approved"), 10000);
    EXPECT_EQ(balance("code:ALICE", "approved"), 4500);
    EXPECT_EQ(hget(key("stats:BOB"), "conversions"), "9");
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{
                                      "reward_cap", "reward_cap", "reward_cap", "conversion_limit",
                                      "conversion_limit", "conversion_limit"}));
    EXPECT_EQ(rejected().at(0).at("detail"), "code:BOB level 1 1500 capped to 1000");
    EXPECT_EQ(rejected().at(1).at("detail"), "code:BOB level 1 1500 capped to 0");
}

TEST_F(BatchLimitsTest, StatisticsSaturateWhenTheBatchIsWritten) {
    std::vector<Event> events;
    for (int i = 0; i < 5; ++i) {
        std::string n = std::to_string(i);
        events.push_back(conversion("e" + n, "ALICE", "o" + n, 1000000, "buyer" + n));
    }
    configure("[programme]\ncurrency = \"EUR\"\n[referrer]\npercent = 10\n");
    enroll("alice", "ALICE");
    // Room for two of the five amounts below the int64 maximum, and a revenue Lua cannot hold
    // exactly: both end where additions made one at a time would have left them.
    redis_.command({"HSET", key("stats:ALICE"), "revenue:EUR", "9223372036852775807"});
    redis_.command({"HSET", key("stats:BOB"), "revenue:EUR", "4503599627367996"});
    for (int i = 0; i < 4; ++i) {
        std::string n = std::to_string(i);
        events.push_back(conversion("f" + n, "BOB", "p" + n, 1000, "friend" + n));
    }
    enroll("bob", "BOB");
    add_at_once(events);
    EXPECT_TRUE(rejected().empty());
    EXPECT_EQ(hget(key("stats:ALICE"), "revenue:EUR"), "9223372036854775807");
    EXPECT_EQ(hget(key("stats:ALICE"), "conversions"), "5");
    EXPECT_EQ(hget(key("stats:BOB"), "revenue:EUR"), "4503599627371996");
    EXPECT_EQ(balance("code:ALICE", "approved"), 500000);
}

}  // namespace
}  // namespace rewardd_test
