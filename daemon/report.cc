#include "report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "amounts.h"
#include "daily_stats.h"
#include "variants.h"

namespace referral::rewardd {
namespace {

std::vector<std::string> members(Redis &redis, const std::string &key) {
    Reply r = redis.command({"SMEMBERS", key});
    std::vector<std::string> out;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        out.emplace_back(text(r->element[i]));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

CodeReport code_report(std::string code, const redisReply *r) {
    CodeReport c;
    c.code = std::move(code);
    Funnel &f = c.funnel;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]);
        int64_t value = integer(r->element[i + 1]);
        auto suffix = [name](std::string_view prefix) {
            return name.substr(0, prefix.size()) == prefix ? std::string(name.substr(prefix.size()))
                                                           : std::string();
        };
        if (name == "clicks") {
            f.clicks = value;
        } else if (name == "signups") {
            f.signups = value;
        } else if (name == "conversions") {
            f.conversions = value;
        } else if (name == "buyers") {
            f.buyers = value;
        } else if (name == "refunds") {
            c.refunds = value;
        } else if (auto cur = suffix("revenue:"); !cur.empty()) {
            f.revenue[cur] = value;
        } else if (auto cur = suffix("refunded:"); !cur.empty()) {
            f.refunded[cur] = value;
        } else if (auto cur = suffix("cost:"); !cur.empty()) {
            f.cost[cur] = value;
        } else if (auto source = suffix("src:"); !source.empty()) {
            // Ties go to the alphabetically first source, so reports are stable.
            if (value > c.top_source_clicks ||
                (value == c.top_source_clicks && source < c.top_source)) {
                c.top_source = source;
                c.top_source_clicks = value;
            }
        }
    }
    return c;
}

namespace {

// Channels from the per-day counters of every day still kept: the counts once, then the
// amounts once per currency, as the counters are read in one currency at a time.
std::vector<GroupReport> read_channels(Redis &redis, const Keys &keys, const Config &config,
                                       int64_t now_ms) {
    int64_t last = now_ms / kDayMs;
    int64_t first = last - (config.daemon.daily_ttl_ms + kDayMs - 1) / kDayMs;
    DailyStats counts = read_daily(redis, keys, first, last, "");
    std::map<std::string, Funnel> by_source;
    for (const auto &[source, t] : counts.sources) {
        Funnel &f = by_source[source];
        f.clicks = t.clicks;
        f.signups = t.signups;
        f.conversions = t.conversions;
        f.buyers = t.buyers;
    }
    for (const auto &currency : counts.currencies) {
        DailyStats amounts = read_daily(redis, keys, first, last, std::string(currency));
        for (const auto &[source, t] : amounts.sources) {
            Funnel &f = by_source[source];
            if (t.revenue) {
                f.revenue[std::string(currency)] = t.revenue;
            }
            if (t.earnings) {
                f.cost[std::string(currency)] = t.earnings;
            }
        }
    }
    std::vector<GroupReport> out;
    for (auto &[source, f] : by_source) {
        out.push_back({source, std::move(f)});
    }
    std::stable_sort(out.begin(), out.end(), [](const GroupReport &a, const GroupReport &b) {
        return a.funnel.clicks > b.funnel.clicks;
    });
    return out;
}

std::string money(const std::map<std::string, int64_t> &by_currency) {
    std::string out;
    for (const auto &[currency, amount] : by_currency) {
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", currency,
                           format_minor(amount, currency_exponent_or_points(currency)));
    }
    return out.empty() ? "-" : out;
}

// Ratios of amounts, floored to the minor unit for reading.
std::string money(const std::map<std::string, double> &by_currency) {
    std::map<std::string, int64_t> floored;
    for (const auto &[currency, amount] : by_currency) {
        floored[currency] = static_cast<int64_t>(std::floor(amount));
    }
    return money(floored);
}

std::string percent(std::optional<double> v) {
    return v ? fmt::format("{:.2f}%", 100 * *v) : "-";
}

std::string roi(const std::map<std::string, double> &by_currency) {
    std::string out;
    for (const auto &[currency, r] : by_currency) {
        out += fmt::format("{}{} {:.1f}%", out.empty() ? "" : ", ", currency, 100 * r);
    }
    return out.empty() ? "-" : out;
}

std::string bucket(const std::map<std::string, Buckets> &rewards, int64_t Buckets::*which) {
    std::map<std::string, int64_t> amounts;
    for (const auto &[currency, b] : rewards) {
        amounts[currency] = b.*which;
    }
    return money(amounts);
}

constexpr char kEconomicsHeader[] =
    "{:<20} {:>8} {:>8} {:>11} {:>7} {:>12} {:>8}  {:<16} {:<16} "
    "{:<16} {:<16} {:<16} {}\n";

std::string economics_header(std::string_view first) {
    return fmt::format(kEconomicsHeader, first, "clicks", "signups", "conversions", "buyers",
                       "signup>buyer", "rate", "revenue", "reward cost", "avg order", "LTV", "CAC",
                       "ROI");
}

std::string economics_row(std::string_view name, const Funnel &f) {
    Economics e = economics(f);
    return fmt::format(kEconomicsHeader, name, f.clicks, f.signups, f.conversions, f.buyers,
                       percent(e.signup_buyer_rate), percent(e.conversion_rate), money(f.revenue),
                       money(f.cost), money(e.average_order), money(e.ltv), money(e.cac),
                       roi(e.roi));
}

