// Fraud limits and the trust policy for request-sourced conversions.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

TEST_F(RewarddTest, ClicksPerIpPerHour) {
    start(R"(
[referrer]
percent = 10

[limits]
clicks_per_ip_per_hour = 3
)");
    enroll("alice", "ALICE");
    for (int i = 0; i < 5; ++i) {
        add(click("c" + std::to_string(i), "ALICE", "ip-a", "tg"));
    }
    add(click("c5", "ALICE", "ip-b", "fb"));
    wait_applied();
    EXPECT_EQ(hget(key("stats:ALICE"), "clicks"), "4");
    EXPECT_EQ(hget(key("stats:ALICE"), "src:tg"), "3");
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{"click_limit", "click_limit"}));
    EXPECT_EQ(rejected().at(0).at("detail"), "ip-a");
}

TEST_F(RewarddTest, ConversionsPerReferrerPerDay) {
    start(R"(
[referrer]
percent = 10

[limits]
conversions_per_referrer_per_day = 2
)");
    enroll("alice", "ALICE");
    enroll("bob", "BOB");
    for (int i = 0; i < 4; ++i) {
        add(conversion("a" + std::to_string(i), "ALICE", "oa" + std::to_string(i), 10000));
    }
    add(conversion("b0", "BOB", "ob0", 10000));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
    EXPECT_EQ(balance("code:BOB", "approved"), 1000);
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"conversion_limit", "conversion_limit"}));
}

TEST_F(RewarddTest, RewardCapPerReferrerPerMonth) {
    start(R"(
[programme]
currency = "EUR"

[referrer]
levels = [15, 5]

[friend]
fixed = "1.00"

[limits]
reward_cap_per_referrer_per_month = "40.00"
)");
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    // bob earns 15.00 per order: 15 + 15 + 10 (capped) + 0; alice 5.00 each, under the cap.
    for (int i = 0; i < 4; ++i) {
        add(conversion("e" + std::to_string(i), "BOB", "o" + std::to_string(i), 10000,
                       "buyer" + std::to_string(i)));
    }
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), 4000);
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(balance("customer:buyer" + std::to_string(i), "approved"), 100);  // no cap
    }
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{"reward_cap", "reward_cap"}));
    EXPECT_EQ(rejected().at(0).at("detail"), "code:BOB level 1 1500 capped to 1000");
    EXPECT_EQ(hget(key("stats:BOB"), "conversions"), "4");  // the orders still count
}

TEST_F(RewarddTest, TrustPolicies) {
    start(R"(
[programme]
trust_request = "reject"

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(with(conversion("e1", "ALICE", "o1", 10000), "trust", "request"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"untrusted"});

    start(R"(
[programme]
trust_request = "accept"

[referrer]
percent = 10
)");
    add(with(conversion("e2", "ALICE", "o2", 10000), "trust", "request"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
}

}  // namespace
}  // namespace rewardd_test
