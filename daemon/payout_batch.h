// payout --all: approved → paid for every payee at or over a minimum, one script call per payee,
// recorded under the batch id so that running the same batch again changes nothing and only
// writes its file again (docs/rewards.md, Payout batches).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keys.h"
#include "payout_file.h"
#include "redis_client.h"
#include "scripts.h"

namespace referral::rewardd {

struct PayoutBatch {
    std::string id;
    std::string minimum;            // major units, as the batch was started with
    bool repeated = false;          // the batch was already complete: nothing was paid now
    std::vector<PayoutLine> lines;  // by code, then currency
};

// Pays the batch `id` (or completes it after a crash); minimum is in major units, inclusive
// ("" = any approved balance). Payees lacking what `format` needs stop the batch before anything
// is paid. Throws CommandError.
PayoutBatch run_payout_batch(Redis &redis, Scripts &scripts, const Keys &keys,
                             const std::string &id, const std::string &minimum,
                             PayoutFormat format);

// A batch id for now, in UTC: "20260102T030405Z".
std::string new_batch_id();

}  // namespace referral::rewardd
