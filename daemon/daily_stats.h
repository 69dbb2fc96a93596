// The per-day counters (docs/rewards.md, Per-day counters) of a range of days, added up for the
// dashboard in one currency.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys.h"
#include "redis_client.h"

namespace referral::rewardd {

constexpr int64_t kDayMs = 86400LL * 1000;

struct DayTotals {
    int64_t day = 0;  // days since 1970-01-01
    int64_t clicks = 0, conversions = 0, held = 0, refunds = 0;
    int64_t revenue = 0, rewards = 0;  // in the chosen currency, minor units
    std::set<std::string> codes;       // codes with a click or a conversion that day
};

struct CodeTotals {
    int64_t clicks = 0, conversions = 0;
    int64_t revenue = 0, earnings = 0;  // in the chosen currency
};

struct DailyStats {
    std::vector<DayTotals> days;  // every day of the range, in order
    std::map<std::string, CodeTotals> codes;
    std::map<std::string, CodeTotals> sources;  // earnings unused: rewards are per code
    std::map<std::string, int64_t> rejections;  // by reason
    std::set<std::string> currencies;           // seen in revenue or rewards, any currency
};

// "YYYY-MM-DD" ↔ days since 1970-01-01 (UTC, proleptic Gregorian). parse_day is strict: exactly
// that shape, a real date, years 1970 to 9999; nullopt otherwise.
std::optional<int64_t> parse_day(std::string_view text);
std::string format_day(int64_t day);

// Reads days first..last (inclusive, days since 1970-01-01) in one pipeline.
DailyStats read_daily(Redis &redis, const Keys &keys, int64_t first, int64_t last,
                      const std::string &currency);
// Adds one day's HGETALL reply (field, value, ...) to stats and day.
void add_day_fields(const std::vector<std::pair<std::string_view, int64_t>> &fields,
                    const std::string &currency, DayTotals *day, DailyStats *stats);

}  // namespace referral::rewardd
