#include "rules.h"

#include <algorithm>

#include "amounts.h"

namespace referral::rewardd {

std::string reward_currency(const Reward &reward, std::string_view order_currency) {
    return std::string(reward.kind == RewardKind::kPoints ? kPointsCurrency : order_currency);
}

int64_t reward_amount(const Reward &reward, size_t level, int64_t amount) {
    switch (reward.kind) {
        case RewardKind::kPercent:
            return level < reward.basis_points.size()
                       ? percent_of(amount, reward.basis_points[level])
                       : 0;
        case RewardKind::kFixed:
        case RewardKind::kPoints:
            return level == 0 ? reward.value : 0;
        case RewardKind::kNone:
            break;
    }
    return 0;
}

RefundPlan plan_refund(const OrderRecord &order, std::optional<int64_t> amount) {
    RefundPlan plan{};
    if (!order.converted) {
        plan.mode = RefundPlan::Mode::kEarly;
        bool full = !amount || order.early_refund == "full";
        int64_t so_far = full ? 0 : parse_minor_units(order.early_refund).value_or(0);
        plan.total = full ? "full" : std::to_string(std::min(so_far + *amount, kMaxAmount));
        plan.amount = amount.value_or(0);
        return plan;
    }
    if (order.fully_refunded) {
        plan.mode = RefundPlan::Mode::kComplete;
        return plan;
    }
    int64_t before = order.refunded;
    int64_t after = amount ? std::min(order.amount, before + *amount) : order.amount;
    plan.mode = RefundPlan::Mode::kReverse;
    plan.total = std::to_string(after);
    plan.amount = after - before;
    for (int64_t reward : order.rewards) {
        // An order of 0 has no proportion: any refund of it is a full one.
        int64_t undone_before = order.amount > 0 ? scale(reward, before, order.amount) : 0;
        int64_t undone_after = order.amount > 0 ? scale(reward, after, order.amount) : reward;
        plan.reversals.push_back(undone_after - undone_before);
    }
    return plan;
}

}  // namespace referral::rewardd
