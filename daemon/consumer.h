// The daemon's loop: consumer group reads, claims of entries a dead consumer left, holds
// released, metrics sampled, the stream trimmed; reconnecting with backoff whenever Redis goes
// away.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "applier.h"
#include "config.h"
#include "keys.h"
#include "metrics.h"
#include "redis_client.h"
#include "scripts.h"
#include "stream_reply.h"

namespace referral::rewardd {

class Consumer {
  public:
    Consumer(const Config &config, Metrics &metrics, const std::atomic<bool> &stop);

    // Returns once stop is set.
    void run();

  private:
    using Clock = std::chrono::steady_clock;

    void serve(Redis &redis);
    void ensure_group(Redis &redis);
    // An event's call on its way to Redis, and what settling its reply needs.
    struct Queued {
        std::string_view type;  // metric label
        std::string_view entry;
        std::string_view event_id;
        std::string_view ts;  // the event's ts field, which names its seen flag's hash
    };

    // A batch.lua call sent and not settled yet: its command (sent again after NOSCRIPT), its
    // events, the read reply their views point into, and its own reply once read.
    struct Batch {
        std::string command;
        std::vector<Queued> queued;
        std::shared_ptr<const redisReply> read;
        Reply reply;
    };

    // Applies the entries of one reply (read, which they are views into); returns how many
    // there were.
    size_t apply(Redis &redis, const std::shared_ptr<const redisReply> &read,
                 const StreamEntries &entries);
    // Sends the calls as one batch.lua call, without waiting for its reply: Redis applies it
    // while the next calls are planned.
    void send(Redis &redis, std::vector<ScriptCall> &calls, std::vector<Queued> &queued,
              const std::shared_ptr<const redisReply> &read);
    void settle_oldest(Redis &redis);
    // Settles every batch sent: before anything else reads or writes on the connection.
    void settle_all(Redis &redis);
    void apply_refund(Redis &redis, const Queued &q, const Refund &refund);
    // Counts a script's outcome; a script that failed for good rejects its event instead.
    void settle(const Queued &q, const redisReply *reply, Redis &redis);
    void read_own_pending(Redis &redis);
    void claim(Redis &redis);
    void release_holds(Redis &redis);
    void expire_held(Redis &redis);
    void sample(Redis &redis);
    void trim(Redis &redis);
    void forget_idle_consumers(Redis &redis);
    void sleep_for(std::chrono::milliseconds ms) const;

    const Config &config_;
    Keys keys_;
    Applier applier_;
    Scripts scripts_;
    Metrics &metrics_;
    const std::atomic<bool> &stop_;
    std::string consumer_;
    std::deque<Batch> in_flight_;
};

}  // namespace referral::rewardd
