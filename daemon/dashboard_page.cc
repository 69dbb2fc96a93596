#include "dashboard_page.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "amounts.h"
#include "economics.h"
#include "html.h"
#include "svg_chart.h"

namespace referral::rewardd {
namespace {

constexpr size_t kTopReferrers = 20;
constexpr size_t kTopChannels = 15;

std::string money(int64_t amount, const std::string &currency) {
    return format_minor(amount, currency_exponent_or_points(currency)) + " " + currency;
}

std::string rate(int64_t part, int64_t whole) {
    return whole ? fmt::format("{:.1f}%",
                               100.0 * static_cast<double>(part) / static_cast<double>(whole))
                 : "-";
}

std::string section(std::string_view title, std::string_view content) {
    return fmt::format("<section><h2>{}</h2>{}</section>", escape(title), content);
}

template <typename Value>
std::vector<ChartPoint> per_day(const DailyStats &stats, Value value,
                                const std::function<std::string(int64_t)> &text) {
    std::vector<ChartPoint> points;
    for (const DayTotals &d : stats.days) {
        int64_t v = value(d);
        points.push_back({format_day(d.day), static_cast<double>(v), text(v)});
    }
    return points;
}

// K = conversions ÷ codes taking part (a click or a conversion), per week from the first day:
// the new customers each participant brings, as in `report`.
std::vector<ChartPoint> viral_weeks(const DailyStats &stats) {
    std::vector<ChartPoint> points;
    for (size_t i = 0; i < stats.days.size(); i += kWeekDays) {
        int64_t conversions = 0;
        for (size_t j = i; j < std::min(stats.days.size(), i + kWeekDays); ++j) {
            conversions += stats.days[j].conversions;
        }
        size_t week = i / kWeekDays;
        int64_t codes = week < stats.codes_per_week.size() ? stats.codes_per_week[week] : 0;
        double k = codes ? static_cast<double>(conversions) / static_cast<double>(codes) : 0;
        points.push_back({"week of " + format_day(stats.days[i].day), k, fmt::format("{:.2f}", k)});
    }
    return points;
}

std::string referrers_table(const DailyStats &stats, const std::string &currency) {
    std::vector<std::pair<std::string, CodeTotals>> top(stats.codes.begin(), stats.codes.end());
    auto order = [](const auto &a, const auto &b) {
        return std::tie(b.second.earnings, b.second.conversions, b.second.clicks, a.first) <
               std::tie(a.second.earnings, a.second.conversions, a.second.clicks, b.first);
    };
    size_t n = std::min(top.size(), kTopReferrers);
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(), order);
    std::string out =
        "<table><tr><th>code</th><th class=\"n\">clicks</th><th class=\"n\">conversions</th>"
        "<th class=\"n\">rate</th><th class=\"n\">revenue</th><th class=\"n\">earnings</th></tr>";
    for (size_t i = 0; i < n; ++i) {
        const auto &[code, c] = top[i];
        out += fmt::format(
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(code), c.clicks, c.conversions, rate(c.conversions, c.clicks),
            escape(money(c.revenue, currency)), escape(money(c.earnings, currency)));
    }
    return out + "</table>";
}

// A range's or a channel's funnel in the chosen currency, rewards as granted.
Funnel funnel(const CodeTotals &t, const std::string &currency) {
    Funnel f;
    f.clicks = t.clicks;
    f.signups = t.signups;
    f.conversions = t.conversions;
    f.buyers = t.buyers;
    f.revenue[currency] = t.revenue;
    f.cost[currency] = t.earnings;
    return f;
}

std::string per_currency(const std::map<std::string, double> &values, const std::string &currency,
                         const std::function<std::string(double)> &text) {
    auto it = values.find(currency);
    return it == values.end() ? "-" : text(it->second);
}

std::string money_of(double amount, const std::string &currency) {
    return money(static_cast<int64_t>(std::floor(amount)), currency);
}

std::string roi(const Economics &e, const std::string &currency) {
    return per_currency(e.roi, currency, [](double r) { return fmt::format("{:.1f}%", 100 * r); });
}

// The programme's economics (docs/rewards.md, Programme economics) once it has signups or new
// customers.
std::string economics_figures(const Funnel &f) {
    const std::string &cur = f.revenue.begin()->first;
    Economics e = economics(f);
    auto amount = [&cur](double v) { return money_of(v, cur); };
    std::string out;
    if (f.signups > 0) {
        out = figure("signups", std::to_string(f.signups)) +
              figure("signups who bought", rate(f.buyers, f.signups));
    }
    return out + figure("new customers", std::to_string(f.buyers)) +
           figure("average order", per_currency(e.average_order, cur, amount)) +
           figure("revenue per new customer (LTV)", per_currency(e.ltv, cur, amount)) +
           figure("rewards per new customer (CAC)", per_currency(e.cac, cur, amount)) +
           figure("ROI", roi(e, cur));
}

std::string channels(const DailyStats &stats, const std::string &currency) {
    std::vector<std::pair<std::string, CodeTotals>> top(stats.sources.begin(), stats.sources.end());
    std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
        return std::tie(b.second.clicks, a.first) < std::tie(a.second.clicks, b.first);
    });
    top.resize(std::min(top.size(), kTopChannels));
    std::vector<ChartPoint> bars;
    std::string table =
        "<table><tr><th>utm_source</th><th class=\"n\">clicks</th><th class=\"n\">conversions"
        "</th><th class=\"n\">rate</th><th class=\"n\">revenue</th><th class=\"n\">signups"
        "</th><th class=\"n\">new customers</th><th class=\"n\">rewards</th><th class=\"n\">"
        "ROI</th></tr>";
    for (const auto &[source, c] : top) {
        bars.push_back({source, static_cast<double>(c.clicks), std::to_string(c.clicks)});
        Economics e = economics(funnel(c, currency));
        table += fmt::format(
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(source), c.clicks, c.conversions, rate(c.conversions, c.clicks),
            escape(money(c.revenue, currency)), c.signups, c.buyers,
            escape(money(c.earnings, currency)), escape(roi(e, currency)));
    }
    return bar_list("Clicks by utm_source", bars) + table + "</table>";
}

}  // namespace

