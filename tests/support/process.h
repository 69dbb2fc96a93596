// Child processes for integration tests: real nginx, redis-server and the daemon, each started
// by the test and stopped by PID at teardown.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace testing_support {

class Process {
  public:
    Process() = default;
    // Starts argv[0] (a path) with stdout and stderr appended to log_path and env ("NAME=value")
    // added to the inherited environment.
    Process(const std::vector<std::string> &argv, const std::string &log_path,
            const std::vector<std::string> &env = {});
    ~Process();  // stop()
    Process(Process &&other) noexcept;
    Process &operator=(Process &&other) noexcept;
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int sig) const;
    // SIGTERM, then SIGKILL after grace; reaps the child. Returns its wait status (-1 if none).
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // Waits for the child to exit by itself; returns its wait status or -1 on timeout.
    int wait(std::chrono::milliseconds timeout);

  private:
    pid_t pid_ = -1;
};

// Runs a command to completion, capturing stdout+stderr; returns the exit code.
int run_command(const std::vector<std::string> &argv, std::string *output,
                const std::vector<std::string> &env = {});

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();
// Polls until 127.0.0.1:port accepts a connection; false on timeout.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// Polls pred every 20 ms until it holds; false on timeout.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

class TempDir {
  public:
    TempDir();   // mkdtemp under $TMPDIR or /tmp, mode 0755
    ~TempDir();  // removes the tree unless KEEP_TEST_DIRS is set
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }

  private:
    std::string path_;
};

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &text);
// As nginx expects a key ring: readable and writable by its owner only (mode 0600, or mode).
void write_secret_file(const std::string &path, const std::string &text, unsigned mode = 0600);

}  // namespace testing_support

#include "process_impl.h"
