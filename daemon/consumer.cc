#include "consumer.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

namespace referral::rewardd {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kReleaseEvery{250};
constexpr milliseconds kSampleEvery{1000};
constexpr milliseconds kHousekeepingEvery{60000};
constexpr milliseconds kMaxBackoff{5000};
constexpr int64_t kForgetConsumerAfterMs = 24LL * 3600 * 1000;
constexpr int kRefundAttempts = 10;

int64_t now_ms() {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string default_consumer() {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    return std::string(host) + "-" + std::to_string(getpid());
}

// Errors after which the same call may well succeed later: the entry stays pending.
bool transient(const redisReply *r) {
    for (const char *prefix :
         {"OOM", "BUSY", "LOADING", "READONLY", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN"}) {
        if (is_error(r, prefix)) {
            return true;
        }
    }
    return false;
}

std::string_view metric_type(std::string_view type) {
    return type == "click" || type == "conversion" || type == "refund" ? type : "other";
}

// A stream id "ms-seq" as a comparable pair.
std::pair<uint64_t, uint64_t> stream_id(std::string_view id) {
    std::string s(id);
    size_t dash = s.find('-');
    return {std::strtoull(s.c_str(), nullptr, 10),
            dash == std::string::npos ? 0 : std::strtoull(s.c_str() + dash + 1, nullptr, 10)};
}

// Value of a field in a flat [name, value, ...] reply (XINFO), nullptr when absent.
const redisReply *info_field(const redisReply *r, std::string_view name) {
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        if (text(r->element[i]) == name) {
            return r->element[i + 1];
        }
    }
    return nullptr;
}

}  // namespace

Consumer::Consumer(const Config &config, Metrics &metrics, const std::atomic<bool> &stop)
    : config_(config),
      keys_(config.redis.prefix),
      applier_(config_, keys_),
      metrics_(metrics),
      stop_(stop),
      consumer_(config.daemon.consumer.empty() ? default_consumer() : config.daemon.consumer) {}

void Consumer::run() {
    milliseconds backoff{100};
    while (!stop_) {
        try {
            Redis redis(config_.redis);
            scripts_.load(redis);
            ensure_group(redis);
            metrics_.redis_up(true);
            spdlog::info("consuming {} as {}/{}", keys_.events(), config_.daemon.group, consumer_);
            backoff = milliseconds{100};
            serve(redis);
        } catch (const std::runtime_error &e) {
            metrics_.redis_up(false);
            if (stop_) {
                break;
            }
            spdlog::warn("{}; retrying in {} ms", e.what(), backoff.count());
            sleep_for(backoff);
            backoff = std::min(backoff * 2, kMaxBackoff);
        }
    }
}

void Consumer::sleep_for(milliseconds ms) const {
    auto until = Clock::now() + ms;
    while (!stop_ && Clock::now() < until) {
        std::this_thread::sleep_for(std::min(milliseconds{50}, ms));
    }
}

void Consumer::ensure_group(Redis &redis) {
    Reply r =
        redis.command({"XGROUP", "CREATE", keys_.events(), config_.daemon.group, "0", "MKSTREAM"});
    if (is_error(r.get()) && !is_error(r.get(), "BUSYGROUP")) {
        throw std::runtime_error("cannot create the consumer group: " + std::string(text(r.get())));
    }
}

void Consumer::serve(Redis &redis) {
    read_own_pending(redis);
    const milliseconds claim_every{
        std::clamp<int64_t>(config_.daemon.claim_idle_ms / 2, 100, 30000)};
    Clock::time_point next_claim{}, next_release{}, next_sample{}, next_house{};
    const std::string count = std::to_string(config_.daemon.batch);
    const std::string block = std::to_string(config_.daemon.block_ms);
    while (!stop_) {
        auto now = Clock::now();
        if (now >= next_claim) {
            claim(redis);
            next_claim = now + claim_every;
        }
        if (now >= next_release) {
            release_holds(redis);
            next_release = now + kReleaseEvery;
        }
        if (now >= next_sample) {
            sample(redis);
            if (config_.daemon.trim) {
                trim(redis);
            }
            next_sample = now + kSampleEvery;
        }
        if (now >= next_house) {
            forget_idle_consumers(redis);
            next_house = now + kHousekeepingEvery;
        }
        Reply r = redis.command({"XREADGROUP", "GROUP", config_.daemon.group, consumer_, "COUNT",
                                 count, "BLOCK", block, "STREAMS", keys_.events(), ">"});
        if (is_error(r.get(), "NOGROUP")) {
            // The stream or group was deleted, or Redis restarted without its data.
            ensure_group(redis);
            continue;
        }
        if (is_error(r.get())) {
            throw std::runtime_error("XREADGROUP: " + std::string(text(r.get())));
        }
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
            apply(redis, r->element[0]->element[1]);
        }
    }
}

