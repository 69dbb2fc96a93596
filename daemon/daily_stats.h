// The per-day counters (docs/rewards.md, Per-day counters) of a range of days, added up for the
// dashboard in one currency.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "keys.h"
#include "redis_client.h"

namespace referral::rewardd {

constexpr int64_t kDayMs = 86400LL * 1000;

struct DayTotals {
    int64_t day = 0;  // days since 1970-01-01
    int64_t clicks = 0, conversions = 0, held = 0, refunds = 0;
    int64_t signups = 0;
    int64_t buyers = 0;                // new customers (docs/rewards.md, Programme economics)
    int64_t revenue = 0, rewards = 0;  // in the chosen currency, minor units
};

struct CodeTotals {
    int64_t clicks = 0, conversions = 0;
    int64_t signups = 0, buyers = 0;    // sources only
    int64_t revenue = 0, earnings = 0;  // in the chosen currency
    int64_t last_week = -1;             // the last week (from the range's start) it took part
};

// Keyed by code or source: hashed, as a long range looks up hundreds of thousands of them.
using TotalsBy = std::unordered_map<std::string, CodeTotals>;

struct DailyStats {
    std::vector<DayTotals> days;  // every day of the range, in order
    TotalsBy codes;               // with a click or a conversion in the range
    TotalsBy sources;             // earnings: the rewards its conversions cost
    // Codes taking part (a click or a conversion) in each week from the first day.
    std::vector<int64_t> codes_per_week;
    std::map<std::string, int64_t, std::less<>> rejections;  // by reason
    std::set<std::string, std::less<>> currencies;  // seen in revenue or rewards, any currency
};

// "YYYY-MM-DD" ↔ days since 1970-01-01 (UTC, proleptic Gregorian). parse_day is strict: exactly
// that shape, a real date, years 1970 to 9999; nullopt otherwise.
std::optional<int64_t> parse_day(std::string_view text);
std::string format_day(int64_t day);

// Reads days first..last (inclusive, days since 1970-01-01) in one pipeline.
DailyStats read_daily(Redis &redis, const Keys &keys, int64_t first, int64_t last,
                      const std::string &currency);
constexpr int64_t kWeekDays = 7;

// Adds one day's HGETALL reply (field, value, ...) to stats and day; week counts from the first
// day of the range, and days come in order.
void add_day_fields(const std::vector<std::pair<std::string_view, int64_t>> &fields,
                    const std::string &currency, int64_t week, DayTotals *day, DailyStats *stats);

}  // namespace referral::rewardd
