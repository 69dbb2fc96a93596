// XREADGROUP and XAUTOCLAIM replies as any Redis (or anything answering on its port) could
// send them, read by hiredis as off the wire: parsing either refuses the reply or yields
// entries whose views lie inside it.
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "stream_reply.h"

namespace {

void check_entries(const referral::rewardd::StreamEntries &entries) {
    for (const auto &e : entries) {
        check(!e.deleted || e.fields.empty());
        for (const auto &[name, value] : e.fields) {
            check(name.data() != nullptr && value.data() != nullptr);
        }
    }
}

// hiredis 0.14 allocates an array as soon as it reads its declared length, before any element
// arrives: "*1555555555" alone asks for 12 GB. A reply that declares more elements than the
// input has bytes can never be complete here, so it is skipped rather than allocated.
bool declares_more_than(const uint8_t *data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
        if (data[i] != '*') {
            continue;
        }
        size_t n = 0;
        for (size_t j = i + 1; j < size && data[j] >= '0' && data[j] <= '9' && n <= size; ++j) {
            n = n * 10 + (data[j] - '0');
        }
        if (n > size) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (declares_more_than(data, size)) {
        return 0;
    }
    redisReader *reader = redisReaderCreate();
    redisReaderFeed(reader, reinterpret_cast<const char *>(data), size);
    void *raw = nullptr;
    if (redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr) {
        auto *reply = static_cast<redisReply *>(raw);
        referral::rewardd::StreamEntries entries;
        if (referral::rewardd::parse_read_reply(reply, &entries)) {
            check_entries(entries);
        } else {
            check(entries.empty());
        }
        std::string_view next;
        if (referral::rewardd::parse_autoclaim_reply(reply, &next, &entries)) {
            check_entries(entries);
        } else {
            check(entries.empty());
        }
        freeReplyObject(reply);
    }
    redisReaderFree(reader);
    return 0;
}
