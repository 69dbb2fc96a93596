// A real Redis Cluster on loopback: three masters, each with one replica, created with
// redis-cli --cluster create, for tests of MOVED redirections and failovers.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis_server.h"

namespace testing_support {

class RedisCluster {
  public:
    RedisCluster();  // returns once every node reports cluster_state:ok

    const std::vector<std::unique_ptr<RedisServer>> &nodes() const { return nodes_; }
    // The master that serves key's slot, as the cluster sees it now.
    RedisServer &owner(const std::string &key) const;
    // CLUSTER FAILOVER on the replica of key's master; returns once every node agrees that the
    // replica serves the slot and the old master replicates from it.
    void failover(const std::string &key);
    // Moves key's slot, keys and all, from its master to another master, as redis-cli
    // --cluster reshard does (IMPORTING, MIGRATING, MIGRATE, SETSLOT NODE): meanwhile the old
    // master answers ASK for the keys it has sent. while_asking(new master) runs once every key
    // has moved and before the slot is given to the new master. Returns once every node agrees.
    void migrate(const std::string &key,
                 const std::function<void(RedisServer &)> &while_asking = {});
    // A node that does not serve key's slot.
    RedisServer &other_than_owner(const std::string &key) const;

  private:
    RedisServer &by_port(int port) const;
    // The port of the master serving slot according to node; 0 when it does not know.
    int master_of_slot(const RedisServer &node, long long slot) const;
    long long slot(const std::string &key) const;

    std::vector<std::unique_ptr<RedisServer>> nodes_;
};

}  // namespace testing_support
