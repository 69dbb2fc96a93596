// 16 random bytes for a click or event id: RAND_bytes per id against the per-worker pool that
// draws 4 KiB at a time (docs/design.md#performance-targets).

#include <benchmark/benchmark.h>

#include <openssl/rand.h>

#include <cstdint>

#include "random_pool.h"

namespace {

void BM_RandBytes16(benchmark::State &state) {
    uint8_t out[16];
    for (auto _ : state) {
        benchmark::DoNotOptimize(RAND_bytes(out, sizeof(out)));
    }
}
BENCHMARK(BM_RandBytes16);

void BM_RandomPool16(benchmark::State &state) {
    referral::RandomPool pool;
    uint8_t out[16];
    for (auto _ : state) {
        benchmark::DoNotOptimize(pool.take(out, sizeof(out)));
    }
}
BENCHMARK(BM_RandomPool16);

}  // namespace
