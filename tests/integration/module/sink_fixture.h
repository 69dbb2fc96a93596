// The fixture of the delivery tests (SinkTest): a capturing site that reports to the test's
// redis-server and spools to its prefix, a load of capturing requests, and the checks that
// every click arrived once.
#pragma once

#include <atomic>
#include <set>
#include <string>

#include "module_fixture.h"

namespace module_test {

class SinkTest : public ModuleTest {
  protected:
    // A capturing location answering with the request's click id, and both status formats.
    // address replaces the redis-server's; http_extra goes before the sink's directives.
    std::string site(const std::string &redis_params = "", const std::string &spool_params = "",
                     const std::string &address = "", const std::string &http_extra = "");

    // Sends n capturing requests from several threads; returns the click ids of those answered
    // (all of them, unless nginx stops taking connections meanwhile).
    std::set<std::string> clicks(int n, int threads = 8, std::atomic<int> *progress = nullptr);

    long long stream_length();
    size_t spool_files() const;

    // Waits until the stream holds every click (and the spool is empty), then checks that it
    // holds each exactly once.
    void expect_delivered_once(const std::set<std::string> &sent);
};

}  // namespace module_test
