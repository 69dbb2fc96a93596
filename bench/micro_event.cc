// Encoding a click event as the sink receives it (docs/design.md#event-schema), decoding it as the
// sink does before XADD, and turning it into an XADD command: with the core's RESP encoder, as the
// sink does, and with hiredis' redisFormatCommandArgv, which it replaced; and reading the replies.

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <string>
#include <string_view>
#include <vector>

#include "event.h"
#include "resp.h"

namespace {

using referral::EventField;

// The fields the module writes for a click, with the ip and ua digests already computed.
referral::EventRecord click_event() {
    referral::EventRecord event;
    event.add(EventField::v, referral::kEventVersion);
    event.add(EventField::type, referral::type_name(referral::EventType::click));
    event.add(EventField::id, "AAECAwQFBgcICQoLDA0ODw");
    event.add(EventField::ts, "1795429438123");
    event.add(EventField::site, "shop.example");
    event.add(EventField::code, "alice");
    event.add(EventField::click, "EBESExQVFhcYGRobHB0eHw");
    event.add(EventField::ip, "0123456789abcdef");
    event.add(EventField::ua, "fedcba9876543210");
    event.add(EventField::src, "x");
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

void BM_FormatXaddResp(benchmark::State &state) {
    std::string record = click_event().release();
    referral::EventFields fields;
    std::string out;
    for (auto _ : state) {
        out.clear();
        referral::decode_event(record, &fields);
        referral::resp::append_command(&out, {"XADD", kStream, "*"}, fields);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_FormatXaddResp);

// The replies to a batch of 256 XADDs, as one read brings them: per reply, hiredis' reader
// (which the sink used for every reply) against resp::bulk_string_size (which it uses for
// entry ids).
std::string entry_id_replies() {
    std::string replies;
    for (int i = 0; i < 256; i++) {
        std::string id = "1795429438123-" + std::to_string(i);
        replies += "$" + std::to_string(id.size()) + "\r\n" + id + "\r\n";
    }
    return replies;
}

void BM_ReadEntryIdsHiredis(benchmark::State &state) {
    std::string replies = entry_id_replies();
    redisReader *reader = redisReaderCreate();
    for (auto _ : state) {
        redisReaderFeed(reader, replies.data(), replies.size());
        void *reply = nullptr;
        while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply != nullptr) {
            freeReplyObject(reply);
        }
    }
    redisReaderFree(reader);
    state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_ReadEntryIdsHiredis);

void BM_ReadEntryIdsResp(benchmark::State &state) {
    std::string replies = entry_id_replies();
    for (auto _ : state) {
        std::string_view in = replies;
        while (size_t n = referral::resp::bulk_string_size(in)) {
            in.remove_prefix(n);
        }
        benchmark::DoNotOptimize(in.data());
    }
    state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_ReadEntryIdsResp);

}  // namespace
