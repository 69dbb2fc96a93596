// The programme's arithmetic: rewards of a conversion and reversals of a refund, in integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace referral::rewardd {

// The currency a reward is paid in: points are "PTS", a fixed amount is in the programme's
// currency, a percentage in the order's.
std::string reward_currency(const Reward &reward, std::string_view order_currency);

// The reward for one level (0-based) of an order of `amount` minor units, floored.
int64_t reward_amount(const Reward &reward, size_t level, int64_t amount);

// An order as its Redis hash holds it, for planning a refund.
struct OrderRecord {
    std::string version;     // "" when there is no record at all
    bool converted = false;  // the conversion was applied
    bool fully_refunded = false;
    int64_t amount = 0;        // order amount, minor units
    int64_t refunded = 0;      // refunded so far
    std::string early_refund;  // a refund seen before the conversion: "full" or an amount
    std::string code;
    std::vector<int64_t> rewards;  // granted, per reward
    std::vector<std::string> currencies;
};

struct RefundPlan {
    enum class Mode { kEarly, kReverse, kComplete } mode;
    std::string total;               // kEarly: refund to remember; kReverse: refunded total after
    int64_t amount = 0;              // this refund, as counted in the code's stats
    std::vector<int64_t> reversals;  // kReverse: per reward
};

// amount: the refund's amount in minor units, nullopt for a full refund. Reversals are
// proportional and cumulative: after refunds totalling R of an order of T, reward A has had
// floor(A * R / T) reversed, so a full refund always returns every reward to zero.
RefundPlan plan_refund(const OrderRecord &order, std::optional<int64_t> amount);

}  // namespace referral::rewardd
