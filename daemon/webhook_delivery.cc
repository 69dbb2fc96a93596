#include "webhook_delivery.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "keys.h"
#include "redis_client.h"
#include "standard_webhooks.h"
#include "stream_reply.h"
#include "webhook_payload.h"
#include "wall_clock.h"

namespace referral::rewardd {
namespace {

using std::chrono::milliseconds;

// Every receiver group reads as this consumer, so a restarted daemon finds what its previous
// run left unacknowledged by reading its own pending entries.
constexpr char kConsumer[] = "rewardd";
constexpr int64_t kFirstRetryMs = 5000;  // doubled per failure, times a jitter of [1, 1.5)
constexpr int64_t kBatch = 100;
constexpr milliseconds kBlock{200};
constexpr milliseconds kSampleEvery{1000};
constexpr milliseconds kMaxReconnectBackoff{5000};
constexpr int64_t kDeadMaxLen = 1000000;

std::string group_name(const std::string &receiver) {
    return "webhook:" + receiver;
}

void create_group(Redis &redis, const Keys &keys, const std::string &receiver) {
    Reply r =
        redis.command({"XGROUP", "CREATE", keys.ledger(), group_name(receiver), "$", "MKSTREAM"});
    if (is_error(r.get()) && !is_error(r.get(), "BUSYGROUP")) {
        throw std::runtime_error("XGROUP CREATE: " + std::string(text(r.get())));
    }
}

struct Movement {
    std::string id;
    LedgerFields fields;
    bool deleted = false;  // trimmed away while pending: only to acknowledge
    int attempts = 0;
    int64_t next_at = 0;
    std::string last_error;
};

// The entries of an XREADGROUP reply, copied out of it.
std::vector<Movement> read_movements(const redisReply *r) {
    StreamEntries entries;
    if (!parse_read_reply(r, &entries)) {
        throw std::runtime_error(is_error(r) ? "XREADGROUP: " + std::string(text(r))
                                             : "XREADGROUP: unexpected reply");
    }
    std::vector<Movement> out;
    for (const StreamEntry &e : entries) {
        Movement m;
        m.id = std::string(e.id);
        m.deleted = e.deleted;
        for (const auto &[name, value] : e.fields) {
            m.fields.emplace(name, value);
        }
        out.push_back(std::move(m));
    }
    return out;
}

// One receiver's loop, on its own thread with its own Redis connection and HTTP client.
class Receiver {
  public:
    Receiver(const Config &config, const WebhookConfig &webhook, WebhookMetrics &metrics,
             const std::atomic<bool> &stop)
        : config_(config),
          webhook_(webhook),
          url_(*parse_webhook_url(webhook.url)),
          id_(webhook_receiver_id(webhook.url)),
          keys_(config.redis.prefix),
          metrics_(metrics),
          stop_(stop),
          random_(std::random_device{}()),
          client_(url_.origin) {
        auto timeout = milliseconds{webhook.timeout_ms};
        client_.set_connection_timeout(timeout);
        client_.set_read_timeout(timeout);
        client_.set_write_timeout(timeout);
        // A redirect is the receiver's mistake to fix, not a place to send signed money
        // movements to.
        client_.set_follow_location(false);
        client_.enable_server_certificate_verification(true);
    }

    void run() {
        milliseconds backoff{100};
        while (!stop_) {
            try {
                Redis redis(config_.redis);
                backoff = milliseconds{100};
                serve(redis);
            } catch (const std::exception &e) {
                spdlog::warn("webhook {}: {}; again in {} ms", id_, e.what(), backoff.count());
                pause(backoff);
                backoff = std::min(backoff * 2, kMaxReconnectBackoff);
            }
        }
    }

  private:
    void serve(Redis &redis) {
        create_group(redis, keys_, id_);
        pending_.clear();
        // What an earlier run was given and did not settle comes first: it may have been sent
        // already, and the receiver tells repeats apart by webhook-id.
        for (std::string after = "0";;) {
            Reply r = redis.command({"XREADGROUP", "GROUP", group_name(id_), kConsumer, "COUNT",
                                     std::to_string(kBatch), "STREAMS", keys_.ledger(), after});
            std::vector<Movement> old = read_movements(r.get());
            if (old.empty()) {
                break;
            }
            after = old.back().id;
            take(std::move(old), now_ms());
        }
        auto sampled = std::chrono::steady_clock::now() - kSampleEvery;
        while (!stop_) {
            expire(redis);
            deliver_due(redis);
            if (std::chrono::steady_clock::now() - sampled >= kSampleEvery) {
                sample(redis);
                sampled = std::chrono::steady_clock::now();
            }
            if (pending_.empty()) {
                Reply r =
                    redis.command({"XREADGROUP", "GROUP", group_name(id_), kConsumer, "COUNT",
                                   std::to_string(kBatch), "BLOCK", std::to_string(kBlock.count()),
                                   "STREAMS", keys_.ledger(), ">"});
                take(read_movements(r.get()), now_ms());
            } else {
                // Only retries are waiting: new movements stay in the stream (counted as lag)
                // until the receiver answers again.
                int64_t wait = pending_.begin()->second.next_at - now_ms();
                for (const auto &[key, m] : pending_) {
                    wait = std::min(wait, m.next_at - now_ms());
                }
                pause(milliseconds{std::clamp<int64_t>(wait, 0, kBlock.count())});
            }
        }
    }

