#include "example_prefix.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <stdexcept>

#include "nginx_server.h"

namespace examples_test {

namespace {

using testing_support::read_file;
using testing_support::write_file;
using testing_support::write_secret_file;

const char kKeys[] = "k1:404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\n";

void replace_all(std::string &s, const std::string &from, const std::string &to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
        s.replace(pos, from.size(), to);
    }
}

std::string base_name(const std::string &path) {
    return path.substr(path.rfind('/') + 1);
}

}  // namespace

ExamplePrefix::ExamplePrefix(const std::vector<std::string> &files, std::map<int, int> ports)
    : ports_(std::move(ports)) {
    std::vector<std::string> texts;
    bool tls = false;
    for (const auto &file : files) {
        texts.push_back(read_file(file));
        if (texts.back().empty())
            throw std::runtime_error("cannot read " + file);
        tls = tls || texts.back().find("ssl_certificate") != std::string::npos;
    }
    provision(tls);
    for (size_t i = 0; i < files.size(); i++) {
        write_file(prefix() + "/conf/conf.d/" + base_name(files[i]), localize(texts[i]));
    }

    std::string main_conf = localize(read_file(EXAMPLES_DIR "/nginx.conf"));
    // nginx's compiled-in temp paths are under /var/lib/nginx; keep everything in the prefix.
    std::string temp_paths;
    for (const char *t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        temp_paths += std::string("    ") + t + "_temp_path " + prefix() + "/tmp/" + t + ";\n";
    }
    replace_all(main_conf, "http {\n", "http {\n" + temp_paths);
    write_file(prefix() + "/conf/nginx.conf", main_conf);
}

ExamplePrefix::~ExamplePrefix() {
    stop();
}

void ExamplePrefix::provision(bool tls) {
    const std::string &p = prefix();
    for (const char *sub : {"/conf", "/conf/conf.d", "/conf/tls", "/logs", "/tmp", "/cache",
                            "/spool", "/www", "/www/example.org", "/modules"}) {
        mkdir((p + sub).c_str(), 0755);
    }
    // The wrapper's load_module names modules/ relative to the prefix, as on Debian.
    symlink(REFERRAL_MODULE_PATH, (p + "/modules/ngx_http_referral_module.so").c_str());
    write_file(p + "/conf/mime.types", read_file("/etc/nginx/mime.types"));
    write_secret_file(p + "/conf/referral.keys", kKeys);
    write_file(p + "/conf/referral-redis.password", "not-a-real-password\n");
    write_file(p + "/www/example.org/index.html", "<h1>example.org</h1>\n");
    if (!tls)
        return;

    std::string out;
    int rc = testing_support::run_command(
        {OPENSSL_PROGRAM, "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=shop.example",
         "-keyout", p + "/conf/tls/shop.example.key", "-out", p + "/conf/tls/shop.example.crt"},
        &out);
    if (rc != 0)
        throw std::runtime_error("openssl req failed: " + out);
}

// Debian's paths → the prefix, the compose demo's service names → loopback, every listen port
// and loopback port → a free port (the same example port always maps to the same free port).
std::string ExamplePrefix::localize(std::string text) {
    const std::string &p = prefix();
    replace_all(text, "/etc/nginx/", p + "/conf/");
    replace_all(text, "/var/log/nginx/", p + "/logs/");
    replace_all(text, "/var/cache/nginx/", p + "/cache/");
    replace_all(text, "/var/spool/nginx/", p + "/spool/");
    replace_all(text, "/var/www/", p + "/www/");
    replace_all(text, "/run/nginx.pid", p + "/logs/nginx.pid");
    // Workers run as the configured user and could not read a root-owned temp prefix.
    replace_all(text, "user www-data;", geteuid() == 0 ? "user root;" : "");
    replace_all(text, "redis:6379", "127.0.0.1:6379");
    replace_all(text, "shop:8080", "127.0.0.1:8080");

    static const std::regex port_re(
        R"((listen\s+)(?:\d+\.\d+\.\d+\.\d+:)?(\d+)|127\.0\.0\.1:(\d+))");
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), port_re), end; it != end; ++it) {
        const std::smatch &m = *it;
        out.append(last, m[0].first);
        int example_port = std::stoi(m[2].matched ? m[2].str() : m[3].str());
        if (!ports_.count(example_port)) {
            std::set<int> used;
            for (auto &[from, to] : ports_)
                used.insert(to);
            int port;
            do
                port = testing_support::free_port();
            while (used.count(port));
            ports_[example_port] = port;
        }
        out += (m[1].matched ? m[1].str() : std::string()) +
               "127.0.0.1:" + std::to_string(ports_[example_port]);
        last = m[0].second;
    }
    out.append(last, text.cend());
    return out;
}

int ExamplePrefix::port(int example_port) const {
    auto it = ports_.find(example_port);
    if (it == ports_.end())
        throw std::runtime_error("the example has no port " + std::to_string(example_port));
    return it->second;
}

int ExamplePrefix::test_config(std::string *output) const {
    return testing_support::run_command(
        {NGINX_BINARY, "-t", "-p", prefix(), "-c", prefix() + "/conf/nginx.conf"}, output,
        testing_support::nginx_env());
}

void ExamplePrefix::start() {
    nginx_ = testing_support::Process(
        {NGINX_BINARY, "-p", prefix(), "-c", prefix() + "/conf/nginx.conf", "-g", "daemon off;"},
        prefix() + "/logs/stderr.log", testing_support::nginx_env());
    for (auto &[from, to] : ports_) {
        if (from == 6379)
            continue;  // Redis is not nginx's to open
        if (!testing_support::wait_for_port(to, std::chrono::seconds(10))) {
            nginx_.stop();
            throw std::runtime_error("nginx did not start: " + error_log() +
                                     read_file(prefix() + "/logs/stderr.log"));
        }
    }
}

void ExamplePrefix::stop() {
    if (nginx_.pid() <= 0)
        return;
    nginx_.signal(SIGQUIT);
    if (nginx_.wait(std::chrono::seconds(10)) == -1)
        nginx_.stop();
}

std::string ExamplePrefix::error_log() const {
    return read_file(prefix() + "/logs/error.log");
}

std::string cookie_header(const std::string &set_cookie) {
    return "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
}

}  // namespace examples_test
