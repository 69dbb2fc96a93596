#include "stream_trim.h"

#include <algorithm>

#include "stream_reply.h"

namespace referral::rewardd {

std::optional<std::string> trim_point(const std::vector<GroupPosition> &groups, int64_t now_ms,
                                      int64_t retention_ms) {
    if (groups.empty()) {
        return std::nullopt;
    }
    std::optional<std::string> keep;
    for (const GroupPosition &g : groups) {
        const std::string &needed = g.oldest_pending.empty() ? g.last_delivered : g.oldest_pending;
        if (!keep || stream_id(needed) < stream_id(*keep)) {
            keep = needed;
        }
    }
    // An entry older than the window has an id below "(now - retention)-0".
    int64_t floor_ms = std::max<int64_t>(now_ms - retention_ms, 0);
    if (stream_id(*keep) > std::make_pair(static_cast<uint64_t>(floor_ms), uint64_t{0})) {
        keep = std::to_string(floor_ms) + "-0";
    }
    if (stream_id(*keep) == std::make_pair(uint64_t{0}, uint64_t{0})) {
        return std::nullopt;
    }
    return keep;
}

}  // namespace referral::rewardd
