#include "nginx_server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace testing_support {

namespace {

void replace_all(std::string &s, const std::string &from, const std::string &to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
        s.replace(pos, from.size(), to);
    }
}

size_t count(const std::string &haystack, const std::string &needle) {
    size_t n = 0;
    for (size_t pos = 0; (pos = haystack.find(needle, pos)) != std::string::npos;
         pos += needle.size()) {
        ++n;
    }
    return n;
}

}  // namespace

NginxServer::NginxServer(const std::string &http_body, const std::string &main_extra)
    : port_(free_port()) {
    for (const char *sub : {"/logs", "/tmp", "/conf", "/html"}) {
        mkdir((dir_.path() + sub).c_str(), 0755);
    }
    write_file(dir_.path() + "/html/index.html", "hello\n");
    rewrite_config(http_body, main_extra);
}

NginxServer::~NginxServer() {
    stop();
}

std::string NginxServer::conf_path() const {
    return dir_.path() + "/conf/nginx.conf";
}

void NginxServer::rewrite_config(const std::string &http_body, const std::string &main_extra) {
    const std::string &p = dir_.path();
    std::string conf;
    conf += "load_module " REFERRAL_MODULE_PATH ";\n";
    conf += "daemon off;\nmaster_process on;\n";
    // Workers run as nobody by default and could not read a root-owned temp prefix; a test
    // that names the user in main_extra means it.
    bool names_user =
        main_extra.rfind("user ", 0) == 0 || main_extra.find("\nuser ") != std::string::npos;
    if (geteuid() == 0 && !names_user)
        conf += "user root;\n";
    conf += "error_log " + p + "/logs/error.log info;\n";
    conf += "pid " + p + "/logs/nginx.pid;\n";
    conf += main_extra.find("worker_processes") == std::string::npos ? "worker_processes 1;\n" : "";
    conf += main_extra + "\n";
    conf += "events { worker_connections 1024; }\n";
    conf += "http {\n";
    conf += "    access_log " + p + "/logs/access.log;\n";
    for (const char *t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        conf += std::string("    ") + t + "_temp_path " + p + "/tmp/" + t + ";\n";
    }
    std::string body = http_body;
    replace_all(body, "@PORT@", std::to_string(port_));
    replace_all(body, "@PREFIX@", p);
    conf += body + "\n}\n";
    write_file(conf_path(), conf);
}

// A sanitizer build of the module needs its runtime loaded first in the (uninstrumented) nginx.
std::vector<std::string> nginx_env() {
    const char *preload = std::getenv("REFERRAL_NGINX_PRELOAD");
    if (!preload || !*preload)
        return {};
    return {std::string("LD_PRELOAD=") + preload, "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"};
}

std::vector<std::string> serious_lines(const std::string &error_log) {
    // "2025/01/31 12:00:00 [crit] ...": the level is read where nginx writes it, so a logged
    // request that happens to contain "[crit]" is not mistaken for one.
    const size_t level_at = sizeof "2025/01/31 12:00:00";
    std::vector<std::string> out;
    std::istringstream in(error_log);
    for (std::string line; std::getline(in, line);) {
        for (const std::string level : {"[crit]", "[alert]", "[emerg]"}) {
            if (line.size() >= level_at && line.compare(level_at, level.size(), level) == 0) {
                out.push_back(line);
                break;
            }
        }
    }
    return out;
}

int NginxServer::test_config(std::string *output) const {
    return run_command({NGINX_BINARY, "-t", "-p", dir_.path(), "-c", conf_path()}, output,
                       nginx_env());
}

void NginxServer::start() {
    process_ = Process({NGINX_BINARY, "-p", dir_.path(), "-c", conf_path()},
                       dir_.path() + "/logs/stderr.log", nginx_env());
    if (!wait_for_port(port_, std::chrono::seconds(10))) {
        process_.stop();
        throw std::runtime_error("nginx did not start: " + error_log() +
                                 read_file(dir_.path() + "/logs/stderr.log"));
    }
}

void NginxServer::reload() {
    size_t before = count(error_log(), "start worker processes");
    process_.signal(SIGHUP);
    if (!eventually([&] { return count(error_log(), "start worker processes") > before; })) {
        throw std::runtime_error("nginx did not reload: " + error_log());
    }
    wait_for_port(port_, std::chrono::seconds(10));
}

void NginxServer::stop() {
    if (process_.pid() <= 0)
        return;
    process_.signal(SIGQUIT);
    if (process_.wait(std::chrono::seconds(10)) == -1)
        process_.stop();
}

void NginxServer::stop_fast() {
    process_.stop(std::chrono::seconds(10));
}

std::string NginxServer::error_log() const {
    return read_file(dir_.path() + "/logs/error.log");
}

}  // namespace testing_support
