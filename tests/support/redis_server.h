// A real redis-server on a free loopback port in its own directory.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace testing_support {

struct ReplyDeleter {
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
    void operator()(redisContext *c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

class RedisServer {
  public:
    // extra: further redis-server arguments, e.g. {"--appendonly", "yes"}.
    explicit RedisServer(std::vector<std::string> extra = {});
    ~RedisServer();

    int port() const { return port_; }
    const std::string &dir() const { return dir_.path(); }
    void start();  // (re)starts on the same port and directory
    void stop();
    void freeze() const;  // SIGSTOP
    void thaw() const;    // SIGCONT
    pid_t pid() const { return process_.pid(); }

    Context connect() const;
    // One command from argv; throws std::runtime_error on connection failure.
    Reply command(const std::vector<std::string> &argv) const;

  private:
    TempDir dir_;
    int port_;
    std::vector<std::string> extra_;
    Process process_;
};

// Field map of one stream entry (XRANGE element).
std::vector<std::pair<std::string, std::string>> entry_fields(const redisReply *entry);
std::string field(const redisReply *entry, const std::string &name);  // "" when absent

}  // namespace testing_support