nlohmann::json economics_json(const Funnel &f) {
    Economics e = economics(f);
    auto optional = [](std::optional<double> v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    return {{"clicks", f.clicks},
            {"signups", f.signups},
            {"conversions", f.conversions},
            {"buyers", f.buyers},
            {"revenue", f.revenue},
            {"refunded", f.refunded},
            {"reward_cost", f.cost},
            {"conversion_rate", optional(e.conversion_rate)},
            {"signup_buyer_rate", optional(e.signup_buyer_rate)},
            {"average_order", e.average_order},
            {"ltv", e.ltv},
            {"cac", e.cac},
            {"roi", e.roi}};
}

nlohmann::json groups_json(const std::vector<GroupReport> &groups, std::string_view key) {
    nlohmann::json out = nlohmann::json::array();
    for (const GroupReport &g : groups) {
        nlohmann::json row = economics_json(g.funnel);
        row[std::string(key)] = g.name;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace

Report build_report(Redis &redis, const Keys &keys, const Config &config, int64_t now_ms) {
    Report report;
    std::vector<std::string> codes = members(redis, keys.codes());
    std::vector<std::string> currencies = members(redis, keys.currencies());
    for (const std::string &code : codes) {
        redis.append({"HGETALL", keys.stats(code)});
        for (const std::string &currency : currencies) {
            std::string account = "code:" + code;
            redis.append({"HMGET", keys.balance(currency), account + ":pending",
                          account + ":approved", account + ":paid"});
        }
    }
    const std::vector<Variant> &variants = config.programme.variants;
    for (const Variant &v : variants) {
        report.variants.push_back({v.name, {}});
    }
    for (const std::string &code : codes) {
        CodeReport c = code_report(code, redis.read_reply().get());
        for (const std::string &currency : currencies) {
            Reply r = redis.read_reply();
            Buckets b{integer(r->element[0]), integer(r->element[1]), integer(r->element[2])};
            if (b.pending || b.approved || b.paid) {
                c.rewards[currency] = b;
            }
        }
        // A code never changes variant while the shares stand: a variant's totals are its
        // codes' (docs/rewards.md, Experiments).
        if (const Variant *v = variant_of(variants, code)) {
            c.variant = v->name;
            report.variants[static_cast<size_t>(v - variants.data())].funnel += c.funnel;
        }
        report.total += c.funnel;
        report.codes.push_back(std::move(c));
    }
    report.clicks = report.total.clicks;
    report.conversions = report.total.conversions;
    report.channels = read_channels(redis, keys, config, now_ms);
    report.held = integer(redis.command({"ZCARD", keys.held_expiry()}).get());
    if (!codes.empty()) {
        report.viral_coefficient =
            static_cast<double>(report.conversions) / static_cast<double>(codes.size());
    }
    return report;
}

std::string render_text(const Report &report, ReportBy by) {
    std::string out;
    if (by == ReportBy::kCode) {
        out = fmt::format("{:<20} {:>8} {:>11} {:>8}  {:<16} {:<16} {:<16} {:<16} {}\n", "code",
                          "clicks", "conversions", "rate", "revenue", "pending", "approved", "paid",
                          "top utm_source");
        for (const CodeReport &c : report.codes) {
            const Funnel &f = c.funnel;
            std::string source = c.top_source.empty()
                                     ? "-"
                                     : fmt::format("{} ({})", c.top_source, c.top_source_clicks);
            out += fmt::format(
                "{:<20} {:>8} {:>11} {:>8}  {:<16} {:<16} {:<16} {:<16} {}\n", c.code, f.clicks,
                f.conversions, percent(economics(f).conversion_rate.value_or(0)), money(f.revenue),
                bucket(c.rewards, &Buckets::pending), bucket(c.rewards, &Buckets::approved),
                bucket(c.rewards, &Buckets::paid), source);
        }
        out += "\n" + economics_header("code");
        for (const CodeReport &c : report.codes) {
            out += economics_row(c.code, c.funnel);
        }
    } else {
        bool channels = by == ReportBy::kChannel;
        out = economics_header(channels ? "utm_source" : "variant");
        for (const GroupReport &g : channels ? report.channels : report.variants) {
            out += economics_row(g.name, g.funnel);
        }
    }
    out += economics_row("all codes", report.total);
    out += fmt::format("\n{} codes, {} clicks, {} conversions, viral coefficient {:.2f}\n",
                       report.codes.size(), report.clicks, report.conversions,
                       report.viral_coefficient);
    if (report.held > 0) {
        out +=
            fmt::format("{} conversions held for approval: approve or reject them\n", report.held);
    }
    return out;
}

std::string render_json(const Report &report) {
    nlohmann::json codes = nlohmann::json::array();
    for (const CodeReport &c : report.codes) {
        const Funnel &f = c.funnel;
        nlohmann::json rewards = nlohmann::json::object();
        for (const auto &[currency, b] : c.rewards) {
            rewards[currency] = {
                {"pending", b.pending}, {"approved", b.approved}, {"paid", b.paid}};
        }
        codes.push_back(
            {{"code", c.code},
             {"clicks", f.clicks},
             {"conversions", f.conversions},
             {"conversion_rate", economics(f).conversion_rate.value_or(0)},
             {"revenue", f.revenue},
             {"refunds", c.refunds},
             {"refunded", f.refunded},
             {"rewards", rewards},
             {"top_source",
              c.top_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.top_source)},
             {"top_source_clicks", c.top_source_clicks},
             {"variant", c.variant.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.variant)},
             {"economics", economics_json(f)}});
    }
    nlohmann::json doc = {{"codes", codes},
                          {"channels", groups_json(report.channels, "utm_source")},
                          {"variants", groups_json(report.variants, "variant")},
                          {"economics", economics_json(report.total)},
                          {"clicks", report.clicks},
                          {"conversions", report.conversions},
                          {"viral_coefficient", report.viral_coefficient},
                          {"held", report.held}};
    // utm_source values are the visitor's bytes: invalid UTF-8 becomes U+FFFD rather than an
    // exception that would leave the whole report unprinted.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace referral::rewardd
