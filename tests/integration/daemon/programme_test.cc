// The programme's rules, each with exact balances.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kTwoSided[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 15

[friend]
fixed = "5.00"
)";

TEST_F(RewarddTest, TwoSidedRewardsBothParties) {
    start(kTwoSided);
    enroll("alice", "ALICE");
    add(conversion("e1", "ALICE", "o1", 12345, "carol"));
    wait_applied();

    EXPECT_EQ(balance("code:ALICE", "approved"), 1851);  // 15% of 123.45, floored
    EXPECT_EQ(balance("customer:carol", "approved"), 500);
    EXPECT_EQ(balance("code:ALICE", "pending"), 0);

    std::vector<Entry> entries = ledger();
    ASSERT_EQ(entries.size(), 2u);
    const Entry &referrer = entries[0];
    EXPECT_EQ(referrer.at("kind"), "reward");
    EXPECT_EQ(referrer.at("amount"), "1851");
    EXPECT_EQ(referrer.at("currency"), "EUR");
    EXPECT_EQ(referrer.at("from"), "");
    EXPECT_EQ(referrer.at("to"), "approved");
    EXPECT_EQ(referrer.at("account"), "code:ALICE");
    EXPECT_EQ(referrer.at("party"), "referrer");
    EXPECT_EQ(referrer.at("level"), "1");
    EXPECT_EQ(referrer.at("site"), "shop");
    EXPECT_EQ(referrer.at("order"), "o1");
    EXPECT_EQ(referrer.at("code"), "ALICE");
    EXPECT_EQ(referrer.at("event"), "e1");
    EXPECT_EQ(entries[1].at("account"), "customer:carol");
    EXPECT_EQ(entries[1].at("party"), "friend");
    EXPECT_EQ(entries[1].at("level"), "0");

    // The conversion recorded who referred carol.
    EXPECT_EQ(hget(key("referred_by"), "carol"), "ALICE");
    std::string out;
    ASSERT_EQ(cli({"balance", "ALICE"}, &out), 0) << out;
    EXPECT_EQ(out, "EUR pending 0.00 approved 18.51 paid 0.00\n");
    ASSERT_EQ(cli({"balance", "--customer", "carol"}, &out), 0) << out;
    EXPECT_EQ(out, "EUR pending 0.00 approved 5.00 paid 0.00\n");
}

TEST_F(RewarddTest, MultiLevelChainCarolBobAlice) {
    start(R"(
[programme]
currency = "EUR"

[referrer]
levels = [15, 5]
)");
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    add(conversion("e1", "BOB", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), 1500);
    EXPECT_EQ(balance("code:ALICE", "approved"), 500);

    // carol, now referred by BOB, gets a code; dave buys through it: carol 15%, bob 5%, and
    // alice is beyond the two levels.
    enroll("carol", "CAROL");
    add(conversion("e2", "CAROL", "o2", 20001, "dave"));
    wait_applied();
    EXPECT_EQ(balance("code:CAROL", "approved"), 3000);       // 3000.15
    EXPECT_EQ(balance("code:BOB", "approved"), 1500 + 1000);  // 1000.05
    EXPECT_EQ(balance("code:ALICE", "approved"), 500);

    // A buyer never earns from their own purchase: alice buying through BOB pays bob, and the
    // walk stops at alice; nor does she become referred by BOB (alice → bob → alice).
    add(conversion("e3", "BOB", "o3", 10000, "alice"));
    wait_applied();
    EXPECT_EQ(balance("code:BOB", "approved"), 2500 + 1500);
    EXPECT_EQ(balance("code:ALICE", "approved"), 500);
    EXPECT_EQ(hget(key("referred_by"), "alice"), "");
}

TEST_F(RewarddTest, EnrolmentRefusesContradictions) {
    start(kTwoSided);
    enroll("alice", "ALICE");
    enroll("alice", "ALICE");  // the same again is fine
    enroll("bob", "BOB", "ALICE");
    std::string out;
    EXPECT_NE(cli({"enroll", "mallory", "ALICE"}, &out), 0);
    EXPECT_NE(out.find("code ALICE belongs to alice"), std::string::npos) << out;
    EXPECT_NE(cli({"enroll", "alice", "ALICE2"}, &out), 0);
    EXPECT_NE(out.find("already has code ALICE"), std::string::npos) << out;
    EXPECT_NE(cli({"enroll", "carol", "CAROL", "--parent", "NOBODY"}, &out), 0);
    EXPECT_NE(out.find("not enrolled"), std::string::npos) << out;
    // alice under bob would close the loop alice → bob → alice.
    EXPECT_NE(cli({"enroll", "alice", "ALICE", "--parent", "BOB"}, &out), 0);
    EXPECT_NE(out.find("cycle"), std::string::npos) << out;
}

