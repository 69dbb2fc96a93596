#include "report.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "amounts.h"

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

void add_stats(const redisReply *r, CodeReport *c) {
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]);
        int64_t value = integer(r->element[i + 1]);
        auto suffix = [name](std::string_view prefix) {
            return name.substr(0, prefix.size()) == prefix ? std::string(name.substr(prefix.size()))
                                                           : std::string();
        };
        if (name == "clicks") {
            c->clicks = value;
        } else if (name == "conversions") {
            c->conversions = value;
        } else if (name == "refunds") {
            c->refunds = value;
        } else if (auto cur = suffix("revenue:"); !cur.empty()) {
            c->revenue[cur] = value;
        } else if (auto cur = suffix("refunded:"); !cur.empty()) {
            c->refunded[cur] = value;
        } else if (auto source = suffix("src:"); !source.empty()) {
            // Ties go to the alphabetically first source, so reports are stable.
            if (value > c->top_source_clicks ||
                (value == c->top_source_clicks && source < c->top_source)) {
                c->top_source = source;
                c->top_source_clicks = value;
            }
        }
    }
}

std::string money(const std::map<std::string, int64_t> &by_currency) {
    std::string out;
    for (const auto &[currency, amount] : by_currency) {
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", currency,
                           format_minor(amount, currency_exponent_or_points(currency)));
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

}  // namespace

Report build_report(Redis &redis, const Keys &keys) {
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
    for (const std::string &code : codes) {
        CodeReport c;
        c.code = code;
        add_stats(redis.read_reply().get(), &c);
        for (const std::string &currency : currencies) {
            Reply r = redis.read_reply();
            Buckets b{integer(r->element[0]), integer(r->element[1]), integer(r->element[2])};
            if (b.pending || b.approved || b.paid) {
                c.rewards[currency] = b;
            }
        }
        report.clicks += c.clicks;
        report.conversions += c.conversions;
        report.codes.push_back(std::move(c));
    }
    report.held = integer(redis.command({"ZCARD", keys.held_expiry()}).get());
    if (!codes.empty()) {
        report.viral_coefficient =
            static_cast<double>(report.conversions) / static_cast<double>(codes.size());
    }
    return report;
}

std::string render_text(const Report &report) {
    std::string out = fmt::format("{:<20} {:>8} {:>11} {:>8}  {:<16} {:<16} {:<16} {:<16} {}\n",
                                  "code", "clicks", "conversions", "rate", "revenue", "pending",
                                  "approved", "paid", "top utm_source");
    for (const CodeReport &c : report.codes) {
        std::string source =
            c.top_source.empty() ? "-" : fmt::format("{} ({})", c.top_source, c.top_source_clicks);
        out +=
            fmt::format("{:<20} {:>8} {:>11} {:>7.2f}%  {:<16} {:<16} {:<16} {:<16} {}\n", c.code,
                        c.clicks, c.conversions, 100 * c.conversion_rate(), money(c.revenue),
                        bucket(c.rewards, &Buckets::pending), bucket(c.rewards, &Buckets::approved),
                        bucket(c.rewards, &Buckets::paid), source);
    }
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
        nlohmann::json rewards = nlohmann::json::object();
        for (const auto &[currency, b] : c.rewards) {
            rewards[currency] = {
                {"pending", b.pending}, {"approved", b.approved}, {"paid", b.paid}};
        }
        codes.push_back({{"code", c.code},
                         {"clicks", c.clicks},
                         {"conversions", c.conversions},
                         {"conversion_rate", c.conversion_rate()},
                         {"revenue", c.revenue},
                         {"refunds", c.refunds},
                         {"refunded", c.refunded},
                         {"rewards", rewards},
                         {"top_source", c.top_source.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(c.top_source)},
                         {"top_source_clicks", c.top_source_clicks}});
    }
    nlohmann::json doc = {{"codes", codes},
                          {"clicks", report.clicks},
                          {"conversions", report.conversions},
                          {"viral_coefficient", report.viral_coefficient},
                          {"held", report.held}};
    // utm_source values are the visitor's bytes: invalid UTF-8 becomes U+FFFD rather than an
    // exception that would leave the whole report unprinted.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace referral::rewardd
