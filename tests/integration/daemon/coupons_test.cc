// A referral code typed as a coupon at checkout: attributed to the code's owner when no link
// brought the buyer (fallback), always (override), or never (off).
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

std::string programme(const std::string &attribution) {
    return "[programme]\ncurrency = \"EUR\"\nwindow = \"30d\"\ncoupon_attribution = \"" +
           attribution + "\"\n\n[referrer]\npercent = 10\n";
}

class CouponTest : public RewarddTest {
  protected:
    // A purchase with the coupon and, when code is not "", the cookie's code.
    Event purchase(const std::string &id, const std::string &code, const std::string &order) {
        Event e = with(conversion(id, code, order, 10000), "coupon", "BOB10");
        return code.empty() ? without(without(without(e, "code"), "click"), "first_ts") : e;
    }
    void run(const std::string &attribution) {
        start(programme(attribution));
        enroll("alice", "ALICE");
        enroll("bob", "BOB10");
        add(purchase("p1", "", "o1"));
        add(purchase("p2", "ALICE", "o2"));
        wait_applied();
    }
};

TEST_F(CouponTest, FallbackGivesACouponOnlyPurchaseToTheCouponsOwner) {
    run("fallback");
    EXPECT_EQ(balance("code:BOB10", "approved"), 1000);
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_TRUE(rejected().empty());
}

TEST_F(CouponTest, OverrideGivesEveryCouponPurchaseToTheCouponsOwner) {
    run("override");
    EXPECT_EQ(balance("code:BOB10", "approved"), 2000);
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
}

TEST_F(CouponTest, OffIgnoresCoupons) {
    run("off");
    EXPECT_EQ(balance("code:BOB10", "approved"), 0);
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"missing_field"});
}

}  // namespace
}  // namespace rewardd_test
