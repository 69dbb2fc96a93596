// A real redis-server on a free loopback port in its own directory.
#pragma once

#include <hiredis/hiredis.h>

#include <map>
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

// The fields of one stream entry. A name given twice keeps its first value, as the daemon reads
// it.
using Fields = std::map<std::string, std::string>;

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
    // One field of INFO section ("role", "master_link_status"...); "" when absent or when the
    // server does not answer.
    std::string info(const std::string &section, const std::string &name) const;
    // How many replicas have everything written to this server so far (WAIT up to timeout_ms).
    // WAIT counts only the writes of its own connection, so a write of its own comes first:
    // every other client's earlier writes are before it in the replication stream.
    long long replicated(int replicas, int timeout_ms) const;
    // read_stream() on a new connection (database 0), once the stream holds at_least entries
    // (as it is when that takes longer than 10 s).
    std::vector<Fields> stream(const std::string &key, size_t at_least = 0) const;

  private:
    TempDir dir_;
    int port_;
    std::vector<std::string> extra_;
    Process process_;
};

// Every entry of a stream, oldest first; none when the key does not exist.
std::vector<Fields> read_stream(redisContext *c, const std::string &key);

}  // namespace testing_support
