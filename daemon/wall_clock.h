// The wall clock as events, signatures and page tokens count time: since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace referral::rewardd {

inline int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline int64_t now_s() {
    return now_ms() / 1000;
}

}  // namespace referral::rewardd
