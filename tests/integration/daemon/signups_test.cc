// Signups in the daemon: the checks and limits of a registration, its rewards under the payout
// hold and the trust policy, and purchases of bound customers after customer_window or, under
// pay_on = "first_purchase", after their first; held for approval, they meet the same rules.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr int64_t kDayMs = 86400 * 1000;

Event signup(const std::string &id, const std::string &code, const std::string &customer,
             const std::string &ip = "ip1", int64_t ts = now_ms()) {
    return {{"v", "1"},
            {"type", "signup"},
            {"id", id},
            {"ts", std::to_string(ts)},
            {"site", "shop"},
            {"code", code},
            {"click", "click-" + id},
            {"ip", ip},
            {"customer", customer},
            {"trust", "upstream"}};
}

// EUR, 10% to the referrer; 2.00 EUR and 100 points on signup. programme_keys go into
// [programme], tables after it.
std::string programme(const std::string &programme_keys = "", const std::string &tables = "") {
    return "[programme]\ncurrency = \"EUR\"\n" + programme_keys +
           "\n[referrer]\npercent = 10\n\n"
           "[signup]\nreferrer = { fixed = \"2.00\" }\nfriend = { points = 100 }\n\n" +
           tables;
}

TEST_F(RewarddTest, SignupChecksAndTheReferrersDailyLimit) {
    start(programme("", "[limits]\nsignups_per_referrer_per_day = 2\n"));
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    add(signup("s1", "NOBODY", "c1"));    // unknown_code
    add(signup("s2", "ALICE", "alice"));  // self_referral
    add(signup("s3", "ALICE", "bob"));    // already_bound: enroll --parent bound bob
    add(signup("s4", "BOB", "alice"));    // referral_cycle: bob's referrer is alice's code
    add(signup("s5", "ALICE", "c5"));
    add(signup("s6", "ALICE", "c6"));
    add(signup("s7", "ALICE", "c7"));  // signup_limit
    add(signup("s5", "ALICE", "c5"));  // the same event again: a duplicate
    add(without(signup("s8", "ALICE", "c8"), "customer"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"unknown_code", "self_referral", "already_bound",
                                        "referral_cycle", "signup_limit", "missing_field"}));
    EXPECT_EQ(hget(key("stats:ALICE"), "signups"), "2");
    EXPECT_EQ(balance("code:ALICE", "approved"), 400);
    EXPECT_EQ(balance("customer:c5", "approved", "PTS"), 100);
    EXPECT_EQ(hget(key("referred_by"), "c7"), "");
    EXPECT_EQ(hget(key("referred_by"), "alice"), "");
    EXPECT_EQ(hget(key("referred_by"), "bob"), "ALICE");
    EXPECT_EQ(hget(key("bound_at"), "bob"), "");
    // The per-day counters count the signups that bound somebody, on whichever days they fell.
    int64_t counted = 0;
    testing_support::Reply days = redis_.command({"KEYS", key("daily:*")});
    for (size_t i = 0; i < days->elements; ++i) {
        std::string n = hget(days->element[i]->str, "s:c:ALICE");
        counted += n.empty() ? 0 : std::stoll(n);
    }
    EXPECT_EQ(counted, 2);
}

TEST_F(RewarddTest, SignupRewardsFollowTheHoldAndTheTrustPolicy) {
    start(programme("hold = \"14d\"\n"));
    enroll("alice", "ALICE");
    add(signup("s1", "ALICE", "c1"));
    add(with(signup("s2", "ALICE", "c2"), "trust", "request"));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "pending"), 400);
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    // Bound at once; its rewards wait for approve.
    EXPECT_EQ(hget(key("referred_by"), "c2"), "ALICE");
    std::string out;
    ASSERT_EQ(cli({"approve", "--site", "shop", "signup:c2"}, &out), 0) << out;
    EXPECT_NE(out.find("pending until"), std::string::npos) << out;
    EXPECT_EQ(balance("code:ALICE", "pending"), 400);
    EXPECT_EQ(cli({"approve", "--site", "shop", "signup:c2"}, &out), 1) << out;

    // A refund of the signup's order takes its rewards back.
    ASSERT_EQ(cli({"refund", "--site", "shop", "signup:c1"}, &out), 0) << out;
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "pending"), 200);
    EXPECT_EQ(balance("customer:c1", "pending", "PTS"), 0);
}

TEST_F(RewarddTest, UntrustedSignupsAreRejectedUnderTrustRequestReject) {
    start(programme("trust_request = \"reject\"\n"));
    enroll("alice", "ALICE");
    add(with(signup("s1", "ALICE", "c1"), "trust", "request"));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"untrusted"});
    EXPECT_EQ(hget(key("referred_by"), "c1"), "");
}