    void take(std::vector<Movement> movements, int64_t due) {
        for (Movement &m : movements) {
            m.next_at = due;
            auto key = stream_id(m.id);
            pending_.emplace(key, std::move(m));
        }
    }

    // A movement of a type this receiver takes; the rest are only acknowledged.
    bool wanted(const Movement &m) const {
        std::optional<std::string> type = webhook_type(m.fields);
        return !m.deleted && type &&
               std::find(webhook_.events.begin(), webhook_.events.end(), *type) !=
                   webhook_.events.end();
    }

    // Movements older than max_age go to the dead-letter stream, whatever their next attempt.
    void expire(Redis &redis) {
        int64_t now = now_ms();
        for (auto it = pending_.begin(); it != pending_.end();) {
            const Movement &m = it->second;
            if (!wanted(m) || static_cast<int64_t>(it->first.first) + webhook_.max_age_ms >= now) {
                ++it;
                continue;
            }
            std::optional<std::string> type = webhook_type(m.fields);
            redis.append({"MULTI"});
            redis.append({"XADD",
                          keys_.webhooks_dead(),
                          "MAXLEN",
                          "~",
                          std::to_string(kDeadMaxLen),
                          "*",
                          "receiver",
                          id_,
                          "url",
                          webhook_.url,
                          "entry",
                          m.id,
                          "webhook_id",
                          webhook_message_id(id_, m.id),
                          "type",
                          type.value_or(""),
                          "attempts",
                          std::to_string(m.attempts),
                          "error",
                          m.last_error});
            redis.append({"XACK", keys_.ledger(), group_name(id_), m.id});
            redis.append({"EXEC"});
            for (int i = 0; i < 4; ++i) {
                Reply r = redis.read_reply();
                if (is_error(r.get())) {
                    throw std::runtime_error("dead-letter: " + std::string(text(r.get())));
                }
            }
            metrics_.dead(id_);
            spdlog::warn("webhook {}: ledger entry {} given up after {} attempts ({}): {}", id_,
                         m.id, m.attempts, m.last_error, keys_.webhooks_dead());
            it = pending_.erase(it);
        }
    }

    void deliver_due(Redis &redis) {
        for (auto it = pending_.begin(); it != pending_.end() && !stop_;) {
            Movement &m = it->second;
            if (m.next_at > now_ms()) {
                ++it;
                continue;
            }
            bool send = wanted(m);
            if (send && !post(redis, m, *webhook_type(m.fields))) {
                // The receiver is failing: everything else waits for this one's next attempt.
                ++m.attempts;
                int64_t delay = kFirstRetryMs << std::min(m.attempts - 1, 30);
                delay = std::min(delay, webhook_.max_age_ms);
                delay += std::uniform_int_distribution<int64_t>(0, delay / 2)(random_);
                m.next_at = now_ms() + delay;
                for (auto &[key, other] : pending_) {
                    other.next_at = std::max(other.next_at, m.next_at);
                }
                metrics_.retried(id_);
                spdlog::debug("webhook {}: {} failed ({}), attempt {} in {} ms", id_, m.id,
                              m.last_error, m.attempts + 1, delay);
                return;
            }
            Reply r = redis.command({"XACK", keys_.ledger(), group_name(id_), m.id});
            if (is_error(r.get())) {
                throw std::runtime_error("XACK: " + std::string(text(r.get())));
            }
            if (send) {
                metrics_.delivered(id_);
            }
            if (m.attempts > 0) {
                // The receiver is back: what waited behind this one is due now.
                for (auto &[key, other] : pending_) {
                    other.next_at = std::min(other.next_at, now_ms());
                }
            }
            it = pending_.erase(it);
        }
    }

    // True when the receiver answered 2xx.
    bool post(Redis &redis, Movement &m, const std::string &type) {
        std::string customer;
        auto account = m.fields.find("account");
        if (account != m.fields.end() && account->second.rfind("code:", 0) == 0) {
            Reply r = redis.command({"HGET", keys_.owner(), account->second.substr(5)});
            if (r->type == REDIS_REPLY_STRING) {
                customer = std::string(text(r.get()));
            }
        }
        std::string body = webhook_body(m.id, type, m.fields, customer);
        std::string message_id = webhook_message_id(id_, m.id);
        int64_t timestamp = now_ms() / 1000;
        httplib::Headers headers = {
            {"webhook-id", message_id},
            {"webhook-timestamp", std::to_string(timestamp)},
            {"webhook-signature",
             standard_webhooks_sign(webhook_.key, message_id, timestamp, body)},
            {"User-Agent", "referral-rewardd"}};
        httplib::Result res = client_.Post(url_.target, headers, body, "application/json");
        if (!res) {
            m.last_error = httplib::to_string(res.error());
            return false;
        }
        if (res->status < 200 || res->status > 299) {
            m.last_error = "HTTP " + std::to_string(res->status);
            return false;
        }
        return true;
    }

