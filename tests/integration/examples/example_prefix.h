// An example configuration installed the way an operator would install it, but in a temp
// prefix: config-examples/nginx/nginx.conf as the main file, the example (and the demo shop)
// in conf.d/, Debian's paths moved under the prefix and every port onto a free loopback port.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "process.h"

namespace examples_test {

class ExamplePrefix {
  public:
    // files: http-level configurations (paths) to put into conf.d/. ports: example ports that
    // stand for servers the test runs itself (6379 → a test redis-server), the others get free
    // ports.
    explicit ExamplePrefix(const std::vector<std::string> &files, std::map<int, int> ports = {});
    ~ExamplePrefix();

    // The loopback port that stands for a port the example names (listen 80 → port(80)).
    int port(int example_port) const;
    const std::string &prefix() const { return dir_.path(); }

    int test_config(std::string *output) const;  // nginx -t; its exit code
    void start();                                // throws with the error log on failure
    void stop();                                 // graceful (SIGQUIT)
    std::string error_log() const;

  private:
    std::string localize(std::string text);
    void provision(bool tls);

    testing_support::TempDir dir_;
    std::map<int, int> ports_;
    testing_support::Process nginx_;
};

// "Name: value" of a Cookie request header from a Set-Cookie response header.
std::string cookie_header(const std::string &set_cookie);

}  // namespace examples_test
