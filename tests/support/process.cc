#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testing_support {

namespace {

std::vector<char *> to_argv(const std::vector<std::string> &argv) {
    std::vector<char *> out;
    for (const auto &a : argv)
        out.push_back(const_cast<char *>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

int wait_status(pid_t pid, bool block) {
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, block ? 0 : WNOHANG);
        if (r == pid)
            return status;
        if (r == 0)
            return -1;
        if (errno != EINTR)
            return -2;
    }
}

}  // namespace

Process::Process(const std::vector<std::string> &argv, const std::string &log_path,
                 const std::vector<std::string> &env) {
    auto args = to_argv(argv);
    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        // Own process group: a test's Ctrl-C or crash handling stays with the test runner.
        setpgid(0, 0);
        for (const auto &e : env)
            putenv(const_cast<char *>(e.c_str()));
        execv(args[0], args.data());
        _exit(127);
    }
}

Process::~Process() {
    stop();
}

Process::Process(Process &&other) noexcept : pid_(other.pid_) {
    other.pid_ = -1;
}

Process &Process::operator=(Process &&other) noexcept {
    if (this != &other) {
        stop();
        pid_ = other.pid_;
        other.pid_ = -1;
    }
    return *this;
}

bool Process::running() {
    if (pid_ <= 0)
        return false;
    int status = wait_status(pid_, false);
    if (status == -1)
        return true;
    pid_ = -1;
    return false;
}

void Process::signal(int sig) const {
    if (pid_ > 0)
        kill(pid_, sig);
}

int Process::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0)
        return -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = wait_status(pid_, false);
        if (status != -1) {
            pid_ = -1;
            return status;
        }
        if (std::chrono::steady_clock::now() > deadline)
            return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

int Process::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0)
        return -1;
    kill(pid_, SIGCONT);  // a frozen process cannot act on SIGTERM
    kill(pid_, SIGTERM);
    int status = wait(grace);
    if (status != -1)
        return status;
    kill(pid_, SIGKILL);
    status = wait_status(pid_, true);
    pid_ = -1;
    return status;
}

int run_command(const std::vector<std::string> &argv, std::string *output,
                const std::vector<std::string> &env) {
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    auto args = to_argv(argv);
    pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        for (const auto &e : env)
            putenv(const_cast<char *>(e.c_str()));
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        out.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = wait_status(pid, true);
    if (output)
        *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        close(fd);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
    return eventually(
        [port] {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            addr.sin_port = htons(static_cast<uint16_t>(port));
            bool ok = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
            close(fd);
            return ok;
        },
        timeout);
}

TempDir::TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/referral-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
    chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
    if (std::getenv("KEEP_TEST_DIRS"))
        return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

void write_secret_file(const std::string &path, const std::string &text, unsigned mode) {
    write_file(path, text);
    if (chmod(path.c_str(), mode) != 0)
        throw std::runtime_error("cannot chmod " + path);
}

}  // namespace testing_support
