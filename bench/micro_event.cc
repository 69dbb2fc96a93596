// Encoding a click event as the sink receives it (DESIGN §6), and decoding it as the sink does
// before XADD.

#include <benchmark/benchmark.h>

#include <string>

#include "event.h"

namespace {

referral::EventRecord click_event() {
    referral::EventRecord event;
    event.add("v", "1");
    event.add("type", "click");
    event.add("id", "AAECAwQFBgcICQoLDA0ODw");
    event.add("ts", "1795429438123");
    event.add("site", "shop.example");
    event.add("code", "alice");
    event.add("click", "EBESExQVFhcYGRobHB0eHw");
    event.add("ip", "0123456789abcdef");
    event.add("ua", "fedcba9876543210");
    event.add("src", "x");
    return event;
}

void BM_EncodeClickEvent(benchmark::State &state) {
    for (auto _ : state) {
        referral::EventRecord event = click_event();
        benchmark::DoNotOptimize(event.bytes().data());
    }
}
BENCHMARK(BM_EncodeClickEvent);

void BM_DecodeClickEvent(benchmark::State &state) {
    std::string record = click_event().release();
    referral::EventFields fields;
    for (auto _ : state) {
        benchmark::DoNotOptimize(referral::decode_event(record, &fields));
    }
}
BENCHMARK(BM_DecodeClickEvent);

}  // namespace
