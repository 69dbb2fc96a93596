#include "redis_client.h"

#include <charconv>
#include <mutex>
#include <optional>

#include "redis_address.h"

namespace referral::rewardd {
namespace {

timeval to_timeval(int64_t ms) {
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
}

// The Cluster node that last redirected a command: every key has the prefix's hash tag, so one
// slot, and what one connection learnt holds for the process's others.
struct Redirection {
    HostPort node;
    bool asking = false;
};
std::mutex redirection_mutex;
std::optional<Redirection> redirection;

std::optional<Redirection> last_redirection() {
    std::lock_guard<std::mutex> lock(redirection_mutex);
    return redirection;
}

void redirect(std::optional<Redirection> to) {
    std::lock_guard<std::mutex> lock(redirection_mutex);
    redirection = std::move(to);
}

std::optional<Redirection> redirection_of(const redisReply *r) {
    std::optional<redis::Redirection> to =
        is_error(r) ? redis::parse_redirection(text(r)) : std::nullopt;
    if (!to) {
        return std::nullopt;
    }
    return Redirection{{std::string(to->host), to->port}, to->asking};
}

std::string describe(const HostPort &at) {
    return at.host + ":" + std::to_string(at.port);
}

// The master's address as the first sentinel that knows it says.
HostPort ask_sentinels(const RedisConfig &config) {
    timeval timeout = to_timeval(config.timeout_ms);
    std::string errors;
    for (const HostPort &sentinel : config.sentinels) {
        std::unique_ptr<redisContext, void (*)(redisContext *)> c(
            redisConnectWithTimeout(sentinel.host.c_str(), sentinel.port, timeout), redisFree);
        if (!c || c->err) {
            errors += "; " + describe(sentinel) + ": " + (c ? c->errstr : "out of memory");
            continue;
        }
        redisSetTimeout(c.get(), timeout);
        const char *argv[] = {"SENTINEL", "get-master-addr-by-name", config.master_name.c_str()};
        size_t lengths[] = {8, 23, config.master_name.size()};
        Reply r(static_cast<redisReply *>(redisCommandArgv(c.get(), 3, argv, lengths)));
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            std::optional<uint16_t> port = redis::parse_port(text(r->element[1]));
            if (port && !text(r->element[0]).empty()) {
                return HostPort{std::string(text(r->element[0])), *port};
            }
        }
        errors += "; " + describe(sentinel) + ": " +
                  (!r                  ? std::string(c->errstr)
                   : is_error(r.get()) ? std::string(text(r.get()))
                                       : "does not know it");
    }
    throw ConnectionError("no sentinel gives the address of master \"" + config.master_name + "\"" +
                          errors);
}

}  // namespace

Redis::Redis(const RedisConfig &config) {
    std::optional<Redirection> to = last_redirection();
    if (to) {
        asking_ = to->asking;
        try {
            open(&to->node, config);
        } catch (const ConnectionError &) {
            // Gone (its replica took over, say): the configured node knows who serves the slot.
            redirect(std::nullopt);
            throw;
        }
        return;
    }
    if (!config.sentinels.empty()) {
        HostPort master = ask_sentinels(config);
        open(&master, config);
        // The sentinels may not have noticed a failover yet: a replica would refuse writes.
        Reply role = command({"ROLE"});
        if (role->type != REDIS_REPLY_ARRAY || role->elements == 0 ||
            text(role->element[0]) != "master") {
            throw ConnectionError("Redis " + describe(master) + ", which the sentinels name as \"" +
                                  config.master_name + "\", is not a master");
        }
        return;
    }
    open(nullptr, config);
}

