#include "page_routes.h"

#include <spdlog/spdlog.h>

#include "admin.h"
#include "dashboard_page.h"
#include "hmac.h"
#include "html.h"
#include "partner_page.h"
#include "partner_token.h"
#include "redis_client.h"
#include "wall_clock.h"

namespace referral::rewardd {
namespace {

std::string default_currency(const Config &config, Redis &redis) {
    if (!config.programme.currency.empty()) {
        return config.programme.currency;
    }
    std::vector<std::string> names = Admin(config, redis).currencies();
    return names.empty() ? "EUR" : names.front();
}

Buckets all_rewards(Redis &redis, const Keys &keys, const std::string &currency) {
    Buckets b;
    Reply r = redis.command({"HGETALL", keys.balance(currency)});
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]);
        int64_t value = integer(r->element[i + 1]);
        auto ends = [name](std::string_view suffix) {
            return name.size() > suffix.size() &&
                   name.substr(name.size() - suffix.size()) == suffix;
        };
        (ends(":pending") ? b.pending : ends(":approved") ? b.approved : b.paid) += value;
    }
    return b;
}

// The daemon's own consumer group: entries not yet read (lag) and read but not acknowledged.
void stream_state(Redis &redis, const Config &config, const Keys &keys, DashboardView *view) {
    Reply r = redis.command({"XINFO", "GROUPS", keys.events()});
    for (size_t g = 0; r && r->type == REDIS_REPLY_ARRAY && g < r->elements; ++g) {
        const redisReply *group = r->element[g];
        std::string_view name;
        int64_t lag = -1, pending = -1;
        for (size_t i = 0; group->type == REDIS_REPLY_ARRAY && i + 1 < group->elements; i += 2) {
            std::string_view field = text(group->element[i]);
            const redisReply *value = group->element[i + 1];
            if (field == "name") {
                name = text(value);
            } else if (field == "lag" && value->type == REDIS_REPLY_INTEGER) {
                lag = value->integer;
            } else if (field == "pending") {
                pending = integer(value);
            }
        }
        if (name == config.daemon.group) {
            view->lag = lag;
            view->pending = pending;
        }
    }
}

HttpResponse dashboard(const Config &config, const HttpRequest &request) {
    // A listener others can reach serves /metrics to them, but never the programme's figures
    // without a token.
    if (config.http.dashboard_token.empty() && !loopback_host(config.daemon.metrics_host)) {
        return message_response(403,
                                "The dashboard needs [http] dashboard_token_file on a "
                                "listener that is not a loopback address.");
    }
    if (!config.http.dashboard_token.empty() &&
        !bearer_matches(request.authorization, config.http.dashboard_token)) {
        HttpResponse r = message_response(401, "A bearer token is required.");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    auto query = parse_dashboard_query(request.params, now_s() * 1000 / kDayMs);
    if (auto *error = std::get_if<std::string>(&query)) {
        return message_response(400, *error);
    }
    DashboardView view;
    view.query = std::get<DashboardQuery>(query);
    Redis redis(config.redis);
    Keys keys(config.redis.prefix);
    if (view.query.currency.empty()) {
        view.query.currency = default_currency(config, redis);
    }
    view.stats = read_daily(redis, keys, view.query.first, view.query.last, view.query.currency);
    view.rewards = all_rewards(redis, keys, view.query.currency);
    stream_state(redis, config, keys, &view);
    return page_response(200, render_dashboard(view));
}

HttpResponse partner(const Config &config, const HttpRequest &request) {
    std::string_view token = request.path;
    token.remove_prefix(std::string_view("/p/").size());
    std::optional<std::string> code = verify_partner_token(config.http.secret, token, now_s());
    if (!code) {
        return message_response(404, "Not found.");
    }
    Redis redis(config.redis);
    return page_response(200, render_partner(read_partner(config, redis, *code)));
}

// Redis unreachable: the page says so; the daemon's log has the detail.
HttpHandler guarded(const Config &config,
                    HttpResponse (*page)(const Config &, const HttpRequest &)) {
    return [&config, page](const HttpRequest &request) {
        try {
            return page(config, request);
        } catch (const std::exception &e) {
            spdlog::warn("{}: {}", request.path, e.what());
            return message_response(503, "Redis is unreachable; try again shortly.");
        }
    };
}

}  // namespace

bool bearer_matches(std::string_view authorization, std::string_view token) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.substr(0, kScheme.size()) != kScheme) {
        return false;
    }
    authorization.remove_prefix(kScheme.size());
    // Compared as MACs of equal length, so neither the content nor the length leaks in timing.
    HmacSha256 mac("dashboard token");
    Digest a = mac.mac(authorization), b = mac.mac(token);
    return equal_constant_time(a.data(), b.data(), a.size());
}

std::vector<HttpRoute> page_routes(const Config &config) {
    std::vector<HttpRoute> routes = {{"/dashboard", guarded(config, dashboard)}};
    if (!config.http.secret.empty()) {
        routes.push_back({"/p/[A-Za-z0-9_-]{1,400}", guarded(config, partner)});
    }
    return routes;
}

}  // namespace referral::rewardd