std::variant<DashboardQuery, std::string> parse_dashboard_query(
    const std::multimap<std::string, std::string> &params, int64_t today) {
    DashboardQuery q;
    q.last = today;
    std::optional<int64_t> from;
    for (const auto &[name, value] : params) {
        if (params.count(name) > 1) {
            return name + " is given more than once";
        }
        if (name == "from" || name == "to") {
            std::optional<int64_t> day = parse_day(value);
            if (!day) {
                return name + " must be a date as YYYY-MM-DD";
            }
            if (name == "from") {
                from = day;
            } else {
                q.last = *day;
            }
        } else if (name == "currency") {
            if (currency_exponent_or_points(value) < 0) {
                return "currency must be an ISO 4217 code such as EUR, or points";
            }
            q.currency = value;
        } else {
            return "unknown parameter " + name + ": the dashboard takes from, to and currency";
        }
    }
    if (q.last > today + 1) {
        return "to is in the future";
    }
    q.first = from.value_or(q.last - kDefaultDays + 1);
    if (q.first > q.last) {
        return "from is after to";
    }
    if (q.last - q.first + 1 > kMaxDays) {
        return fmt::format("the range spans more than {} days", kMaxDays);
    }
    return q;
}

std::string render_dashboard(const DashboardView &view) {
    const DailyStats &s = view.stats;
    const std::string &cur = view.query.currency;
    int64_t clicks = 0, conversions = 0, revenue = 0, rewards = 0, held = 0, refunds = 0;
    CodeTotals range;  // the funnel of the whole range
    for (const DayTotals &d : s.days) {
        range.signups += d.signups;
        range.buyers += d.buyers;
        clicks += d.clicks;
        conversions += d.conversions;
        revenue += d.revenue;
        rewards += d.rewards;
        held += d.held;
        refunds += d.refunds;
    }
    // A code that only earned (a higher level's share of another code's order) took no part.
    size_t codes = 0;
    for (const auto &[code, c] : s.codes) {
        codes += c.last_week >= 0;
    }
    auto count = [](int64_t v) { return std::to_string(v); };
    auto amount = [&cur](int64_t v) { return money(v, cur); };
    std::string body = fmt::format(
        "<h1>Referral programme</h1><p class=\"muted\">{} to {} (UTC), amounts in {}. "
        "Currencies in this range:",
        format_day(view.query.first), format_day(view.query.last), escape(cur));
    for (const std::string &c : s.currencies) {
        body += " <code>" + escape(c) + "</code>";
    }
    body += "</p><section><div class=\"figures\">";
    body += figure("clicks", count(clicks)) + figure("conversions", count(conversions)) +
            figure("conversion rate", rate(conversions, clicks)) +
            figure("revenue", amount(revenue)) + figure("rewards", amount(rewards)) +
            figure("viral coefficient",
                   codes == 0 ? "-"
                              : fmt::format("{:.2f}", static_cast<double>(conversions) /
                                                          static_cast<double>(codes))) +
            figure("held for approval", count(held)) + figure("refunds", count(refunds));
    if (range.signups > 0 || range.buyers > 0) {
        range.clicks = clicks;
        range.conversions = conversions;
        range.revenue = revenue;
        range.earnings = rewards;
        body += economics_figures(funnel(range, cur));
    }
    body += "</div></section><div class=\"grid\">";
    body += section(
        "Clicks per day",
        column_chart("Clicks per day", per_day(
                                           s, [](const DayTotals &d) { return d.clicks; }, count)));
    body += section("Conversions per day",
                    column_chart("Conversions per day",
                                 per_day(
                                     s, [](const DayTotals &d) { return d.conversions; }, count)));
    body += section("Revenue per day",
                    column_chart("Revenue per day",
                                 per_day(
                                     s, [](const DayTotals &d) { return d.revenue; }, amount)));
    body += section("Rewards per day",
                    column_chart("Rewards per day",
                                 per_day(
                                     s, [](const DayTotals &d) { return d.rewards; }, amount)));
    const Buckets &b = view.rewards;
    body += section(
        "Funnel",
        bar_list("Funnel", {{"clicks", static_cast<double>(clicks), count(clicks)},
                            {"conversions", static_cast<double>(conversions),
                             count(conversions) + " (" + rate(conversions, clicks) + ")"}}) +
            fmt::format("<p>Rewards, all time: <b>{}</b> approved and <b>{}</b> paid of {} "
                        "granted ({} still in the payout hold).</p>",
                        escape(amount(b.approved)), escape(amount(b.paid)),
                        escape(amount(b.pending + b.approved + b.paid)),
                        escape(amount(b.pending))));
    body += section("Viral coefficient per week",
                    line_chart("Viral coefficient per week", viral_weeks(s)));
    body += section("Channels", channels(s, cur));
    std::vector<ChartPoint> reasons;
    for (const auto &[reason, n] : s.rejections) {
        reasons.push_back({reason, static_cast<double>(n), count(n)});
    }
    body += section("Rejections by reason", bar_list("Rejections by reason", reasons));
    body += "</div>";
    body += section("Top referrers", referrers_table(s, cur));
    auto known = [](int64_t v) { return v < 0 ? std::string("unknown") : std::to_string(v); };
    body += section("Events stream",
                    fmt::format("<div class=\"figures\">{}{}</div>",
                                figure("lag (entries not yet read)", known(view.lag)),
                                figure("pending (read, not acknowledged)", known(view.pending))));
    return html_page("Referral programme", body);
}

}  // namespace referral::rewardd
