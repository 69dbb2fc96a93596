// The fixture of every test of the module inside the real nginx: a key ring file, nginx with the
// module, a redis-server it delivers to, and readers for what it answered and sent.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "keyring.h"
#include "nginx_server.h"
#include "redis_server.h"
#include "token.h"

namespace module_test {

// Two keys: k1 signs, k2 verifies (rotation).
extern const char kKeys[];

class ModuleTest : public ::testing::Test {
  public:
    // Starts nginx with http_body inside http {}; "@KEYS@" is the key ring's path.
    testing_support::NginxServer &start(const std::string &http_body,
                                        const std::string &main_extra = "");
    // Writes the config (and the key ring, with keys_mode) without starting; returns nginx -t's
    // exit code and output.
    int test_config(const std::string &http_body, std::string *output,
                    const std::string &keys = kKeys, unsigned keys_mode = 0600);

    testing_support::HttpResponse get(const std::string &target,
                                      const std::vector<std::string> &headers = {});
    // The counters of referral_status at "/status", which the test's configuration provides.
    nlohmann::json status();

    // Starts redis (extra: further redis-server arguments) for the module to deliver to.
    void start_redis(std::vector<std::string> extra = {});
    // The events the module delivered ({referral}:events), oldest first, once there are
    // at_least of them (as they are when that takes longer than 10 s).
    std::vector<testing_support::Fields> events(size_t at_least = 0) const;

    // A [crit], [alert] or [emerg] line of the error log that contains `text` fails no test:
    // the test causes it on purpose.
    void allow_in_log(const std::string &text) { allowed_in_log_.push_back(text); }
    // Stops nginx and fails the test on a line of its error log at [crit] or above that it
    // does not allow.
    void TearDown() override;

    std::unique_ptr<testing_support::NginxServer> nginx_;
    std::unique_ptr<testing_support::RedisServer> redis;

  private:
    std::vector<std::string> allowed_in_log_;
};

// The cookie value from a Set-Cookie header ("ref=<token>; Path=/..." → "<token>").
std::string cookie_value(const std::string &set_cookie);

// Verifies a token against kKeys and returns its fields (status in *status).
struct Decoded {
    referral::TokenStatus status;
    std::string code, click_id, source, medium, campaign;
    int64_t issued = 0;
};
Decoded decode(const std::string &token, int64_t max_age = 30 * 86400);

// Signs a token with kKeys' k1 (or the named kid).
std::string sign(const std::string &code, int64_t issued, const std::string &kid = "k1",
                 const std::string &source = "");

}  // namespace module_test
