#include "redis_server.h"

#include <signal.h>

#include <stdexcept>

namespace testing_support {

RedisServer::RedisServer(std::vector<std::string> extra)
    : port_(free_port()), extra_(std::move(extra)) {
    start();
}

RedisServer::~RedisServer() {
    stop();
}

void RedisServer::start() {
    std::vector<std::string> argv = {"/usr/bin/redis-server",
                                     "--bind",
                                     "127.0.0.1",
                                     "--port",
                                     std::to_string(port_),
                                     "--dir",
                                     dir_.path(),
                                     "--save",
                                     "",
                                     "--daemonize",
                                     "no",
                                     "--protected-mode",
                                     "no"};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    process_ = Process(argv, dir_.path() + "/redis.log");
    if (!eventually(
            [this] {
                Context c(redisConnect("127.0.0.1", port_));
                if (!c || c->err)
                    return false;
                Reply r(static_cast<redisReply *>(redisCommand(c.get(), "PING")));
                return r && r->type == REDIS_REPLY_STATUS;
            },
            std::chrono::seconds(10))) {
        throw std::runtime_error("redis-server did not start: " +
                                 read_file(dir_.path() + "/redis.log"));
    }
}

void RedisServer::stop() {
    process_.stop();
}
void RedisServer::freeze() const {
    process_.signal(SIGSTOP);
}
void RedisServer::thaw() const {
    process_.signal(SIGCONT);
}

Context RedisServer::connect() const {
    timeval tv{5, 0};
    Context c(redisConnectWithTimeout("127.0.0.1", port_, tv));
    if (!c || c->err)
        throw std::runtime_error("cannot connect to redis-server");
    redisSetTimeout(c.get(), tv);
    return c;
}

Reply RedisServer::command(const std::vector<std::string> &argv) const {
    Context c = connect();
    std::vector<const char *> args;
    std::vector<size_t> lens;
    for (const auto &a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    Reply r(static_cast<redisReply *>(
        redisCommandArgv(c.get(), static_cast<int>(args.size()), args.data(), lens.data())));
    if (!r)
        throw std::runtime_error("redis command failed: " + std::string(c->errstr));
    return r;
}

long long RedisServer::replicated(int replicas, int timeout_ms) const {
    Context c = connect();
    Reply mark(static_cast<redisReply *>(redisCommand(c.get(), "INCR test:replication-mark")));
    Reply n(static_cast<redisReply *>(redisCommand(c.get(), "WAIT %d %d", replicas, timeout_ms)));
    if (!mark || !n || n->type != REDIS_REPLY_INTEGER) {
        throw std::runtime_error("WAIT failed: " + std::string(c->errstr));
    }
    return n->integer;
}

std::string RedisServer::info(const std::string &section, const std::string &name) const {
    Reply r;
    try {
        r = command({"INFO", section});
    } catch (const std::runtime_error &) {
        return "";
    }
    if (r->type != REDIS_REPLY_STRING) {
        return "";
    }
    const std::string text = "\n" + std::string(r->str, r->len), key = "\n" + name + ":";
    size_t at = text.find(key);
    if (at == std::string::npos) {
        return "";
    }
    at += key.size();
    return text.substr(at, text.find('\r', at) - at);
}

std::vector<Fields> RedisServer::stream(const std::string &key, size_t at_least) const {
    std::vector<Fields> out;
    eventually([&] {
        out = read_stream(connect().get(), key);
        return out.size() >= at_least;
    });
    return out;
}

std::vector<Fields> read_stream(redisContext *c, const std::string &key) {
    Reply r(static_cast<redisReply *>(redisCommand(c, "XRANGE %b - +", key.data(), key.size())));
    if (!r)
        throw std::runtime_error("XRANGE failed: " + std::string(c->errstr));
    std::vector<Fields> out;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        const redisReply *entry = r->element[i];
        Fields &fields = out.emplace_back();
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
            continue;
        const redisReply *kv = entry->element[1];
        for (size_t j = 0; j + 1 < kv->elements; j += 2) {
            fields.emplace(std::string(kv->element[j]->str, kv->element[j]->len),
                           std::string(kv->element[j + 1]->str, kv->element[j + 1]->len));
        }
    }
    return out;
}

}  // namespace testing_support
