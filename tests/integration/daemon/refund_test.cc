// Refunds, the payout hold, and payouts.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kHeld[] = R"(
[programme]
currency = "EUR"
hold = "2s"

[referrer]
levels = [15, 5]

[friend]
fixed = "5.00"
)";

constexpr char kNoHold[] = R"(
[programme]
currency = "EUR"

[referrer]
levels = [15, 5]

[friend]
fixed = "5.00"
)";

class RefundTest : public RewarddTest {
  protected:
    void chain() {
        enroll("alice", "ALICE");
        enroll("bob", "BOB", "ALICE");
    }
    std::vector<Entry> kind(const std::string &k) {
        std::vector<Entry> out;
        for (Entry &e : ledger()) {
            if (e.at("kind") == k) {
                out.push_back(e);
            }
        }
        return out;
    }
};

TEST_F(RefundTest, FullRefundReturnsEveryBalanceToZero) {
    start(kHeld);
    chain();
    add(conversion("e1", "BOB", "o1", 12345, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "pending"), 1851);
    EXPECT_EQ(balance("code:ALICE", "pending"), 617);
    EXPECT_EQ(balance("customer:carol", "pending"), 500);

    std::string out;
    ASSERT_EQ(cli({"refund", "--site", "shop", "o1"}, &out), 0) << out;
    wait_applied();
    for (const char *account : {"code:BOB", "code:ALICE", "customer:carol"}) {
        EXPECT_EQ(balance(account, "pending"), 0) << account;
        EXPECT_EQ(balance(account, "approved"), 0) << account;
    }
    std::vector<Entry> reversals = kind("reversal");
    ASSERT_EQ(reversals.size(), 3u);
    EXPECT_EQ(reversals[0].at("account"), "code:BOB");
    EXPECT_EQ(reversals[0].at("amount"), "1851");
    EXPECT_EQ(reversals[0].at("from"), "pending");
    EXPECT_EQ(reversals[0].at("to"), "");
    EXPECT_EQ(reversals[1].at("amount"), "617");
    EXPECT_EQ(reversals[2].at("amount"), "500");
    EXPECT_EQ(hget(key("stats:BOB"), "refunded:EUR"), "12345");

    // Nothing is left waiting for the hold, and a second refund is refused.
    EXPECT_EQ(redis_.command({"ZCARD", key("due")})->integer, 0);
    add(refund("r2", "o1"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"already_refunded"});
}

TEST_F(RefundTest, PartialRefundsReverseInProportion) {
    start(kNoHold);
    chain();
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    add(refund("r1", "o1", 3333));
    wait_applied();
    // floor(1500 * 3333 / 10000) = 499, floor(500 * 0.3333) = 166 (both parties)
    EXPECT_EQ(balance("code:BOB", "approved"), 1500 - 499);
    EXPECT_EQ(balance("code:ALICE", "approved"), 500 - 166);
    EXPECT_EQ(balance("customer:carol", "approved"), 500 - 166);

    // The rest, asked for with more than is left: everything comes back exactly.
    add(refund("r2", "o1", 99999));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), 0);
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_EQ(balance("customer:carol", "approved"), 0);
    EXPECT_EQ(kind("reversal").size(), 6u);
    EXPECT_EQ(hget(key("stats:BOB"), "refunds"), "2");
    EXPECT_EQ(hget(key("stats:BOB"), "refunded:EUR"), "10000");
}

TEST_F(RefundTest, RefundBeforeItsConversionIsRemembered) {
    start(kNoHold);
    chain();
    add(refund("r1", "o1", 2000));
    add(refund("r2", "o1", 3000));
    add(refund("r3", "o2"));
    wait_applied();
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    add(conversion("e2", "BOB", "o2", 10000, "dave"));
    wait_applied();
    // o1: half refunded before it arrived; o2: all of it.
    EXPECT_EQ(balance("code:BOB", "approved"), 750);
    EXPECT_EQ(balance("code:ALICE", "approved"), 250);
    EXPECT_EQ(balance("customer:carol", "approved"), 250);
    EXPECT_EQ(balance("customer:dave", "approved"), 0);
    EXPECT_EQ(kind("reward").size(), 6u);
    EXPECT_EQ(kind("reversal").size(), 6u);
    EXPECT_TRUE(rejected().empty());
}

TEST_F(RefundTest, RefundEventFromTheShopAfterApproval) {
    start(kHeld);
    chain();
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    ASSERT_TRUE(testing_support::eventually([&] { return balance("code:BOB", "approved") == 1500; },
                                            std::chrono::seconds(15)));
    add(refund("r1", "o1", 5000));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), 750);
    EXPECT_EQ(kind("reversal").at(0).at("from"), "approved");
}

TEST_F(RefundTest, HoldReleasesPendingRewardsThenPayout) {
    start(kHeld);
    chain();
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "pending"), 1500);
    EXPECT_EQ(balance("code:BOB", "approved"), 0);

    ASSERT_TRUE(testing_support::eventually([&] { return balance("code:BOB", "approved") == 1500; },
                                            std::chrono::seconds(15)));
    EXPECT_EQ(balance("code:BOB", "pending"), 0);
    EXPECT_EQ(balance("code:ALICE", "approved"), 500);
    EXPECT_EQ(balance("customer:carol", "approved"), 500);
    std::vector<Entry> approved = kind("approved");
    ASSERT_EQ(approved.size(), 3u);
    EXPECT_EQ(approved[0].at("from"), "pending");
    EXPECT_EQ(approved[0].at("to"), "approved");
    EXPECT_EQ(approved[0].at("order"), "o1");

    std::string out;
    ASSERT_EQ(cli({"payout", "BOB"}, &out), 0) << out;
    EXPECT_EQ(out, "paid EUR 15.00\n");
    EXPECT_EQ(balance("code:BOB", "approved"), 0);
    EXPECT_EQ(balance("code:BOB", "paid"), 1500);
    std::vector<Entry> payouts = kind("payout");
    ASSERT_EQ(payouts.size(), 1u);
    EXPECT_EQ(payouts[0].at("account"), "code:BOB");
    EXPECT_EQ(payouts[0].at("amount"), "1500");
    EXPECT_EQ(payouts[0].at("from"), "approved");
    EXPECT_EQ(payouts[0].at("to"), "paid");
    ASSERT_EQ(cli({"payout", "BOB"}, &out), 0) << out;
    EXPECT_EQ(out, "");  // nothing approved is left

    // A refund after the payout takes the reward back from what is approved: a debt that
    // later rewards settle.
    add(refund("r1", "o1"));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), -1500);
    EXPECT_EQ(balance("code:BOB", "paid"), 1500);
}

}  // namespace
}  // namespace rewardd_test
