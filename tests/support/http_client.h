// A deliberately small HTTP/1.1 client (one request per connection) so tests see exactly the
// bytes nginx sends: repeated headers, their order and case.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace testing_support {

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
    std::string body;

    std::string header(const std::string &lower_name) const;  // first, "" when absent
    std::vector<std::string> all(const std::string &lower_name) const;
    bool has(const std::string &lower_name) const;
};

// Sends `method target HTTP/1.1` with Host: localhost, Connection: close and the given extra
// headers ("Name: value" lines), plus body; reads to EOF. Throws std::runtime_error on I/O error.
HttpResponse http_request(int port, const std::string &method, const std::string &target,
                          const std::vector<std::string> &headers = {},
                          const std::string &body = "");
inline HttpResponse http_get(int port, const std::string &target,
                             const std::vector<std::string> &headers = {}) {
    return http_request(port, "GET", target, headers);
}

// Sends raw bytes and returns what came back before EOF (for malformed-request tests).
std::string http_raw(int port, const std::string &bytes);

}  // namespace testing_support
