// The operator's commands besides `run`: enrolment, refunds, approvals, payouts, balances.
// Each is one script call or one XADD, so it is as atomic as the daemon's own work.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "applier.h"
#include "config.h"
#include "events.h"
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

// A conversion held for approval, as `approve` and `reject` show it.
struct HeldConversion {
    std::string code, customer, currency;
    int64_t amount = 0;
};

struct Approval {
    // Absent for an order an earlier version of the daemon credited as pending while it
    // awaited approval: only its outcome is known.
    std::optional<HeldConversion> held;
    // "approved", "pending until <ms>" (the payout hold), or "rejected: <reason>"
    std::string outcome;
    bool applied = false;
};

class Admin {
  public:
    Admin(const Config &config, Redis &redis);

    void enroll(const std::string &customer, const std::string &code, const std::string &parent);
    // Writes a type=refund event to the stream, so it goes the way of the shop's refunds;
    // returns the stream entry id.
    std::string refund(const std::string &site, const std::string &order,
                       std::optional<int64_t> amount);
    // Applies the conversion held for the order as if it had been trusted: the programme's
    // rules and the books decide as they would have then.
    Approval approve(const std::string &site, const std::string &order);
    // Drops the conversion held for the order: to :rejected, reason held_rejected, the
    // operator's reason as detail.
    HeldConversion reject(const std::string &site, const std::string &order,
                          const std::string &reason);
    // Approved → paid in every currency; returns what was paid, by currency.
    std::map<std::string, int64_t> payout(const std::string &code);
    // account: "code:<c>" or "customer:<id>"; by currency.
    std::map<std::string, Buckets> balance(const std::string &account);
    // Every currency that has had a balance, sorted.
    std::vector<std::string> currencies();

  private:
    // The held conversion's fields, viewing the reply that carries them.
    struct HeldRecord {
        Reply reply;
        Fields fields;  // the event's, without trust (planned again, it is trusted)
        std::string_view entry;
        bool bound = false;  // attributed through the customer's binding when it was held
        HeldConversion shown;
    };
    // nullopt when nothing is held for the order.
    std::optional<HeldRecord> read_held(const std::string &site, const std::string &order);
    std::string approve_earlier(const std::string &site, const std::string &order);
    void drop_held(const std::string &site, const std::string &order, std::string_view id,
                   const std::string &reason, const std::string &detail);

    const Config &config_;
    Redis &redis_;
    Keys keys_;
    Applier applier_;
    Scripts scripts_;
};

}  // namespace referral::rewardd