void Consumer::read_own_pending(Redis &redis) {
    // Entries this consumer name was given before a restart and never acknowledged.
    std::string after = "0";
    for (;;) {
        Reply r =
            redis.command({"XREADGROUP", "GROUP", config_.daemon.group, consumer_, "COUNT",
                           std::to_string(config_.daemon.batch), "STREAMS", keys_.events(), after});
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
            return;
        }
        const redisReply *entries = r->element[0]->element[1];
        if (entries->elements == 0 || stop_) {
            return;
        }
        after = text(entries->element[entries->elements - 1]->element[0]);
        apply(redis, entries);
    }
}

void Consumer::claim(Redis &redis) {
    std::string start = "0-0";
    do {
        Reply r = redis.command({"XAUTOCLAIM", keys_.events(), config_.daemon.group, consumer_,
                                 std::to_string(config_.daemon.claim_idle_ms), start, "COUNT",
                                 std::to_string(config_.daemon.batch)});
        if (is_error(r.get(), "NOGROUP")) {
            ensure_group(redis);
            return;
        }
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
            throw std::runtime_error("XAUTOCLAIM: " + std::string(text(r.get())));
        }
        start = text(r->element[0]);
        if (size_t n = apply(redis, r->element[1])) {
            spdlog::info("took over {} entries pending for longer than claim_idle", n);
        }
    } while (start != "0-0" && !stop_);
}

size_t Consumer::apply(Redis &redis, const redisReply *entries) {
    std::vector<ScriptCall> calls;
    std::vector<std::string> types;
    int64_t now = now_ms();
    for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply *entry = entries->element[i];
        std::string_view id = text(entry->element[0]);
        const redisReply *kv = entry->element[1];
        if (!kv || kv->type != REDIS_REPLY_ARRAY) {
            // Deleted from the stream while pending: nothing left to apply.
            redis.command({"XACK", keys_.events(), config_.daemon.group, std::string(id)});
            continue;
        }
        Fields fields;
        fields.reserve(kv->elements / 2);
        for (size_t j = 0; j + 1 < kv->elements; j += 2) {
            fields.emplace_back(text(kv->element[j]), text(kv->element[j + 1]));
        }
        auto prepared = applier_.prepare(id, fields, now);
        std::string_view type = metric_type(field(fields, "type"));
        if (auto *call = std::get_if<ScriptCall>(&prepared)) {
            calls.push_back(std::move(*call));
            types.emplace_back(type);
        } else {
            // A refund is planned against its order as it stands after everything before it.
            flush(redis, calls, types);
            apply_refund(redis, id, field(fields, "id"), std::get<Refund>(prepared));
        }
    }
    flush(redis, calls, types);
    return entries->elements;
}

void Consumer::flush(Redis &redis, std::vector<ScriptCall> &calls,
                     std::vector<std::string> &types) {
    if (calls.empty()) {
        return;
    }
    std::vector<Reply> replies = scripts_.run_all(redis, calls);
    for (size_t i = 0; i < calls.size(); ++i) {
        settle(types[i], calls[i], replies[i].get(), redis);
    }
    calls.clear();
    types.clear();
}

void Consumer::apply_refund(Redis &redis, std::string_view entry, std::string_view event_id,
                            const Refund &refund) {
    for (int attempt = 0; attempt < kRefundAttempts; ++attempt) {
        OrderRecord order = applier_.read_order(redis, refund);
        ScriptCall call = applier_.refund_call(entry, event_id, refund, order);
        Reply r = scripts_.run(redis, call);
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 && text(r->element[0]) == "stale") {
            continue;  // another daemon changed the order in between: plan again
        }
        settle("refund", call, r.get(), redis);
        return;
    }
    spdlog::warn("refund {} left pending: its order kept changing", entry);
    metrics_.event("refund", "failed");
}

