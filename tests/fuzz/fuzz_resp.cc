// The module's RESP encoder against hiredis' reply parser, the reference Redis reads like:
// any arguments, binary or not, must come back as the same array of bulk strings. And the
// module's reader of entry ids against the same parser: what it takes as a bulk string, hiredis
// reads as that one bulk string.
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "resp.h"

namespace {

void check_bulk_string(std::string_view input) {
    size_t taken = referral::resp::bulk_string_size(input);
    if (taken == 0) {
        return;
    }
    check(taken <= input.size());
    redisReader *reader = redisReaderCreate();
    check(redisReaderFeed(reader, input.data(), taken) == REDIS_OK);
    void *reply = nullptr;
    check(redisReaderGetReply(reader, &reply) == REDIS_OK && reply != nullptr);
    auto *r = static_cast<redisReply *>(reply);
    std::string_view wire = input.substr(0, taken);
    std::string_view body = wire.substr(wire.find('\n') + 1);
    check(r->type == REDIS_REPLY_STRING &&
          std::string_view(r->str, r->len) == body.substr(0, r->len) && body.size() == r->len + 2);
    freeReplyObject(r);
    check(reader->pos == reader->len);
    redisReaderFree(reader);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_bulk_string({reinterpret_cast<const char *>(data), size});
    // Arguments are the input split at NUL bytes, so empty and binary arguments both occur.
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::vector<std::string_view> argv;
    for (size_t start = 0;;) {
        size_t end = input.find('\0', start);
        argv.push_back(input.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }

    std::string wire;
    referral::resp::append_command(&wire, argv.data(), argv.size());

    redisReader *reader = redisReaderCreate();
    check(redisReaderFeed(reader, wire.data(), wire.size()) == REDIS_OK);
    void *reply = nullptr;
    check(redisReaderGetReply(reader, &reply) == REDIS_OK && reply != nullptr);
    auto *r = static_cast<redisReply *>(reply);
    check(r->type == REDIS_REPLY_ARRAY && r->elements == argv.size());
    for (size_t i = 0; i < argv.size(); ++i) {
        const redisReply *e = r->element[i];
        check(e->type == REDIS_REPLY_STRING && std::string_view(e->str, e->len) == argv[i]);
    }
    freeReplyObject(r);
    void *more = nullptr;
    check(redisReaderGetReply(reader, &more) == REDIS_OK && more == nullptr);
    redisReaderFree(reader);
    return 0;
}
