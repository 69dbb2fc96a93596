// A real redis-sentinel on a free loopback port watching one master, for failover tests.
#pragma once

#include <string>

#include "process.h"
#include "redis_server.h"

namespace testing_support {

class RedisSentinel {
  public:
    // Watches the master at 127.0.0.1:master_port as `name`; returns once it knows
    // replicas replicas of it, so that SENTINEL FAILOVER has one to promote.
    RedisSentinel(const std::string &name, int master_port, int replicas = 1);
    ~RedisSentinel();
    RedisSentinel(const RedisSentinel &) = delete;
    RedisSentinel &operator=(const RedisSentinel &) = delete;

    int port() const { return port_; }
    // The master's port as this Sentinel reports it; 0 when it knows none.
    int master_port() const;
    // SENTINEL FAILOVER, then waits until the promoted replica is the master it reports and the
    // old master, demoted, replicates from it. Returns the new master's port.
    int failover(const RedisServer &old_master) const;

  private:
    Reply command(const std::vector<std::string> &argv) const;

    std::string name_;
    TempDir dir_;
    int port_;
    Process process_;
};

// redis-server arguments for a master whose replicas synchronise at once, not after the
// default diskless delay of 5 s.
extern const std::vector<std::string> kPromptReplication;

// A replica of the redis-server at 127.0.0.1:master_port, once it has synchronised. It takes
// kPromptReplication too, for when it is promoted.
std::unique_ptr<RedisServer> start_replica(int master_port);

}  // namespace testing_support