void Consumer::settle(std::string_view type, const ScriptCall &call, const redisReply *reply,
                      Redis &redis) {
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0) {
        std::string_view status = text(reply->element[0]);
        metrics_.event(type, status);
        if (status == "rejected" && reply->elements > 1) {
            metrics_.rejected(text(reply->element[1]));
        }
        if (status == "applied" && reply->elements > 2 && integer(reply->element[2]) > 0) {
            metrics_.rejected("reward_cap", integer(reply->element[2]));
        }
        return;
    }
    const std::string &entry = call.args[1];
    if (transient(reply)) {
        spdlog::warn("entry {} left pending: {}", entry, text(reply));
        metrics_.event(type, "failed");
        return;
    }
    // Anything else would fail the same way on every retry: record it and move on rather
    // than block the stream.
    spdlog::error("entry {} rejected: script failed: {}", entry, text(reply));
    ScriptCall reject{Script::kReject,
                      {call.keys.begin(), call.keys.begin() + 4},
                      {call.args.begin(), call.args.begin() + 4}};
    reject.args.push_back("internal_error");
    reject.args.emplace_back(text(reply));
    scripts_.run(redis, reject);
    metrics_.event(type, "rejected");
    metrics_.rejected("internal_error");
}

void Consumer::release_holds(Redis &redis) {
    ScriptCall call{Script::kPromote,
                    {keys_.due(), keys_.ledger()},
                    {keys_.prefix(), std::to_string(config_.daemon.batch)}};
    for (;;) {
        Reply r = scripts_.run(redis, call);
        if (is_error(r.get())) {
            spdlog::warn("releasing holds: {}", text(r.get()));
            return;
        }
        int64_t n = integer(r.get());
        metrics_.released(n);
        if (n < config_.daemon.batch) {
            return;
        }
    }
}

void Consumer::sample(Redis &redis) {
    Reply r = redis.command({"XINFO", "GROUPS", keys_.events()});
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        const redisReply *group = r->element[i];
        if (text(info_field(group, "name")) == config_.daemon.group) {
            const redisReply *lag = info_field(group, "lag");
            metrics_.stream(lag && lag->type == REDIS_REPLY_INTEGER ? lag->integer : -1,
                            integer(info_field(group, "pending")));
        }
    }
    metrics_.tick();
}

void Consumer::trim(Redis &redis) {
    // Everything below the oldest entry some group still needs may go: the oldest pending
    // entry, or for a group with nothing pending, the last entry it was given.
    Reply groups = redis.command({"XINFO", "GROUPS", keys_.events()});
    if (groups->type != REDIS_REPLY_ARRAY || groups->elements == 0) {
        return;
    }
    std::string keep;
    for (size_t i = 0; i < groups->elements; ++i) {
        const redisReply *group = groups->element[i];
        std::string candidate(text(info_field(group, "last-delivered-id")));
        if (integer(info_field(group, "pending")) > 0) {
            Reply p = redis.command(
                {"XPENDING", keys_.events(), std::string(text(info_field(group, "name")))});
            if (p->type == REDIS_REPLY_ARRAY && p->elements > 1) {
                candidate = text(p->element[1]);
            }
        }
        if (keep.empty() || stream_id(candidate) < stream_id(keep)) {
            keep = candidate;
        }
    }
    if (stream_id(keep) > std::make_pair<uint64_t, uint64_t>(0, 0)) {
        redis.command({"XTRIM", keys_.events(), "MINID", keep});
    }
}

void Consumer::forget_idle_consumers(Redis &redis) {
    // Every run has a consumer name of its own: names of long-gone runs would pile up.
    Reply r = redis.command({"XINFO", "CONSUMERS", keys_.events(), config_.daemon.group});
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        const redisReply *c = r->element[i];
        std::string name(text(info_field(c, "name")));
        if (name != consumer_ && integer(info_field(c, "pending")) == 0 &&
            integer(info_field(c, "idle")) > kForgetConsumerAfterMs) {
            redis.command({"XGROUP", "DELCONSUMER", keys_.events(), config_.daemon.group, name});
        }
    }
}

}  // namespace referral::rewardd
