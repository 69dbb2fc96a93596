// A blocking hiredis connection with timeouts: the daemon is its own process, so waiting on
// Redis blocks nobody else. Commands are always built from argv.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace referral::rewardd {

// The connection is gone (refused, reset, timed out); the caller reconnects.
class ConnectionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ReplyDeleter {
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

using Argv = std::vector<std::string>;

class Redis {
  public:
    // Connects, authenticates and selects the database; throws ConnectionError.
    explicit Redis(const RedisConfig &config);

    // One command; error replies come back as REDIS_REPLY_ERROR, not as exceptions.
    Reply command(const Argv &argv);
    // Pipelining: queue commands, then read their replies in order.
    void append(const Argv &argv);
    Reply read_reply();

  private:
    struct ContextDeleter {
        void operator()(redisContext *c) const { redisFree(c); }
    };
    [[noreturn]] void lost();
    std::unique_ptr<redisContext, ContextDeleter> context_;
};

// Helpers on replies.
std::string_view text(const redisReply *r);  // string/status/error, "" otherwise
bool is_error(const redisReply *r, std::string_view prefix = {});
int64_t integer(const redisReply *r);  // integer or numeric string, 0 otherwise

}  // namespace referral::rewardd
