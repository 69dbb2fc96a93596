// The real Debian nginx (/usr/sbin/nginx) with the built module, in a temp prefix, on a free
// loopback port, run in the foreground (daemon off) so the test owns the master's PID.
#pragma once

#include <string>
#include <vector>

#include "process.h"

namespace testing_support {

// Environment for running the nginx binary: a sanitizer build of the module needs its runtime
// preloaded (REFERRAL_NGINX_PRELOAD).
std::vector<std::string> nginx_env();

// The lines of an nginx error log at [crit], [alert] or [emerg]: an integration test fails on
// any it does not cause on purpose. A worker that died is among them ("exited on signal" is an
// alert).
std::vector<std::string> serious_lines(const std::string &error_log);

class NginxServer {
  public:
    // http_body: the contents of the http {} block. Every "@PORT@" is replaced by port(),
    // "@PREFIX@" by the prefix directory. main_extra goes before http {} (e.g. env, workers);
    // run as root, workers run as root unless main_extra has a `user` line.
    NginxServer(const std::string &http_body, const std::string &main_extra = "");
    ~NginxServer();

    int port() const { return port_; }
    const std::string &prefix() const { return dir_.path(); }
    std::string conf_path() const;

    // nginx -t; returns the exit code and fills *output.
    int test_config(std::string *output) const;
    // Starts the master and waits for the port; throws on failure (with error.log attached).
    void start();
    void reload();     // SIGHUP, then waits for a new worker generation to answer
    void stop();       // SIGQUIT (graceful), SIGKILL after a grace period
    void stop_fast();  // SIGTERM
    pid_t master_pid() const { return process_.pid(); }
    std::string error_log() const;
    // Replaces the config body; takes effect on reload().
    void rewrite_config(const std::string &http_body, const std::string &main_extra = "");

  private:
    TempDir dir_;
    int port_;
    Process process_;
};

}  // namespace testing_support
