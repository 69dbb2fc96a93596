// Pages served by the listener of /metrics besides it (the dashboard, partner pages), kept free
// of the HTTP library so they are tested without a server.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace referral::rewardd {

struct HttpRequest {
    std::string path;
    std::multimap<std::string, std::string> params;  // the query string, decoded
    std::string authorization;                       // the header, "" when absent
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest &)>;

struct HttpRoute {
    std::string pattern;  // a regular expression matched against the whole path
    HttpHandler handler;
};

}  // namespace referral::rewardd
