// The entries in XREADGROUP and XAUTOCLAIM replies, checked for shape before anything reads
// them: a reply that is not what Redis documents is an error, never a crash
// (docs/design.md#life-of-an-event).
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "events.h"

namespace referral::rewardd {

struct StreamEntry {
    std::string_view id;
    // Deleted from the stream while pending (its fields come back nil): nothing to apply, only
    // to acknowledge.
    bool deleted = false;
    Fields fields;
};

// Views into the reply: the entries are valid as long as it is.
using StreamEntries = std::vector<StreamEntry>;

// XREADGROUP ... STREAMS <one key> <id>: nil when BLOCK timed out, otherwise
// [[key, [[id, [field, value, ...] or nil], ...]]]. False when the reply has another shape.
bool parse_read_reply(const redisReply *reply, StreamEntries *out);

// XAUTOCLAIM: [next start id, [entries as above], [deleted ids] (Redis 7)]. The deleted ids
// need nothing: Redis has dropped them from the pending list already.
bool parse_autoclaim_reply(const redisReply *reply, std::string_view *next, StreamEntries *out);

// An entry id "ms-seq" as a comparable pair; "ms" alone is "ms-0".
std::pair<uint64_t, uint64_t> stream_id(std::string_view id);

}  // namespace referral::rewardd