void Redis::open(const HostPort *at, const RedisConfig &config) {
    timeval timeout = to_timeval(config.timeout_ms);
    if (at) {
        context_.reset(redisConnectWithTimeout(at->host.c_str(), at->port, timeout));
    } else if (config.unix_path.empty()) {
        context_.reset(redisConnectWithTimeout(config.host.c_str(), config.port, timeout));
    } else {
        context_.reset(redisConnectUnixWithTimeout(config.unix_path.c_str(), timeout));
    }
    if (!context_) {
        throw ConnectionError("cannot allocate a Redis context");
    }
    if (context_->err) {
        throw ConnectionError(std::string("cannot connect to Redis: ") + context_->errstr);
    }
    redisSetTimeout(context_.get(), timeout);
    redisEnableKeepAlive(context_.get());
    if (!config.password.empty()) {
        Argv auth = {"AUTH"};
        if (!config.user.empty()) {
            auth.push_back(config.user);
        }
        auth.push_back(config.password);
        Reply r = command(auth);
        if (is_error(r.get())) {
            throw ConnectionError("Redis AUTH failed: " + std::string(text(r.get())));
        }
    }
    if (config.db != 0) {
        Reply r = command({"SELECT", std::to_string(config.db)});
        if (is_error(r.get())) {
            throw ConnectionError("Redis SELECT failed: " + std::string(text(r.get())));
        }
    }
}

void Redis::lost() {
    std::string why = context_->errstr;
    throw ConnectionError("Redis connection lost: " + why);
}

Reply Redis::command(const Argv &argv) {
    append(argv);
    return read_reply();
}

void Redis::append_asking() {
    if (asking_ && redisAppendCommand(context_.get(), "ASKING") != REDIS_OK) {
        lost();
    }
}

void Redis::append(const Argv &argv) {
    append_asking();
    std::vector<const char *> args;
    std::vector<size_t> lengths;
    args.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const std::string &a : argv) {
        args.push_back(a.data());
        lengths.push_back(a.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(args.size()), args.data(),
                               lengths.data()) != REDIS_OK) {
        lost();
    }
}

void Redis::append_encoded(std::string_view command) {
    append_asking();
    if (redisAppendFormattedCommand(context_.get(), command.data(), command.size()) != REDIS_OK) {
        lost();
    }
}

void Redis::send() {
    for (int done = 0; !done;) {
        if (redisBufferWrite(context_.get(), &done) != REDIS_OK) {
            lost();
        }
    }
}

Reply Redis::read_reply() {
    void *reply = nullptr;
    for (int i = asking_ ? 2 : 1; i > 0; --i) {
        if (reply) {
            freeReplyObject(reply);  // ASKING's +OK
            reply = nullptr;
        }
        if (redisGetReply(context_.get(), &reply) != REDIS_OK || !reply) {
            lost();
        }
    }
    Reply r(static_cast<redisReply *>(reply));
    if (std::optional<Redirection> to = redirection_of(r.get())) {
        redirect(to);
        throw Redirected("Redis Cluster redirects to " + describe(to->node) + ": " +
                         std::string(text(r.get())));
    }
    if (is_error(r.get(), "READONLY")) {
        throw ConnectionError("Redis is a replica now: " + std::string(text(r.get())));
    }
    return r;
}

Redis connect_serving(const RedisConfig &config, const std::string &key) {
    // A slot being migrated may send ASK, then MOVED: a few hops, never a loop.
    for (int hops = 0;; ++hops) {
        Redis redis(config);
        try {
            redis.command({"EXISTS", key});
            return redis;
        } catch (const Redirected &) {
            if (hops == 3) {
                throw;
            }
        }
    }
}

std::string_view text(const redisReply *r) {
    if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
              r->type == REDIS_REPLY_ERROR)) {
        return std::string_view(r->str, r->len);
    }
    return {};
}

bool is_error(const redisReply *r, std::string_view prefix) {
    return r && r->type == REDIS_REPLY_ERROR && text(r).substr(0, prefix.size()) == prefix;
}

int64_t integer(const redisReply *r) {
    if (!r) {
        return 0;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
        return r->integer;
    }
    int64_t v = 0;
    std::string_view s = text(r);
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

}  // namespace referral::rewardd