TEST_F(RewarddTest, BoundPurchasesEndWithTheCustomerWindow) {
    start(programme("customer_window = \"30d\"\npay_on = \"every_purchase\"\n",
                    "[limits]\nconversions_per_referrer_per_day = 1\n"));
    enroll("alice", "ALICE");
    add(signup("s1", "ALICE", "old", "ip1", now_ms() - 31 * kDayMs));
    add(signup("s2", "ALICE", "new", "ip1", now_ms() - kDayMs));
    // The same time for all: the daily limit's day is the purchase's.
    const std::string ts = std::to_string(now_ms());
    add(with(without(conversion("p1", "", "o1", 10000, "old"), "code"), "ts", ts));
    add(with(without(conversion("p2", "", "o2", 10000, "new"), "code"), "ts", ts));
    // Limits apply as to any purchase of the code.
    add(with(without(conversion("p3", "", "o3", 10000, "new"), "code"), "ts", ts));
    wait_applied();
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"customer_window", "conversion_limit"}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 400 + 1000);
}

// A purchase without a code by a customer a signup bound: held (trust=request), the rules of the
// binding apply on `approve` as they do to one arriving now.
class HeldBoundTest : public RewarddTest {
  protected:
    Event bound_purchase(const std::string &id, const std::string &order,
                         const std::string &customer, bool requested) const {
        Event event = without(conversion(id, "", order, 10000, customer), "code");
        return requested ? with(std::move(event), "trust", "request") : event;
    }
};

TEST_F(HeldBoundTest, SecondPurchaseIsNotPaidOnApproval) {
    start(programme());  // pay_on = "first_purchase", trust_request = "hold_for_approval"
    enroll("alice", "ALICE");
    add(signup("s1", "ALICE", "carol"));
    add(bound_purchase("p1", "o1", "carol", false));
    add(bound_purchase("p2", "o2", "carol", true));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 200 + 1000);

    std::string out;
    EXPECT_EQ(cli({"approve", "--site", "shop", "o2"}, &out), 1) << out;
    EXPECT_EQ(out, "code ALICE amount 100.00 EUR customer carol\nrejected: not_first_purchase\n");
    // The same purchase arriving trusted is refused for the same reason.
    add(bound_purchase("p3", "o3", "carol", false));
    wait_applied();
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"not_first_purchase", "not_first_purchase"}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 200 + 1000);
    EXPECT_EQ(balance("customer:carol", "approved", "PTS"), 100);
    std::vector<Entry> entries = movements();
    ASSERT_EQ(entries.size(), 3u);  // the signup's two rewards and p1's
    EXPECT_EQ(entries[2].at("event"), "p1");
    EXPECT_EQ(entries[2].at("amount"), "1000");
    EXPECT_EQ(cli({"approve", "--site", "shop", "o2"}, &out), 1) << out;
    EXPECT_NE(out.find("no conversion is held"), std::string::npos) << out;
}

TEST_F(HeldBoundTest, FirstPurchaseIsPaidOnApproval) {
    start(programme());
    enroll("alice", "ALICE");
    add(signup("s1", "ALICE", "carol"));
    add(bound_purchase("p1", "o1", "carol", true));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 200);

    std::string out;
    ASSERT_EQ(cli({"approve", "--site", "shop", "o1"}, &out), 0) << out;
    EXPECT_EQ(out, "code ALICE amount 100.00 EUR customer carol\napproved\n");
    EXPECT_EQ(balance("code:ALICE", "approved"), 200 + 1000);
    EXPECT_TRUE(rejected().empty());
    std::vector<Entry> entries = movements();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[2].at("event"), "p1");
    EXPECT_EQ(entries[2].at("amount"), "1000");
    // Its first conversion now counts: the next purchase earns nothing.
    add(bound_purchase("p2", "o2", "carol", false));
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"not_first_purchase"});
    EXPECT_EQ(balance("code:ALICE", "approved"), 200 + 1000);
}

TEST_F(HeldBoundTest, SecondPurchaseIsNotPaidOnConfirmation) {
    start(programme());
    enroll("alice", "ALICE");
    add(signup("s1", "ALICE", "carol"));
    add(bound_purchase("p1", "o1", "carol", false));
    add(bound_purchase("p2", "o2", "carol", true));
    // The provider confirms the held purchase: settled as `approve` would, by the binding's rules.
    add({{"v", "1"},
         {"type", "confirm"},
         {"id", "k2"},
         {"ts", std::to_string(now_ms())},
         {"site", "shop"},
         {"order", "o2"},
         {"amount", "10000"},
         {"currency", "EUR"}});
    wait_applied();
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"not_first_purchase"});
    EXPECT_EQ(rejected().at(0).at("id"), "p2");
    EXPECT_EQ(balance("code:ALICE", "approved"), 200 + 1000);
    EXPECT_EQ(movements().size(), 3u);
}

}  // namespace
}  // namespace rewardd_test