TEST_F(RewarddTest, PointsAreTheirOwnCurrency) {
    start(R"(
[referrer]
points = 100

[friend]
points = 50
)");
    enroll("alice", "ALICE");
    add(conversion("e1", "ALICE", "o1", 999, "carol"));
    add(with(conversion("e2", "ALICE", "o2", 5000, "dan"), "currency", "USD"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved", "PTS"), 200);
    EXPECT_EQ(balance("customer:carol", "approved", "PTS"), 50);
    EXPECT_EQ(balance("customer:dan", "approved", "PTS"), 50);
    EXPECT_EQ(balance("code:ALICE", "approved", "EUR"), 0);
    std::string out;
    ASSERT_EQ(cli({"balance", "ALICE"}, &out), 0);
    EXPECT_EQ(out, "PTS pending 0 approved 200 paid 0\n");
}

TEST_F(RewarddTest, UnknownCodesUnlessOpenEnrolment) {
    start(kTwoSided);
    add(click("c1", "STRANGER"));
    add(conversion("e1", "STRANGER", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{"unknown_code", "unknown_code"}));
    EXPECT_EQ(balance("code:STRANGER", "approved"), 0);
    EXPECT_EQ(balance("customer:carol", "approved"), 0);
}

TEST_F(RewarddTest, OpenEnrolmentPaysTheCodeItself) {
    start(R"(
[programme]
currency = "EUR"
open_enrolment = true

[referrer]
levels = [10, 5]
)");
    add(conversion("e1", "newcomer", "o1", 10000, "carol"));
    wait_applied();
    EXPECT_EQ(balance("code:newcomer", "approved"), 1000);
    EXPECT_TRUE(rejected().empty());
}

TEST_F(RewarddTest, SelfReferral) {
    start(kTwoSided);
    enroll("alice", "ALICE");
    add(conversion("e1", "ALICE", "o1", 10000, "alice"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"self_referral"});
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_EQ(balance("customer:alice", "approved"), 0);
    Entry r = rejected().at(0);
    EXPECT_EQ(r.at("detail"), "alice");
    EXPECT_EQ(r.at("id"), "e1");  // the original event travels with its reason
    EXPECT_EQ(r.at("order"), "o1");
}

TEST_F(RewarddTest, MinimumOrderWindowFirstPurchaseAndCustomer) {
    start(R"(
[programme]
currency = "EUR"
min_order = "10.00"
window = "30d"
first_purchase_only = true

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    add(conversion("e1", "ALICE", "o1", 999, "c1"));   // 9.99 < 10.00
    add(conversion("e2", "ALICE", "o2", 1000, "c2"));  // exactly the minimum
    add(with(conversion("e3", "ALICE", "o3", 5000, "c3"), "first_ts",
             std::to_string(now_ms() - 31LL * 86400 * 1000)));
    add(conversion("e4", "ALICE", "o4", 5000, "c2"));  // c2's second purchase
    add(conversion("e5", "ALICE", "o5", 5000));        // no customer: first purchase unknowable
    add(with(conversion("e6", "ALICE", "o6", 5000, "c6"), "currency", "USD"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), (std::vector<std::string>{
                                      "below_min_order", "attribution_window", "not_first_purchase",
                                      "missing_customer", "currency_mismatch"}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 100);
}

TEST_F(RewarddTest, DuplicateConversionOfOneOrderRewardsOnce) {
    start(kTwoSided);
    enroll("alice", "ALICE");
    Event e = conversion("e1", "ALICE", "o1", 10000, "carol");
    add(e);
    add(e);                                                // redelivered: same id
    add(conversion("e2", "ALICE", "o1", 10000, "carol"));  // page reloaded: same order
    add(with(conversion("e3", "ALICE", "o1", 10000), "site", "other-shop"));  // another site
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 1500 + 1500);
    EXPECT_EQ(balance("customer:carol", "approved"), 500);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"duplicate_order"});
    EXPECT_EQ(rejected().at(0).at("detail"), "e1");
    EXPECT_EQ(movements().size(), 3u);
    EXPECT_EQ(ledger().size(), 4u);  // and the reloaded page's conversion, rejected
}

}  // namespace
}  // namespace rewardd_test
