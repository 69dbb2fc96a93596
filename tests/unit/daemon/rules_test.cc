#include "rules.h"

#include <gtest/gtest.h>

#include "amounts.h"

namespace referral::rewardd {
namespace {

TEST(RewardAmount, Kinds) {
    Reward percent{RewardKind::kPercent, {1500, 500}, 0};
    EXPECT_EQ(reward_amount(percent, 0, 9999), 1499);  // 1499.85
    EXPECT_EQ(reward_amount(percent, 1, 9999), 499);   // 499.95
    EXPECT_EQ(reward_amount(percent, 2, 9999), 0);
    Reward fixed{RewardKind::kFixed, {}, 500};
    EXPECT_EQ(reward_amount(fixed, 0, 1), 500);
    EXPECT_EQ(reward_amount(fixed, 1, 1), 0);
    EXPECT_EQ(reward_amount(Reward{}, 0, 1000), 0);
    EXPECT_EQ(reward_currency(Reward{RewardKind::kPoints, {}, 10}, "EUR"), "PTS");
    EXPECT_EQ(reward_currency(percent, "JPY"), "JPY");
}

OrderRecord order(int64_t amount, std::vector<int64_t> rewards, int64_t refunded = 0) {
    OrderRecord o;
    o.version = "1";
    o.converted = true;
    o.amount = amount;
    o.refunded = refunded;
    o.rewards = std::move(rewards);
    o.currencies.assign(o.rewards.size(), "EUR");
    return o;
}

TEST(PlanRefund, FullRefundReversesEverything) {
    RefundPlan plan = plan_refund(order(9999, {1499, 499, 500}), std::nullopt);
    EXPECT_EQ(plan.mode, RefundPlan::Mode::kReverse);
    EXPECT_EQ(plan.total, "9999");
    EXPECT_EQ(plan.amount, 9999);
    EXPECT_EQ(plan.reversals, (std::vector<int64_t>{1499, 499, 500}));
}

TEST(PlanRefund, PartialRefundsAddUpToTheFullReversal) {
    OrderRecord o = order(10000, {1500, 500, 333});
    RefundPlan first = plan_refund(o, 3333);
    EXPECT_EQ(first.total, "3333");
    EXPECT_EQ(first.reversals, (std::vector<int64_t>{499, 166, 110}));  // floors
    o.refunded = 3333;
    RefundPlan second = plan_refund(o, 50000);  // more than is left: capped at the order
    EXPECT_EQ(second.total, "10000");
    EXPECT_EQ(second.amount, 6667);
    EXPECT_EQ(second.reversals, (std::vector<int64_t>{1001, 334, 223}));
    for (size_t i = 0; i < o.rewards.size(); ++i) {
        EXPECT_EQ(first.reversals[i] + second.reversals[i], o.rewards[i]);
    }
}

TEST(PlanRefund, LargeAmountsStayExact) {
    RefundPlan plan = plan_refund(order(kMaxAmount, {kMaxAmount - 1}), kMaxAmount - 1);
    EXPECT_EQ(plan.reversals, std::vector<int64_t>{kMaxAmount - 2});
}

TEST(PlanRefund, CompleteAndZeroOrders) {
    OrderRecord done = order(100, {15}, 100);
    done.fully_refunded = true;
    EXPECT_EQ(plan_refund(done, std::nullopt).mode, RefundPlan::Mode::kComplete);
    EXPECT_EQ(plan_refund(order(0, {500}), 10).reversals, std::vector<int64_t>{500});
}

TEST(PlanRefund, BeforeTheConversion) {
    OrderRecord none;
    RefundPlan plan = plan_refund(none, 300);
    EXPECT_EQ(plan.mode, RefundPlan::Mode::kEarly);
    EXPECT_EQ(plan.total, "300");
    none.early_refund = "300";
    EXPECT_EQ(plan_refund(none, 200).total, "500");
    EXPECT_EQ(plan_refund(none, std::nullopt).total, "full");
    none.early_refund = "full";
    EXPECT_EQ(plan_refund(none, 200).total, "full");
}

}  // namespace
}  // namespace referral::rewardd
