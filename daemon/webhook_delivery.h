// Outgoing webhooks: one thread per [[webhook]] receiver follows <prefix>:ledger with a consumer
// group of its own and POSTs each movement, signed, until the receiver answers 2xx or the
// movement is older than max_age (then <prefix>:webhooks:dead). Nothing here shares a thread or
// a connection with reward application, nor with another receiver (docs/rewards.md, Webhooks).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "metrics.h"

namespace referral::rewardd {

// Counters by receiver id, shown in /metrics.
class WebhookMetrics {
  public:
    void delivered(const std::string &receiver);
    void retried(const std::string &receiver);
    void dead(const std::string &receiver);
    void lag(const std::string &receiver, int64_t entries);
    std::string render() const;

  private:
    struct Counters {
        uint64_t delivered = 0, retried = 0, dead = 0;
        int64_t lag = -1;
    };
    mutable std::mutex mu_;
    std::map<std::string, Counters> receivers_;
};

class WebhookDispatcher {
  public:
    // Creates each receiver's consumer group (at the ledger's end, when new) before returning,
    // so that nothing the daemon writes from then on is missed, and starts the threads.
    WebhookDispatcher(const Config &config, Metrics &metrics, const std::atomic<bool> &stop);
    // Joins the threads; they end once stop is set (within a request's timeout).
    ~WebhookDispatcher();
    WebhookDispatcher(const WebhookDispatcher &) = delete;
    WebhookDispatcher &operator=(const WebhookDispatcher &) = delete;

  private:
    std::shared_ptr<WebhookMetrics> metrics_;
    std::vector<std::thread> threads_;
};

}  // namespace referral::rewardd
