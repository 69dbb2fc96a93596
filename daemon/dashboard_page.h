// GET /dashboard (docs/rewards.md, Pages): the programme at a glance, drawn from the per-day
// counters, the balances and the events stream's consumer group.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "admin.h"
#include "daily_stats.h"

namespace referral::rewardd {

constexpr int64_t kDefaultDays = 90;
constexpr int64_t kMaxDays = 400;

struct DashboardQuery {
    int64_t first = 0, last = 0;  // days since 1970-01-01, inclusive
    std::string currency;         // "" = the programme's or the first with a balance
};

// from, to (YYYY-MM-DD) and currency; the range ends today and spans kDefaultDays unless told.
// Returns the query or what is wrong with it, for a 400.
std::variant<DashboardQuery, std::string> parse_dashboard_query(
    const std::multimap<std::string, std::string> &params, int64_t today);

struct DashboardView {
    DashboardQuery query;
    DailyStats stats;
    Buckets rewards;                 // every account's, all time, in query.currency
    int64_t lag = -1, pending = -1;  // the consumer group's; -1 = unknown
};

std::string render_dashboard(const DashboardView &view);

}  // namespace referral::rewardd