    // Lag: movements not yet given to the group plus those given and not settled.
    void sample(Redis &redis) {
        Reply r = redis.command({"XINFO", "GROUPS", keys_.ledger()});
        if (r->type != REDIS_REPLY_ARRAY) {
            return;
        }
        for (size_t i = 0; i < r->elements; ++i) {
            const redisReply *g = r->element[i];
            int64_t lag = -1, pending = 0;
            bool ours = false;
            for (size_t j = 0; g->type == REDIS_REPLY_ARRAY && j + 1 < g->elements; j += 2) {
                std::string_view name = text(g->element[j]);
                const redisReply *v = g->element[j + 1];
                if (name == "name") {
                    ours = text(v) == group_name(id_);
                } else if (name == "lag" && v->type == REDIS_REPLY_INTEGER) {
                    lag = v->integer;
                } else if (name == "pending" && v->type == REDIS_REPLY_INTEGER) {
                    pending = v->integer;
                }
            }
            if (ours) {
                metrics_.lag(id_, lag < 0 ? -1 : lag + pending);
            }
        }
    }

    void pause(milliseconds ms) const {
        auto until = std::chrono::steady_clock::now() + ms;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::min<milliseconds>(
                milliseconds{50},
                std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now()) +
                    milliseconds{1}));
        }
    }

    const Config &config_;
    const WebhookConfig &webhook_;
    WebhookUrl url_;
    std::string id_;
    Keys keys_;
    WebhookMetrics &metrics_;
    const std::atomic<bool> &stop_;
    std::mt19937_64 random_;
    httplib::Client client_;
    std::map<std::pair<uint64_t, uint64_t>, Movement> pending_;
};

void header(std::string &out, const char *name, const char *type, const char *help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void WebhookMetrics::delivered(const std::string &receiver) {
    std::lock_guard lock(mu_);
    ++receivers_[receiver].delivered;
}

void WebhookMetrics::retried(const std::string &receiver) {
    std::lock_guard lock(mu_);
    ++receivers_[receiver].retried;
}

void WebhookMetrics::dead(const std::string &receiver) {
    std::lock_guard lock(mu_);
    ++receivers_[receiver].dead;
}

void WebhookMetrics::lag(const std::string &receiver, int64_t entries) {
    std::lock_guard lock(mu_);
    receivers_[receiver].lag = entries;
}

std::string WebhookMetrics::render() const {
    std::lock_guard lock(mu_);
    std::string out;
    struct Metric {
        const char *name, *type, *help;
        int64_t (*value)(const Counters &);
    };
    static const Metric kMetrics[] = {
        {"referral_rewardd_webhook_delivered_total", "counter",
         "Ledger movements a receiver answered 2xx to.",
         [](const Counters &c) { return static_cast<int64_t>(c.delivered); }},
        {"referral_rewardd_webhook_retried_total", "counter",
         "Failed deliveries (not 2xx, timeout, no connection) to be tried again.",
         [](const Counters &c) { return static_cast<int64_t>(c.retried); }},
        {"referral_rewardd_webhook_dead_total", "counter",
         "Movements given up after max_age, written to the dead-letter stream.",
         [](const Counters &c) { return static_cast<int64_t>(c.dead); }},
        {"referral_rewardd_webhook_lag", "gauge",
         "Ledger movements not yet delivered to the receiver (-1: unknown).",
         [](const Counters &c) { return c.lag; }},
    };
    for (const Metric &m : kMetrics) {
        header(out, m.name, m.type, m.help);
        for (const auto &[receiver, counters] : receivers_) {
            fmt::format_to(std::back_inserter(out), "{}{{receiver=\"{}\"}} {}\n", m.name, receiver,
                           m.value(counters));
        }
    }
    return out;
}

WebhookDispatcher::WebhookDispatcher(const Config &config, Metrics &metrics,
                                     const std::atomic<bool> &stop)
    : metrics_(std::make_shared<WebhookMetrics>()) {
    metrics.add_section([m = metrics_] { return m->render(); });
    Keys keys(config.redis.prefix);
    for (const WebhookConfig &webhook : config.webhooks) {
        std::string id = webhook_receiver_id(webhook.url);
        metrics_->lag(id, -1);
        try {
            Redis redis(config.redis);
            create_group(redis, keys, id);
        } catch (const std::exception &e) {
            spdlog::warn("webhook {}: {}; its thread tries again", id, e.what());
        }
        spdlog::info("webhook {} to {}", id, webhook.url);
        threads_.emplace_back([&config, &webhook, &stop, m = metrics_] {
            Receiver(config, webhook, *m, stop).run();
        });
    }
}

WebhookDispatcher::~WebhookDispatcher() {
    for (std::thread &t : threads_) {
        t.join();
    }
}

}  // namespace referral::rewardd
