// No amount, however large or however often it comes, makes a script fail halfway: statistics
// saturate, balances refuse what would overflow before anything is written.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::Reply;

constexpr char kInt64Max[] = "9223372036854775807";
constexpr int64_t kLargestAmount = (int64_t{1} << 53) - 1;  // the largest an event may carry

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 10

[limits]
conversions_per_referrer_per_day = 100
reward_cap_per_referrer_per_month = "10.00"
)";

TEST_F(RewarddTest, StatisticsSaturateInsteadOfLockingTheCodeOut) {
    start("[referrer]\npercent = 10\n");
    enroll("alice", "ALICE");
    // As after about a thousand orders of the largest amount.
    redis_.command({"HSET", key("stats:ALICE"), "revenue:EUR", "9223372036854775000",
                    "refunded:EUR", "9223372036854775000"});
    add(conversion("e1", "ALICE", "o1", kLargestAmount, "carol"));
    add(conversion("e2", "ALICE", "o2", kLargestAmount, "dave"));
    add(refund("r1", "o1"));
    wait_applied();
    EXPECT_TRUE(rejected().empty());
    EXPECT_EQ(hget(key("stats:ALICE"), "revenue:EUR"), kInt64Max);
    EXPECT_EQ(hget(key("stats:ALICE"), "refunded:EUR"), kInt64Max);
    EXPECT_EQ(hget(key("stats:ALICE"), "conversions"), "2");
    EXPECT_EQ(hget(key("stats:ALICE"), "refunds"), "1");
    std::vector<Entry> entries = ledger();
    ASSERT_EQ(entries.size(), 3u);  // two rewards, one reversal
    EXPECT_EQ(entries[0].at("event"), "e1");
    EXPECT_EQ(entries[0].at("amount"), std::to_string(kLargestAmount / 10));
    EXPECT_EQ(entries[1].at("event"), "e2");
    EXPECT_EQ(entries[2].at("kind"), "reversal");
    EXPECT_EQ(balance("code:ALICE", "approved"), kLargestAmount / 10);

    std::string out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    EXPECT_NE(out.find(kInt64Max), std::string::npos) << out;
}

TEST_F(RewarddTest, ABalanceThatWouldOverflowIsRefusedBeforeAnyWrite) {
    start(kProgramme);
    enroll("alice", "ALICE");
    enroll("bob", "BOB");
    // 2^52 minor units is as much as one account may hold in one currency.
    redis_.command({"HSET", key("balance:EUR"), "code:ALICE:paid", "4503599627370496"});
    // Its reward (capped to 10.00) would pass the limit.
    add(conversion("e1", "ALICE", "o1", 1000000, "carol"));
    add(conversion("e2", "BOB", "o2", 10000, "dave"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"balance_limit"});
    EXPECT_EQ(rejected().at(0).at("detail"), "code:ALICE EUR");
    // Nothing of e1 was written: no order, statistics, referral, limit count or cap use.
    EXPECT_EQ(redis_.command({"EXISTS", key("stats:ALICE")})->integer, 0);
    EXPECT_EQ(hget(key("referred_by"), "carol"), "");
    Reply limits = redis_.command({"KEYS", key("limit:*")});
    for (size_t i = 0; i < limits->elements; ++i) {
        std::string k(limits->element[i]->str, limits->element[i]->len);
        Reply alice = redis_.command({"HGETALL", k});
        for (size_t j = 0; j < alice->elements; j += 2) {
            EXPECT_EQ(std::string(alice->element[j]->str).find("ALICE"), std::string::npos) << k;
        }
    }
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_EQ(balance("code:ALICE", "paid"), 4503599627370496);
    // Others earn as before, and the ledger moves BOB's money only.
    EXPECT_EQ(balance("code:BOB", "approved"), 1000);
    std::vector<Entry> entries = movements();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].at("account"), "code:BOB");
    EXPECT_EQ(ledger().size(), 2u);  // and e1, rejected
}

}  // namespace
}  // namespace rewardd_test
