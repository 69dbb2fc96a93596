// Where <prefix>:events may be cut (docs/design.md#life-of-an-event): below what every consumer
// group still needs and older than event_retention. Entry ids start with Redis's clock in ms, so
// "older than" is a comparison of ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace referral::rewardd {

// One consumer group as XINFO GROUPS and XPENDING tell it.
struct GroupPosition {
    std::string last_delivered;  // "0-0" when it was given nothing yet
    std::string oldest_pending;  // "" when nothing is pending
};

// The id for XTRIM MINID: the oldest entry some group still needs (its oldest pending entry,
// or the last one it was given), but never newer than now - retention. nullopt when there is
// nothing to cut: no groups, or a group that was given nothing yet.
std::optional<std::string> trim_point(const std::vector<GroupPosition> &groups, int64_t now_ms,
                                      int64_t retention_ms);

}  // namespace referral::rewardd
