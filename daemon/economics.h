// Programme economics (docs/rewards.md, Programme economics): the counts and sums of a funnel —
// a code's, a channel's or a variant's — and the ratios a programme is judged by.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace referral::rewardd {

struct Funnel {
    int64_t clicks = 0, signups = 0, conversions = 0;
    int64_t buyers = 0;  // new customers: first purchases (every purchase without a customer id)
    std::map<std::string, int64_t> revenue;   // by currency, minor units
    std::map<std::string, int64_t> refunded;  // by currency, minor units
    std::map<std::string, int64_t> cost;      // rewards granted less reversed, by their currency

    Funnel &operator+=(const Funnel &other);
};

// Amounts are in minor units of the map's currency, unrounded; a currency is missing where the
// ratio has nothing to divide by.
struct Economics {
    std::optional<double> conversion_rate;        // conversions ÷ clicks
    std::optional<double> signup_buyer_rate;      // buyers ÷ signups
    std::map<std::string, double> average_order;  // net revenue ÷ conversions
    std::map<std::string, double> ltv;            // net revenue ÷ buyers, to date
    std::map<std::string, double> cac;            // reward cost ÷ buyers
    std::map<std::string, double> roi;            // (net revenue − cost) ÷ cost, cost > 0
};

// Net revenue is revenue less refunds; ROI compares it with rewards paid in the same currency,
// so rewards in points have a cost but no ROI.
Economics economics(const Funnel &f);

}  // namespace referral::rewardd
