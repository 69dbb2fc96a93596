// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request and
// answers as told — 2xx, 500, a redirect, or not at all until released.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rewardd_test {

struct Received {
    std::string id, timestamp, signature, body;
    int status = 0;  // what the receiver answered
};

class WebhookReceiver {
  public:
    enum class Mode { kOk, kFail, kRedirect, kHang };

    WebhookReceiver();
    // HTTPS with this certificate and key (PEM files).
    WebhookReceiver(const std::string &cert, const std::string &key);
    ~WebhookReceiver();  // releases hanging requests, stops the server

    std::string url() const {
        return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
               "/hook";
    }
    void set(Mode mode);
    void release();  // lets hanging requests answer 200

    std::vector<Received> requests() const;  // answered ones
    size_t arrived() const;                  // answered or still hanging
    // Requests to any other path (where a redirect points).
    size_t strays() const;

    // Signed with secret (whsec_...) the Standard Webhooks way, checked with OpenSSL directly.
    static bool signature_valid(const Received &r, const std::string &secret);

  private:
    struct Impl;
    void start();

    std::unique_ptr<Impl> impl_;
    int port_ = 0;
    bool tls_ = false;
};

}  // namespace rewardd_test
