#include "economics.h"

namespace referral::rewardd {
namespace {

std::optional<double> ratio(int64_t part, int64_t whole) {
    if (whole == 0) {
        return std::nullopt;
    }
    return static_cast<double>(part) / static_cast<double>(whole);
}

void add(std::map<std::string, int64_t> &to, const std::map<std::string, int64_t> &from) {
    for (const auto &[currency, amount] : from) {
        to[currency] += amount;
    }
}

}  // namespace

Funnel &Funnel::operator+=(const Funnel &other) {
    clicks += other.clicks;
    signups += other.signups;
    conversions += other.conversions;
    buyers += other.buyers;
    add(revenue, other.revenue);
    add(refunded, other.refunded);
    add(cost, other.cost);
    return *this;
}

Economics economics(const Funnel &f) {
    Economics e;
    e.conversion_rate = ratio(f.conversions, f.clicks);
    e.signup_buyer_rate = ratio(f.buyers, f.signups);
    std::map<std::string, int64_t> net = f.revenue;
    for (const auto &[currency, amount] : f.refunded) {
        net[currency] -= amount;
    }
    for (const auto &[currency, amount] : net) {
        if (auto v = ratio(amount, f.conversions)) {
            e.average_order[currency] = *v;
        }
        if (auto v = ratio(amount, f.buyers)) {
            e.ltv[currency] = *v;
        }
    }
    for (const auto &[currency, amount] : f.cost) {
        if (auto v = ratio(amount, f.buyers)) {
            e.cac[currency] = *v;
        }
        if (auto it = net.find(currency); it != net.end() && amount > 0) {
            e.roi[currency] = *ratio(it->second - amount, amount);
        }
    }
    return e;
}

}  // namespace referral::rewardd
