// A payee's details for payout batches, kept per code in <prefix>:payee:<code>
// (docs/rewards.md, Payout batches).
#pragma once

#include <string>

#include "keys.h"
#include "redis_client.h"

namespace referral::rewardd {

// Records (or updates) the details given; empty ones are left as they were. A code becomes a
// payee of payout batches with its first details.
void save_payee(Redis &redis, const Keys &keys, const std::string &code,
                const std::string &customer, const std::string &email,
                const std::string &payout_id);

// An address a provider's file can carry: local@domain, printable ASCII without blanks, commas
// or quotes.
bool valid_email(const std::string &email);

}  // namespace referral::rewardd
