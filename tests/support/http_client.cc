#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace testing_support {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

int connect_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error("socket failed");
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        close(fd);
        throw std::runtime_error("connect to port " + std::to_string(port) + " failed");
    }
    return fd;
}

}  // namespace

std::string HttpResponse::header(const std::string &lower_name) const {
    for (auto &[k, v] : headers) {
        if (k == lower_name)
            return v;
    }
    return "";
}

std::vector<std::string> HttpResponse::all(const std::string &lower_name) const {
    std::vector<std::string> out;
    for (auto &[k, v] : headers) {
        if (k == lower_name)
            out.push_back(v);
    }
    return out;
}

bool HttpResponse::has(const std::string &lower_name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto &h) { return h.first == lower_name; });
}

std::string http_raw(int port, const std::string &bytes) {
    int fd = connect_loopback(port);
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;  // the server may close early on a malformed request; read what it said
        }
        off += static_cast<size_t>(n);
    }
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return out;
}

HttpResponse http_request(int port, const std::string &method, const std::string &target,
                          const std::vector<std::string> &headers, const std::string &body) {
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    for (const auto &h : headers)
        req += h + "\r\n";
    if (!body.empty() || method == "POST")
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    std::string raw = http_raw(port, req);

    HttpResponse resp;
    size_t end = raw.find("\r\n\r\n");
    if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) {
        throw std::runtime_error("malformed response: " + raw.substr(0, 200));
    }
    resp.status = std::stoi(raw.substr(9, 3));
    size_t pos = raw.find("\r\n") + 2;
    while (pos < end) {
        size_t eol = raw.find("\r\n", pos);
        std::string line = raw.substr(pos, eol - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
            size_t v = line.find_first_not_of(' ', colon + 1);
            resp.headers.emplace_back(lower(line.substr(0, colon)),
                                      v == std::string::npos ? "" : line.substr(v));
        }
        pos = eol + 2;
    }
    std::string rest = raw.substr(end + 4);
    if (lower(resp.header("transfer-encoding")) == "chunked") {
        size_t p = 0;
        while (p < rest.size()) {
            size_t eol = rest.find("\r\n", p);
            if (eol == std::string::npos)
                break;
            size_t len = std::stoul(rest.substr(p, eol - p), nullptr, 16);
            if (len == 0)
                break;
            resp.body += rest.substr(eol + 2, len);
            p = eol + 2 + len + 2;
        }
    } else {
        resp.body = rest;
    }
    return resp;
}

}  // namespace testing_support
