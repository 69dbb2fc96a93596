#include "redis_sentinel.h"

#include <stdexcept>

namespace testing_support {
namespace {

using namespace std::chrono_literals;

}  // namespace

const std::vector<std::string> kPromptReplication = {"--repl-diskless-sync-delay", "0"};

std::unique_ptr<RedisServer> start_replica(int master_port) {
    std::vector<std::string> argv = kPromptReplication;
    argv.insert(argv.end(), {"--replicaof", "127.0.0.1", std::to_string(master_port)});
    auto replica = std::make_unique<RedisServer>(argv);
    if (!eventually([&] { return replica->info("replication", "master_link_status") == "up"; },
                    30s)) {
        throw std::runtime_error("the replica did not synchronise");
    }
    return replica;
}

RedisSentinel::RedisSentinel(const std::string &name, int master_port, int replicas)
    : name_(name), port_(free_port()) {
    std::string config = dir_.path() + "/sentinel.conf";
    write_file(config, "port " + std::to_string(port_) +
                           "\nbind 127.0.0.1\nprotected-mode no\ndir " + dir_.path() +
                           "\nsentinel monitor " + name + " 127.0.0.1 " +
                           std::to_string(master_port) +
                           " 1\n"
                           "sentinel down-after-milliseconds " +
                           name + " 5000\nsentinel failover-timeout " + name + " 60000\n");
    process_ = Process({"/usr/bin/redis-sentinel", config}, dir_.path() + "/sentinel.log");
    bool knows = eventually(
        [&] {
            try {
                Reply r = command({"SENTINEL", "REPLICAS", name_});
                if (r->type != REDIS_REPLY_ARRAY || r->elements < static_cast<size_t>(replicas)) {
                    return false;
                }
                // Each replica as a flat name/value array: usable once its flags are plain.
                for (size_t i = 0; i < r->elements; ++i) {
                    const redisReply *fields = r->element[i];
                    for (size_t j = 0; j + 1 < fields->elements; j += 2) {
                        if (std::string(fields->element[j]->str) == "flags" &&
                            std::string(fields->element[j + 1]->str) != "slave") {
                            return false;
                        }
                    }
                }
                return true;
            } catch (const std::runtime_error &) {
                return false;
            }
        },
        30s);
    if (!knows) {
        throw std::runtime_error("redis-sentinel did not find the replica: " +
                                 read_file(dir_.path() + "/sentinel.log"));
    }
}

RedisSentinel::~RedisSentinel() {
    process_.stop();
}

Reply RedisSentinel::command(const std::vector<std::string> &argv) const {
    timeval tv{5, 0};
    Context c(redisConnectWithTimeout("127.0.0.1", port_, tv));
    if (!c || c->err) {
        throw std::runtime_error("cannot connect to redis-sentinel");
    }
    redisSetTimeout(c.get(), tv);
    std::vector<const char *> args;
    std::vector<size_t> lens;
    for (const auto &a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    Reply r(static_cast<redisReply *>(
        redisCommandArgv(c.get(), static_cast<int>(args.size()), args.data(), lens.data())));
    if (!r) {
        throw std::runtime_error("redis-sentinel command failed: " + std::string(c->errstr));
    }
    return r;
}

int RedisSentinel::master_port() const {
    Reply r = command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", name_});
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        return 0;
    }
    return std::stoi(std::string(r->element[1]->str, r->element[1]->len));
}

int RedisSentinel::failover(const RedisServer &old_master) const {
    Reply r = command({"SENTINEL", "FAILOVER", name_});
    if (r->type == REDIS_REPLY_ERROR) {
        throw std::runtime_error("SENTINEL FAILOVER: " + std::string(r->str, r->len));
    }
    int promoted = 0;
    bool done = eventually(
        [&] {
            promoted = master_port();
            return promoted != old_master.port() &&
                   old_master.info("replication", "master_port") == std::to_string(promoted) &&
                   old_master.info("replication", "master_link_status") == "up";
        },
        60s);
    if (!done) {
        throw std::runtime_error("the failover did not complete: " +
                                 read_file(dir_.path() + "/sentinel.log"));
    }
    return promoted;
}

}  // namespace testing_support
