#include "consumer.h"
#include "stream_trim.h"
#include "wall_clock.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <stdexcept>
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
// Batches sent and not yet settled: one that Redis applies while the next is planned, and that
// next one.
constexpr size_t kBatchesInFlight = 2;

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
    std::optional<EventType> t = parse_event_type(type);
    return t ? type_name(*t) : "other";
}

[[noreturn]] void unexpected(std::string_view command, const redisReply *r) {
    throw std::runtime_error(std::string(command) + ": " +
                             (is_error(r) ? std::string(text(r)) : "unexpected reply"));
}

// A script's reply as one line, for debug traces.
std::string describe(const redisReply *r) {
    if (r->type == REDIS_REPLY_INTEGER) {
        return std::to_string(r->integer);
    }
    if (r->type != REDIS_REPLY_ARRAY) {
        return std::string(text(r));
    }
    std::string out;
    for (size_t i = 0; i < r->elements; ++i) {
        out += (i ? " " : "") + describe(r->element[i]);
    }
    return out;
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
            in_flight_.clear();  // their entries are still pending: read_own_pending()
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
            expire_held(redis);
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
        std::shared_ptr<const redisReply> read = std::move(r);
        StreamEntries entries;
        if (!parse_read_reply(read.get(), &entries)) {
            unexpected("XREADGROUP", read.get());
        }
        apply(redis, read, entries);
    }
}

void Consumer::read_own_pending(Redis &redis) {
    // Entries this consumer name was given before a restart and never acknowledged.
    std::string after = "0";
    for (;;) {
        Reply r =
            redis.command({"XREADGROUP", "GROUP", config_.daemon.group, consumer_, "COUNT",
                           std::to_string(config_.daemon.batch), "STREAMS", keys_.events(), after});
        if (is_error(r.get())) {
            return;  // NOGROUP: serve() creates the group again
        }
        std::shared_ptr<const redisReply> read = std::move(r);
        StreamEntries entries;
        if (!parse_read_reply(read.get(), &entries)) {
            unexpected("XREADGROUP", read.get());
        }
        if (entries.empty() || stop_) {
            return;
        }
        after = entries.back().id;
        spdlog::debug("reading {} entries given to {} before and never acknowledged",
                      entries.size(), consumer_);
        apply(redis, read, entries);
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
        std::shared_ptr<const redisReply> read = std::move(r);
        std::string_view next;
        StreamEntries entries;
        if (!parse_autoclaim_reply(read.get(), &next, &entries)) {
            unexpected("XAUTOCLAIM", read.get());
        }
        if (!entries.empty()) {
            spdlog::debug("XAUTOCLAIM from {}: {} entries idle for over {} ms, next {}", start,
                          entries.size(), config_.daemon.claim_idle_ms, next);
        }
        start = next;
        if (size_t n = apply(redis, read, entries)) {
            spdlog::info("took over {} entries pending for longer than claim_idle", n);
        }
    } while (start != "0-0" && !stop_);
}

size_t Consumer::apply(Redis &redis, const std::shared_ptr<const redisReply> &read,
                       const StreamEntries &entries) {
    std::vector<ScriptCall> calls;
    std::vector<Queued> queued;
    calls.reserve(kEventsPerBatch);
    queued.reserve(kEventsPerBatch);
    int64_t now = now_ms();
    for (const StreamEntry &e : entries) {
        if (e.deleted) {
            spdlog::debug("entry {}: deleted from the stream while pending, acknowledged", e.id);
            settle_all(redis);
            redis.command({"XACK", keys_.events(), config_.daemon.group, std::string(e.id)});
            continue;
        }
        auto prepared = applier_.prepare(e.id, e.fields, now);
        Queued q{metric_type(field(e.fields, EventField::type)), e.id,
                 field(e.fields, EventField::id), field(e.fields, EventField::ts)};
        if (auto *call = std::get_if<ScriptCall>(&prepared)) {
            calls.push_back(std::move(*call));
            queued.push_back(q);
            if (calls.size() == kEventsPerBatch) {
                send(redis, calls, queued, read);
            }
            continue;
        }
        // Planned against the books as they stand after everything before it.
        send(redis, calls, queued, read);
        settle_all(redis);
        if (auto *refund = std::get_if<Refund>(&prepared)) {
            apply_refund(redis, q, *refund);
        } else if (auto *confirm = std::get_if<Confirm>(&prepared)) {
            for (const ScriptCall &call :
                 applier_.confirm_calls(redis, e.id, q.event_id, *confirm, e.fields, now)) {
                settle(q, scripts_.run(redis, call).get(), redis);
            }
        } else if (auto *renewal = std::get_if<Renewal>(&prepared)) {
            settle(
                q,
                scripts_.run(redis, applier_.renewal_call(redis, e.id, q.event_id, *renewal, now))
                    .get(),
                redis);
        } else {
            settle(q,
                   scripts_
                       .run(redis, applier_.bound_purchase_call(redis, e.id, q.event_id,
                                                                std::get<BoundPurchase>(prepared),
                                                                e.fields, now))
                       .get(),
                   redis);
        }
    }
    send(redis, calls, queued, read);
    settle_all(redis);
    return entries.size();
}

