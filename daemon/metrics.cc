#include "metrics.h"

#include "hooks_http.h"

#include <httplib.h>

#include <stdexcept>

#include <fmt/format.h>

namespace referral::rewardd {
namespace {

// Label values come from our own reason and type names, but escaping keeps the format valid
// whatever they hold.
std::string label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void header(std::string &out, const char *name, const char *type, const char *help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Metrics::event(std::string_view type, std::string_view result, uint64_t n) {
    std::lock_guard lock(mu_);
    events_[{std::string(type), std::string(result)}] += n;
    total_ += n;
}

void Metrics::rejected(std::string_view reason, uint64_t n) {
    std::lock_guard lock(mu_);
    rejected_[std::string(reason)] += n;
}

void Metrics::hook(std::string_view hook, std::string_view result) {
    std::lock_guard lock(mu_);
    ++hooks_[{std::string(hook), std::string(result)}];
}

void Metrics::released(uint64_t orders) {
    std::lock_guard lock(mu_);
    released_ += orders;
}

void Metrics::stream(int64_t lag, int64_t pending) {
    std::lock_guard lock(mu_);
    lag_ = lag;
    pending_ = pending;
}

void Metrics::redis_up(bool up) {
    std::lock_guard lock(mu_);
    if (up && !up_ && ever_up_) {
        ++reconnects_;
    }
    up_ = up;
    ever_up_ = ever_up_ || up;
}

void Metrics::tick() {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - tick_at_).count();
    if (seconds > 0) {
        per_second_ = static_cast<double>(total_ - total_at_tick_) / seconds;
    }
    total_at_tick_ = total_;
    tick_at_ = now;
}

std::string Metrics::render() const {
    std::lock_guard lock(mu_);
    std::string out;
    auto line = [&out](const std::string &name, auto value) {
        fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
    };
    header(out, "referral_rewardd_events_total", "counter",
           "Events taken from the stream, by type and result.");
    for (const auto &[key, n] : events_) {
        line(fmt::format("referral_rewardd_events_total{{type=\"{}\",result=\"{}\"}}",
                         label(key.first), label(key.second)),
             n);
    }
    header(out, "referral_rewardd_events_per_second", "gauge",
           "Events handled per second over the last second.");
    line("referral_rewardd_events_per_second", fmt::format("{:.1f}", per_second_));
    header(out, "referral_rewardd_rejected_total", "counter",
           "Events (or rewards of an event) rejected, by reason.");
    for (const auto &[reason, n] : rejected_) {
        line(fmt::format("referral_rewardd_rejected_total{{reason=\"{}\"}}", label(reason)), n);
    }
    header(out, "referral_rewardd_hooks_total", "counter",
           "Messages posted to /hooks/, by hook and answer.");
    for (const auto &[key, n] : hooks_) {
        line(fmt::format("referral_rewardd_hooks_total{{hook=\"{}\",result=\"{}\"}}",
                         label(key.first), label(key.second)),
             n);
    }
    header(out, "referral_rewardd_stream_lag", "gauge",
           "Entries of the events stream not yet delivered to the consumer group (-1: unknown).");
    line("referral_rewardd_stream_lag", lag_);
    header(out, "referral_rewardd_pending_entries", "gauge",
           "Entries delivered to the consumer group and not yet acknowledged.");
    line("referral_rewardd_pending_entries", pending_);
    header(out, "referral_rewardd_holds_released_total", "counter",
           "Orders whose payout hold ended, their rewards approved.");
    line("referral_rewardd_holds_released_total", released_);
    header(out, "referral_rewardd_redis_up", "gauge", "1 while connected to Redis.");
    line("referral_rewardd_redis_up", up_ ? 1 : 0);
    header(out, "referral_rewardd_redis_reconnects_total", "counter",
           "Connections to Redis made again after losing one.");
    line("referral_rewardd_redis_reconnects_total", reconnects_);
    for (const auto &section : sections_) {
        out += section();
    }
    return out;
}

void Metrics::add_section(std::function<std::string()> render) {
    std::lock_guard lock(mu_);
    sections_.push_back(std::move(render));
}

constexpr size_t kThreads = 64;
constexpr time_t kIdleSeconds = 2;

struct MetricsServer::Impl {
    httplib::Server server;
    std::thread thread;
};

MetricsServer::MetricsServer(const Metrics &metrics, const std::string &host, int port,
                             std::vector<HttpRoute> routes, Hooks *hooks)
    : impl_(std::make_unique<Impl>()) {
    // cpp-httplib gives each connection a thread of a fixed pool for as long as the client keeps
    // it: a few clients that connect and say nothing would leave no thread for the scraper.
    // Connections that send nothing for kIdleSeconds are closed, and the pool has room for many
    // more than a scraper or two need (one that trickles a request byte by byte still holds a
    // thread: see docs/rewards.md, [metrics]).
    impl_->server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
    impl_->server.set_read_timeout(kIdleSeconds, 0);
    impl_->server.set_write_timeout(kIdleSeconds, 0);
    impl_->server.set_keep_alive_timeout(kIdleSeconds);
    impl_->server.Get("/metrics", [&metrics](const httplib::Request &, httplib::Response &res) {
        res.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    for (HttpRoute &route : routes) {
        impl_->server.Get(route.pattern, [handler = std::move(route.handler)](
                                             const httplib::Request &req, httplib::Response &res) {
            HttpRequest request{req.path,
                                {req.params.begin(), req.params.end()},
                                req.get_header_value("Authorization")};
            HttpResponse response = handler(request);
            res.status = response.status;
            for (const auto &[name, value] : response.headers) {
                res.set_header(name, value);
            }
            res.set_content(response.body, response.content_type);
        });
    }
    if (hooks) {
        hooks->install(impl_->server);
    }
    if (!impl_->server.bind_to_port(host.c_str(), port)) {
        throw std::runtime_error(
            fmt::format("cannot listen on {}:{} for /metrics and /hooks/", host, port));
    }
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
    impl_->server.stop();
    impl_->thread.join();
}

}  // namespace referral::rewardd
