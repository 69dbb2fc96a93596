// Encoding a click event as the sink receives it (DESIGN §6), decoding it as the sink does
// before XADD, and turning it into an XADD command: with hiredis' redisFormatCommandArgv, as the
// sink does, and by writing RESP directly, to show what the sink's formatting costs.

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

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

constexpr std::string_view kStream = "{referral}:events";

void BM_FormatXaddHiredis(benchmark::State &state) {
    std::string record = click_event().release();
    referral::EventFields fields;
    std::vector<const char *> argv;
    std::vector<size_t> argvlen;
    for (auto _ : state) {
        referral::decode_event(record, &fields);
        argv.assign({"XADD", kStream.data(), "*"});
        argvlen.assign({4, kStream.size(), 1});
        for (const auto &[name, value] : fields) {
            argv.push_back(name.data());
            argvlen.push_back(name.size());
            argv.push_back(value.data());
            argvlen.push_back(value.size());
        }
        char *cmd;
        int len = redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), argv.data(),
                                         argvlen.data());
        benchmark::DoNotOptimize(len);
        redisFreeCommand(cmd);
    }
}
BENCHMARK(BM_FormatXaddHiredis);

// "$<length>\r\n<bytes>\r\n" written at p; returns the end.
char *put_bulk(char *p, std::string_view s) {
    *p++ = '$';
    p = std::to_chars(p, p + 20, s.size()).ptr;
    *p++ = '\r';
    *p++ = '\n';
    p = std::copy(s.begin(), s.end(), p);
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

// RESP written directly into a buffer sized once: what the sink could do instead.
void BM_FormatXaddDirect(benchmark::State &state) {
    std::string record = click_event().release();
    referral::EventFields fields;
    std::string out;
    constexpr size_t kArgOverhead = 1 + 20 + 4;  // '$', the length, two CRLFs
    for (auto _ : state) {
        referral::decode_event(record, &fields);
        size_t argc = 3 + 2 * fields.size();
        size_t size = 1 + 20 + 2 + argc * kArgOverhead + 4 + kStream.size() + 1;
        for (const auto &[name, value] : fields) {
            size += name.size() + value.size();
        }
        out.resize(size);
        char *p = out.data();
        *p++ = '*';
        p = std::to_chars(p, p + 20, argc).ptr;
        *p++ = '\r';
        *p++ = '\n';
        p = put_bulk(p, "XADD");
        p = put_bulk(p, kStream);
        p = put_bulk(p, "*");
        for (const auto &[name, value] : fields) {
            p = put_bulk(p, name);
            p = put_bulk(p, value);
        }
        out.resize(p - out.data());
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_FormatXaddDirect);

}  // namespace