void Consumer::send(Redis &redis, std::vector<ScriptCall> &calls, std::vector<Queued> &queued,
                    const std::shared_ptr<const redisReply> &read) {
    if (calls.empty()) {
        return;
    }
    while (in_flight_.size() >= kBatchesInFlight) {
        settle_oldest(redis);
    }
    Batch batch{scripts_.batch_command(calls.data(), calls.size()), std::move(queued), read,
                nullptr};
    redis.append_encoded(batch.command);
    redis.send();
    in_flight_.push_back(std::move(batch));
    calls.clear();
    queued.clear();
    queued.reserve(kEventsPerBatch);
}

void Consumer::settle_oldest(Redis &redis) {
    Batch &batch = in_flight_.front();
    if (!batch.reply) {
        batch.reply = redis.read_reply();
    }
    const redisReply *r = batch.reply.get();
    size_t count = batch.queued.size();
    bool complete = r->type == REDIS_REPLY_ARRAY && r->elements == count;
    bool all_arrays = complete && std::all_of(r->element, r->element + count, [](redisReply *e) {
                          return e->type == REDIS_REPLY_ARRAY;
                      });
    if (!all_arrays) {
        // Settling may send commands (a rejection, the batch again): every batch sent before
        // them has its reply read first.
        for (Batch &later : in_flight_) {
            if (!later.reply) {
                later.reply = redis.read_reply();
            }
        }
    }
    if (is_noscript(r)) {
        // A batch that answered NOSCRIPT never ran: sending it and the others that did again,
        // in order, is safe.
        scripts_.load(redis);
        for (Batch &each : in_flight_) {
            if (is_noscript(each.reply.get())) {
                redis.append_encoded(each.command);
                each.reply = redis.read_reply();
            }
        }
        r = batch.reply.get();
        complete = r->type == REDIS_REPLY_ARRAY && r->elements == count;
    }
    // A failed batch's own error stands for each of its events.
    for (size_t i = 0; i < count; ++i) {
        settle(batch.queued[i], complete ? r->element[i] : r, redis);
    }
    in_flight_.pop_front();
}

void Consumer::settle_all(Redis &redis) {
    while (!in_flight_.empty()) {
        settle_oldest(redis);
    }
}

void Consumer::apply_refund(Redis &redis, const Queued &q, const Refund &refund) {
    for (int attempt = 0; attempt < kRefundAttempts; ++attempt) {
        OrderRecord order = applier_.read_order(redis, refund);
        ScriptCall call = applier_.refund_call(q.entry, q.event_id, refund, order);
        Reply r = scripts_.run(redis, call);
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
            text(r->element[0]) == script_status::kStale) {
            // Another daemon changed the order in between: plan again.
            spdlog::debug("entry {}: order {} changed while the refund was planned", q.entry,
                          refund.order);
            continue;
        }
        settle(q, r.get(), redis);
        return;
    }
    spdlog::warn("refund {} left pending: its order kept changing", q.entry);
    metrics_.event(q.type, "failed");
}

