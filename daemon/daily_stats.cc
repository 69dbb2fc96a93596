#include "daily_stats.h"

#include <utility>

#include <fmt/format.h>

namespace referral::rewardd {
namespace {

// Howard Hinnant's days_from_civil and civil_from_days.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

// Strips prefix from *name; false (and *name unchanged) when it does not start with it.
bool strip(std::string_view *name, std::string_view prefix) {
    if (name->substr(0, prefix.size()) != prefix) {
        return false;
    }
    name->remove_prefix(prefix.size());
    return true;
}

// An amount field's currency and what follows it: "EUR", "EUR:c:CODE", "EUR:s:SOURCE".
struct AmountField {
    std::string_view currency, kind, name;  // kind "" (the day's total), "c" or "s"
};

AmountField split_amount(std::string_view rest) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
        return {rest, {}, {}};
    }
    std::string_view tail = rest.substr(colon + 1);
    if (tail.size() < 2 || tail[1] != ':') {
        return {rest.substr(0, colon), "?", {}};
    }
    return {rest.substr(0, colon), tail.substr(0, 1), tail.substr(2)};
}

// map[key] through a reused buffer: a lookup allocates nothing unless the key is new.
template <typename Map>
typename Map::mapped_type &at(Map &map, std::string_view key) {
    thread_local std::string buffer;
    buffer.assign(key.data(), key.size());
    return map[buffer];
}

// A code took part in week: counted once per week.
CodeTotals &code_in_week(DailyStats *stats, std::string_view code, int64_t week) {
    CodeTotals &c = at(stats->codes, code);
    if (c.last_week != week) {
        c.last_week = week;
        if (stats->codes_per_week.size() <= static_cast<size_t>(week)) {
            stats->codes_per_week.resize(static_cast<size_t>(week) + 1);
        }
        ++stats->codes_per_week[static_cast<size_t>(week)];
    }
    return c;
}

}  // namespace

std::optional<int64_t> parse_day(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    int64_t parts[3] = {0, 0, 0};
    size_t part = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (i == 4 || i == 7) {
            ++part;
        } else if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        } else {
            parts[part] = parts[part] * 10 + (text[i] - '0');
        }
    }
    if (parts[0] < 1970 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) {
        return std::nullopt;
    }
    int64_t day = days_from_civil(parts[0], parts[1], parts[2]);
    if (format_day(day) != text) {  // 2026-02-30 and the like
        return std::nullopt;
    }
    return day;
}

std::string format_day(int64_t day) {
    int64_t y = 0, m = 0, d = 0;
    civil_from_days(day, &y, &m, &d);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

void add_day_fields(const std::vector<std::pair<std::string_view, int64_t>> &fields,
                    const std::string &currency, int64_t week, DayTotals *day, DailyStats *stats) {
    for (auto [name, value] : fields) {
        if (name == "k") {
            day->clicks += value;
        } else if (name == "v") {
            day->conversions += value;
        } else if (name == "h") {
            day->held += value;
        } else if (name == "f") {
            day->refunds += value;
        } else if (name == "s") {
            day->signups += value;
        } else if (strip(&name, "s:s:")) {
            at(stats->sources, name).signups += value;
        } else if (name == "b") {
            day->buyers += value;
        } else if (strip(&name, "b:s:")) {
            at(stats->sources, name).buyers += value;
        } else if (strip(&name, "k:c:")) {
            code_in_week(stats, name, week).clicks += value;
        } else if (strip(&name, "k:s:")) {
            at(stats->sources, name).clicks += value;
        } else if (strip(&name, "v:c:")) {
            code_in_week(stats, name, week).conversions += value;
        } else if (strip(&name, "v:s:")) {
            at(stats->sources, name).conversions += value;
        } else if (strip(&name, "x:")) {
            at(stats->rejections, name) += value;
        } else if (bool revenue = strip(&name, "r:"); revenue || strip(&name, "w:")) {
            AmountField a = split_amount(name);
            if (a.kind.empty() && stats->currencies.find(a.currency) == stats->currencies.end()) {
                stats->currencies.emplace(a.currency);
            }
            if (a.currency != currency) {
                continue;
            }
            if (a.kind.empty()) {
                (revenue ? day->revenue : day->rewards) += value;
            } else if (a.kind == "c") {
                CodeTotals &c = at(stats->codes, a.name);
                (revenue ? c.revenue : c.earnings) += value;
            } else if (a.kind == "s") {
                CodeTotals &c = at(stats->sources, a.name);
                (revenue ? c.revenue : c.earnings) += value;
            }
        }
    }
}

DailyStats read_daily(Redis &redis, const Keys &keys, int64_t first, int64_t last,
                      const std::string &currency) {
    DailyStats stats;
    for (int64_t d = first; d <= last; ++d) {
        redis.append({"HGETALL", keys.daily(d * kDayMs)});
    }
    std::vector<std::pair<std::string_view, int64_t>> fields;
    for (int64_t d = first; d <= last; ++d) {
        Reply r = redis.read_reply();
        fields.clear();
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
            fields.emplace_back(text(r->element[i]), integer(r->element[i + 1]));
        }
        DayTotals day;
        day.day = d;
        add_day_fields(fields, currency, (d - first) / kWeekDays, &day, &stats);
        stats.days.push_back(std::move(day));
    }
    return stats;
}

}  // namespace referral::rewardd
