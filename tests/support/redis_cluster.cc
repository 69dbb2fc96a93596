#include "redis_cluster.h"

#include <stdexcept>

namespace testing_support {
namespace {

using namespace std::chrono_literals;

constexpr int kNodes = 6;

}  // namespace

RedisCluster::RedisCluster() {
    std::vector<std::string> create = {"/usr/bin/redis-cli", "--cluster", "create"};
    for (int i = 0; i < kNodes; ++i) {
        // The bus port is given: port + 10000, its default, may be past 65535.
        nodes_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port",
            std::to_string(free_port()), "--cluster-node-timeout", "5000", "--appendonly", "no"}));
        create.push_back("127.0.0.1:" + std::to_string(nodes_.back()->port()));
    }
    create.insert(create.end(), {"--cluster-replicas", "1", "--cluster-yes"});
    std::string output;
    if (run_command(create, &output) != 0) {
        throw std::runtime_error("redis-cli --cluster create failed: " + output);
    }
    bool ok = eventually(
        [&] {
            for (const auto &node : nodes_) {
                if (node->info("cluster", "cluster_enabled") != "1") {
                    return false;
                }
                Reply r = node->command({"CLUSTER", "INFO"});
                std::string text(r->str, r->len);
                if (text.find("cluster_state:ok") == std::string::npos) {
                    return false;
                }
                // A replica not yet synchronised cannot take part in a manual failover.
                if (node->info("replication", "role") == "slave" &&
                    node->info("replication", "master_link_status") != "up") {
                    return false;
                }
            }
            return true;
        },
        60s);
    if (!ok) {
        throw std::runtime_error("the cluster did not come up: " + output);
    }
}

long long RedisCluster::slot(const std::string &key) const {
    return nodes_.front()->command({"CLUSTER", "KEYSLOT", key})->integer;
}

int RedisCluster::master_of_slot(const RedisServer &node, long long slot) const {
    Reply r;
    try {
        r = node.command({"CLUSTER", "SLOTS"});
    } catch (const std::runtime_error &) {
        return 0;
    }
    // [[start, end, [ip, port, id], replicas...], ...]
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        const redisReply *range = r->element[i];
        if (range->elements >= 3 && range->element[0]->integer <= slot &&
            slot <= range->element[1]->integer) {
            return static_cast<int>(range->element[2]->element[1]->integer);
        }
    }
    return 0;
}

RedisServer &RedisCluster::by_port(int port) const {
    for (const auto &node : nodes_) {
        if (node->port() == port) {
            return *node;
        }
    }
    throw std::runtime_error("no cluster node on port " + std::to_string(port));
}

RedisServer &RedisCluster::owner(const std::string &key) const {
    return by_port(master_of_slot(*nodes_.front(), slot(key)));
}

void RedisCluster::migrate(const std::string &key,
                           const std::function<void(RedisServer &)> &while_asking) {
    RedisServer &from = owner(key);
    RedisServer *to = nullptr;
    for (const auto &node : nodes_) {
        if (node.get() != &from && node->info("replication", "role") == "master") {
            to = node.get();
        }
    }
    const std::string s = std::to_string(slot(key));
    auto id = [](const RedisServer &node) {
        Reply r = node.command({"CLUSTER", "MYID"});
        return std::string(r->str, r->len);
    };
    auto check = [](Reply r, const std::string &what) {
        if (r->type == REDIS_REPLY_ERROR) {
            throw std::runtime_error(what + ": " + std::string(r->str, r->len));
        }
    };
    const std::string from_id = id(from), to_id = id(*to);
    check(to->command({"CLUSTER", "SETSLOT", s, "IMPORTING", from_id}), "IMPORTING");
    check(from.command({"CLUSTER", "SETSLOT", s, "MIGRATING", to_id}), "MIGRATING");
    for (;;) {
        Reply keys = from.command({"CLUSTER", "GETKEYSINSLOT", s, "100"});
        if (keys->type != REDIS_REPLY_ARRAY || keys->elements == 0) {
            break;
        }
        std::vector<std::string> argv = {
            "MIGRATE", "127.0.0.1", std::to_string(to->port()), "", "0", "10000", "KEYS"};
        for (size_t i = 0; i < keys->elements; ++i) {
            argv.emplace_back(keys->element[i]->str, keys->element[i]->len);
        }
        check(from.command(argv), "MIGRATE");
    }
    if (while_asking) {
        while_asking(*to);
    }
    check(to->command({"CLUSTER", "SETSLOT", s, "NODE", to_id}), "SETSLOT NODE");
    check(from.command({"CLUSTER", "SETSLOT", s, "NODE", to_id}), "SETSLOT NODE");
    for (const auto &node : nodes_) {
        if (node.get() != to && node.get() != &from &&
            node->info("replication", "role") == "master") {
            check(node->command({"CLUSTER", "SETSLOT", s, "NODE", to_id}), "SETSLOT NODE");
        }
    }
    const long long n = slot(key);
    bool done = eventually(
        [&] {
            for (const auto &node : nodes_) {
                if (master_of_slot(*node, n) != to->port()) {
                    return false;
                }
            }
            return true;
        },
        60s);
    if (!done) {
        throw std::runtime_error("the slot's migration did not complete");
    }
}

RedisServer &RedisCluster::other_than_owner(const std::string &key) const {
    const RedisServer &serving = owner(key);
    for (const auto &node : nodes_) {
        if (node.get() != &serving) {
            return *node;
        }
    }
    throw std::runtime_error("a cluster of one node");
}

void RedisCluster::failover(const std::string &key) {
    RedisServer &old_master = owner(key);
    RedisServer *replica = nullptr;
    for (const auto &node : nodes_) {
        if (node->info("replication", "role") == "slave" &&
            node->info("replication", "master_port") == std::to_string(old_master.port())) {
            replica = node.get();
        }
    }
    if (replica == nullptr) {
        throw std::runtime_error("the slot's master has no replica");
    }
    const long long s = slot(key);
    auto complete = [&] {
        for (const auto &node : nodes_) {
            if (master_of_slot(*node, s) != replica->port()) {
                return false;
            }
        }
        return old_master.info("replication", "master_port") == std::to_string(replica->port()) &&
               old_master.info("replication", "master_link_status") == "up";
    };
    // A manual failover gives up when the master does not pause in time (a loaded machine):
    // it is asked again, as an operator would.
    bool done = false;
    for (int attempt = 0; attempt < 3 && !done; ++attempt) {
        Reply r = replica->command({"CLUSTER", "FAILOVER"});
        if (r->type == REDIS_REPLY_ERROR) {
            throw std::runtime_error("CLUSTER FAILOVER: " + std::string(r->str, r->len));
        }
        done = eventually(complete, 30s);
    }
    if (!done) {
        std::string seen;
        for (const auto &node : nodes_) {
            seen +=
                " " + std::to_string(node->port()) + ":" + std::to_string(master_of_slot(*node, s));
        }
        throw std::runtime_error("the cluster failover to " + std::to_string(replica->port()) +
                                 " did not complete; the slot's master per node:" + seen +
                                 "; the old master replicates from " +
                                 old_master.info("replication", "master_port"));
    }
}

}  // namespace testing_support