void Consumer::settle(const Queued &q, const redisReply *reply, Redis &redis) {
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0) {
        std::string_view status = text(reply->element[0]);
        metrics_.event(q.type, status);
        if (status == script_status::kRejected && reply->elements > 1) {
            metrics_.rejected(text(reply->element[1]));
        }
        if (status == script_status::kApplied && reply->elements > 2 &&
            integer(reply->element[2]) > 0) {
            metrics_.rejected("reward_cap", integer(reply->element[2]));
        }
        if (spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("entry {}: {} script: {}", q.entry, q.type, describe(reply));
        }
        return;
    }
    if (transient(reply)) {
        spdlog::warn("entry {} left pending: {}", q.entry, text(reply));
        metrics_.event(q.type, "failed");
        return;
    }
    // Anything else would fail the same way on every retry: record it and move on rather
    // than block the stream.
    spdlog::error("entry {} rejected: script failed: {}", q.entry, text(reply));
    scripts_.run(redis, applier_.reject_call(q.entry, q.event_id,
                                             Rejection{"internal_error", std::string(text(reply))},
                                             now_ms(), Applier::own_time(q.ts)));
    metrics_.event(q.type, script_status::kRejected);
    metrics_.rejected("internal_error");
}

void Consumer::release_holds(Redis &redis) {
    PromoteCall promote;
    promote.due = keys_.due();
    promote.ledger = keys_.ledger();
    promote.prefix = keys_.prefix();
    promote.batch = config_.daemon.batch;
    ScriptCall call = promote.to_call();
    for (;;) {
        Reply r = scripts_.run(redis, call);
        if (is_error(r.get())) {
            spdlog::warn("releasing holds: {}", text(r.get()));
            return;
        }
        int64_t n = integer(r.get());
        if (n > 0) {
            spdlog::debug("released the holds of {} orders", n);
        }
        metrics_.released(n);
        if (n < config_.daemon.batch) {
            return;
        }
    }
}

void Consumer::expire_held(Redis &redis) {
    ExpireHeldCall expire;
    expire.held_expiry = keys_.held_expiry();
    expire.rejected = keys_.rejected();
    expire.ledger = keys_.ledger();
    expire.rejected_maxlen = config_.daemon.rejected_maxlen;
    expire.batch = config_.daemon.batch;
    ScriptCall call = expire.to_call();
    for (;;) {
        Reply r = scripts_.run(redis, call);
        if (is_error(r.get())) {
            spdlog::warn("expiring held conversions: {}", text(r.get()));
            return;
        }
        int64_t n = integer(r.get());
        if (n > 0) {
            spdlog::info("{} held conversions expired without approval", n);
            metrics_.rejected("held_expired", n);
        }
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
    Reply groups = redis.command({"XINFO", "GROUPS", keys_.events()});
    if (groups->type != REDIS_REPLY_ARRAY) {
        return;
    }
    std::vector<GroupPosition> positions;
    for (size_t i = 0; i < groups->elements; ++i) {
        const redisReply *group = groups->element[i];
        GroupPosition p{std::string(text(info_field(group, "last-delivered-id"))), ""};
        if (integer(info_field(group, "pending")) > 0) {
            Reply pending = redis.command(
                {"XPENDING", keys_.events(), std::string(text(info_field(group, "name")))});
            if (pending->type != REDIS_REPLY_ARRAY || pending->elements < 2 ||
                pending->element[1]->type != REDIS_REPLY_STRING) {
                return;  // acknowledged in between, or not a reply to trust: next time
            }
            p.oldest_pending = text(pending->element[1]);
        }
        positions.push_back(std::move(p));
    }
    // Ids carry Redis's clock, not ours: the window is measured on it.
    Reply time = redis.command({"TIME"});
    if (time->type != REDIS_REPLY_ARRAY || time->elements != 2) {
        unexpected("TIME", time.get());
    }
    int64_t redis_now_ms =
        std::strtoll(std::string(text(time->element[0])).c_str(), nullptr, 10) * 1000 +
        std::strtoll(std::string(text(time->element[1])).c_str(), nullptr, 10) / 1000;
    std::optional<std::string> minid =
        trim_point(positions, redis_now_ms, config_.daemon.event_retention_ms);
    if (!minid) {
        return;
    }
    Reply r = redis.command({"XTRIM", keys_.events(), "MINID", *minid});
    if (r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
        spdlog::debug("trimmed {} entries of {} below {}", r->integer, keys_.events(), *minid);
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
