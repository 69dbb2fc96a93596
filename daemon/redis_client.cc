#include "redis_client.h"

#include <charconv>

namespace referral::rewardd {
namespace {

timeval to_timeval(int64_t ms) {
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
}

}  // namespace

Redis::Redis(const RedisConfig &config) {
    timeval timeout = to_timeval(config.timeout_ms);
    context_.reset(config.unix_path.empty()
                       ? redisConnectWithTimeout(config.host.c_str(), config.port, timeout)
                       : redisConnectUnixWithTimeout(config.unix_path.c_str(), timeout));
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

void Redis::append(const Argv &argv) {
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

Reply Redis::read_reply() {
    void *reply = nullptr;
    if (redisGetReply(context_.get(), &reply) != REDIS_OK || !reply) {
        lost();
    }
    return Reply(static_cast<redisReply *>(reply));
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
