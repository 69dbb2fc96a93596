// Experiments (docs/rewards.md, Experiments): which [[variant]] a code is in. The assignment is
// a pure function of the code and the configured shares, so every daemon and every restart
// puts a code in the same variant, and a report can group codes without asking Redis.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "config.h"

namespace referral::rewardd {

constexpr int64_t kShareBuckets = 10000;  // shares are in basis points

// The code's bucket in [0, kShareBuckets): the first 8 bytes of SHA-256(code), big-endian,
// modulo kShareBuckets.
int64_t share_bucket(std::string_view code);

// The variant whose cumulative share, in configured order, first exceeds the code's bucket;
// nullptr when there are no variants.
const Variant *variant_of(const std::vector<Variant> &variants, std::string_view code);

}  // namespace referral::rewardd
