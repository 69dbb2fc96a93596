// GET /p/<token>: a referrer's own page (docs/rewards.md, Pages): their link and its QR code,
// clicks, signups, conversions and what their friends bought, balances and recent ledger
// entries.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "admin.h"
#include "config.h"
#include "economics.h"
#include "redis_client.h"

namespace referral::rewardd {

// A ledger entry of the referrer's account (or a conversion of their code held or rejected).
struct PartnerEntry {
    std::string id;  // the stream entry's, its first part the time in ms
    std::string kind, currency, order, reason;
    int64_t amount = 0;
};

struct PartnerView {
    std::string code;
    std::string link;  // "" = no [http] link template
    Funnel funnel;     // the code's clicks, signups, conversions, new buyers and revenue
    std::map<std::string, Buckets> balances;  // by currency
    std::vector<PartnerEntry> recent;         // newest first
};

constexpr size_t kRecentEntries = 20;
// How far back in the ledger the page looks for them: a page costs bounded work however long the
// ledger is; older entries are in `referral-rewardd balance` and the webhooks.
constexpr size_t kLedgerScan = 5000;

PartnerView read_partner(const Config &config, Redis &redis, const std::string &code);
std::string render_partner(const PartnerView &view);

}  // namespace referral::rewardd
