// A blocking hiredis connection with timeouts: the daemon is its own process, so waiting on
// Redis blocks nobody else. Commands are always built from argv.
//
// High availability (docs/operations.md, "Redis that fails over"): with sentinels, every
// connection asks them where the master is and checks its ROLE; a -READONLY reply (the master
// became a replica) drops the connection, and the caller's reconnection asks again. On a Redis
// Cluster, a MOVED or ASK reply drops the connection too, and every later connection of the
// process goes to the node it named (with ASKING before each command after an ASK) until
// another redirection, or a failure to reach that node sends them back to redis.address.
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

// A Redis Cluster node sent the command elsewhere (MOVED, ASK): the next connection goes there.
class Redirected : public ConnectionError {
  public:
    using ConnectionError::ConnectionError;
};

struct ReplyDeleter {
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

using Argv = std::vector<std::string>;

class Redis {
  public:
    // Connects (to the master the sentinels name, or to the node the last redirection named),
    // authenticates and selects the database; throws ConnectionError.
    explicit Redis(const RedisConfig &config);

    // One command; error replies come back as REDIS_REPLY_ERROR, not as exceptions.
    Reply command(const Argv &argv);
    // Pipelining: queue commands, then read their replies in order.
    void append(const Argv &argv);
    // A command already in RESP (resp::append_command).
    void append_encoded(std::string_view command);
    // Writes what is queued now, so that Redis works on it while the caller does something
    // else before reading the replies.
    void send();
    Reply read_reply();

  private:
    struct ContextDeleter {
        void operator()(redisContext *c) const { redisFree(c); }
    };
    [[noreturn]] void lost();
    void append_asking();
    // Connects to at, or to config's address when null.
    void open(const HostPort *at, const RedisConfig &config);
    std::unique_ptr<redisContext, ContextDeleter> context_;
    bool asking_ = false;
};

// A connection to the node that serves key's slot: a first read follows the Cluster's
// redirections before the caller writes anything. For one-shot commands; loops reconnect anyway.
Redis connect_serving(const RedisConfig &config, const std::string &key);

// Helpers on replies.
std::string_view text(const redisReply *r);  // string/status/error, "" otherwise
bool is_error(const redisReply *r, std::string_view prefix = {});
int64_t integer(const redisReply *r);  // integer or numeric string, 0 otherwise

}  // namespace referral::rewardd
