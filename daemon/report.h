// `referral-rewardd report`: per code clicks, conversions, rate, revenue, rewards and top
// utm_source, and the programme's viral coefficient.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "admin.h"
#include "keys.h"
#include "redis_client.h"

namespace referral::rewardd {

struct CodeReport {
    std::string code;
    int64_t clicks = 0;
    int64_t conversions = 0;
    int64_t refunds = 0;
    std::map<std::string, int64_t> revenue;   // by currency, minor units
    std::map<std::string, int64_t> refunded;  // by currency, minor units
    std::map<std::string, Buckets> rewards;   // the code's own rewards, by currency
    std::string top_source;
    int64_t top_source_clicks = 0;

    double conversion_rate() const {
        return clicks ? static_cast<double>(conversions) / static_cast<double>(clicks) : 0.0;
    }
};

struct Report {
    std::vector<CodeReport> codes;  // sorted by code
    int64_t clicks = 0;
    int64_t conversions = 0;
    // K = i · c: invitations (clicks) per participating code times conversions per click,
    // i.e. new customers each participant brings.
    double viral_coefficient = 0;
    int64_t held = 0;  // conversions held for approval, waiting for approve or reject
};

Report build_report(Redis &redis, const Keys &keys);
std::string render_text(const Report &report);
std::string render_json(const Report &report);

}  // namespace referral::rewardd
