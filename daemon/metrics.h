// The daemon's counters, served at /metrics in the Prometheus text format (docs/rewards.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http_route.h"

namespace referral::rewardd {

class Metrics {
  public:
    // type: click | conversion | refund | other; result: applied | rejected | duplicate |
    // remembered | failed.
    void event(std::string_view type, std::string_view result, uint64_t n = 1);
    void rejected(std::string_view reason, uint64_t n = 1);
    // hook: stripe | shop; result: the answer's first word (queued, duplicate, ignored) or
    // bad_request, unauthorized, unavailable.
    void hook(std::string_view hook, std::string_view result);
    void released(uint64_t orders);
    void stream(int64_t lag, int64_t pending);  // -1 = unknown
    void redis_up(bool up);
    // Recomputes events/s from the events counted since the previous call.
    void tick();

    // A part of /metrics kept elsewhere (webhook deliveries), appended to every rendering.
    void add_section(std::function<std::string()> render);

    std::string render() const;

  private:
    mutable std::mutex mu_;
    std::map<std::pair<std::string, std::string>, uint64_t> events_;
    std::map<std::string, uint64_t> rejected_;
    std::map<std::pair<std::string, std::string>, uint64_t> hooks_;
    uint64_t released_ = 0;
    uint64_t reconnects_ = 0;
    int64_t lag_ = -1;
    int64_t pending_ = -1;
    bool up_ = false;
    bool ever_up_ = false;
    uint64_t total_ = 0;
    uint64_t total_at_tick_ = 0;
    std::chrono::steady_clock::time_point tick_at_ = std::chrono::steady_clock::now();
    double per_second_ = 0;
    std::vector<std::function<std::string()>> sections_;
};

class Hooks;

// GET /metrics on host:port, served from a thread of its own, and GET on each of routes, with
// the hooks' routes when hooks is not null.
class MetricsServer {
  public:
    // Throws std::runtime_error when the address cannot be bound.
    MetricsServer(const Metrics &metrics, const std::string &host, int port,
                  std::vector<HttpRoute> routes = {}, Hooks *hooks = nullptr);
    ~MetricsServer();
    MetricsServer(const MetricsServer &) = delete;
    MetricsServer &operator=(const MetricsServer &) = delete;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace referral::rewardd
