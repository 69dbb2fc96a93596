// POST /hooks/stripe and POST /hooks/shop on the daemon's HTTP listener (docs/rewards.md,
// Payment providers): a message is verified, read, and written to the events stream as one
// event, once per message id; the consumer applies it like any other event.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "config.h"
#include "hook_message.h"
#include "keys.h"
#include "scripts.h"

namespace httplib {
class Server;
}

namespace referral::rewardd {

class Metrics;
class Redis;

// Larger bodies are answered 413 before they are read.
inline constexpr size_t kMaxHookBody = 64 * 1024;

struct HookAnswer {
    int status = 200;
    std::string body;
};

class Hooks {
  public:
    Hooks(const Config &config, Metrics &metrics);
    ~Hooks();
    Hooks(const Hooks &) = delete;
    Hooks &operator=(const Hooks &) = delete;

    // Adds the routes of the configured hooks; the others answer 404.
    void install(httplib::Server &server);

    HookAnswer stripe(std::string_view signature, std::string_view body, int64_t now_s);
    HookAnswer shop(std::string_view id, std::string_view timestamp, std::string_view signature,
                    std::string_view body, int64_t now_s);

  private:
    HookAnswer write(const HookMessage &message);
    HookAnswer write_locked(Redis &redis, const HookMessage &message);

    const Config &config_;
    Metrics &metrics_;
    Keys keys_;
    // One connection for every request, made again when lost: messages come rarely, and
    // one at a time keeps a running refund total in order.
    std::mutex mu_;
    std::unique_ptr<Redis> redis_;
    Scripts scripts_;
};

}  // namespace referral::rewardd
