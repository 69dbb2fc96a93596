// The operator's commands besides `run`: enrolment, refunds, approvals, payouts, balances.
// Each is one script call or one XADD, so it is as atomic as the daemon's own work.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "config.h"
#include "keys.h"
#include "redis_client.h"
#include "scripts.h"

namespace referral::rewardd {

// A command the books refuse (unknown order, code owned by someone else, ...).
class CommandError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Buckets {
    int64_t pending = 0;
    int64_t approved = 0;
    int64_t paid = 0;
};

class Admin {
  public:
    Admin(const Config &config, Redis &redis);

    void enroll(const std::string &customer, const std::string &code, const std::string &parent);
    // Writes a type=refund event to the stream, so it goes the way of the shop's refunds;
    // returns the stream entry id.
    std::string refund(const std::string &site, const std::string &order,
                       std::optional<int64_t> amount);
    // Returns "approved", or "pending until <ms>" when the payout hold has not ended yet.
    std::string approve(const std::string &site, const std::string &order);
    // Approved → paid in every currency; returns what was paid, by currency.
    std::map<std::string, int64_t> payout(const std::string &code);
    // account: "code:<c>" or "customer:<id>"; by currency.
    std::map<std::string, Buckets> balance(const std::string &account);

  private:
    std::vector<std::string> currencies();

    const Config &config_;
    Redis &redis_;
    Keys keys_;
    Scripts scripts_;
};

}  // namespace referral::rewardd
