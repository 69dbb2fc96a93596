// `referral-rewardd report`: per code clicks, conversions, rate, revenue, rewards and top
// utm_source, the programme's viral coefficient, and its economics per code, per channel
// (utm_source) and per experiment variant (docs/rewards.md, Programme economics).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "admin.h"
#include "config.h"
#include "economics.h"
#include "keys.h"
#include "redis_client.h"

namespace referral::rewardd {

struct CodeReport {
    std::string code;
    Funnel funnel;  // its conversions' revenue and the rewards they cost, whoever earned them
    int64_t refunds = 0;
    std::map<std::string, Buckets> rewards;  // the code's own rewards, by currency
    std::string top_source;
    int64_t top_source_clicks = 0;
    std::string variant;  // "" = no experiment
};

// A channel's or variant's row.
struct GroupReport {
    std::string name;
    Funnel funnel;
};

// Which table the text report shows; JSON carries them all.
enum class ReportBy { kCode, kChannel, kVariant };

struct Report {
    std::vector<CodeReport> codes;  // sorted by code
    // From the per-day counters still kept (daemon.daily_ttl), by clicks, most first. Refunds
    // are not kept per channel: channel revenue and cost are as granted.
    std::vector<GroupReport> channels;
    std::vector<GroupReport> variants;  // in configured order; their codes' funnels added up
    Funnel total;
    int64_t clicks = 0;
    int64_t conversions = 0;
    // K = i · c: invitations (clicks) per participating code times conversions per click,
    // i.e. new customers each participant brings.
    double viral_coefficient = 0;
    int64_t held = 0;  // conversions held for approval, waiting for approve or reject
};

// A code's row from its stats hash (HGETALL of :stats:<code>); rewards are the balances'.
CodeReport code_report(std::string code, const redisReply *stats);

// now_ms: the last day of the per-day counters read.
Report build_report(Redis &redis, const Keys &keys, const Config &config, int64_t now_ms);
std::string render_text(const Report &report, ReportBy by = ReportBy::kCode);
std::string render_json(const Report &report);

}  // namespace referral::rewardd
