#include "hooks_http.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "amounts.h"
#include "metrics.h"
#include "redis_client.h"
#include "script_calls.h"
#include "shop_postback.h"
#include "standard_webhooks.h"
#include "stripe_events.h"
#include "wall_clock.h"

namespace referral::rewardd {
namespace {

HookAnswer unauthorized(SignatureVerdict verdict) {
    return {401, verdict == SignatureVerdict::kStale       ? "stale timestamp\n"
                 : verdict == SignatureVerdict::kMalformed ? "missing or malformed signature\n"
                                                           : "signature does not match\n"};
}

void answer(httplib::Response &res, const HookAnswer &a) {
    res.status = a.status;
    res.set_content(a.body, "text/plain; charset=utf-8");
}

// The metric's result for an answer: its first word when 200, otherwise by status.
std::string_view result_of(const HookAnswer &a) {
    switch (a.status) {
        case 200:
            return std::string_view(a.body).substr(0, a.body.find_first_of(": \n"));
        case 400:
            return "bad_request";
        case 401:
            return "unauthorized";
        default:
            return "unavailable";
    }
}

}  // namespace

Hooks::Hooks(const Config &config, Metrics &metrics)
    : config_(config), metrics_(metrics), keys_(config.redis.prefix) {}

Hooks::~Hooks() = default;

void Hooks::install(httplib::Server &server) {
    server.set_payload_max_length(kMaxHookBody);
    if (!config_.stripe.secrets.empty()) {
        server.Post("/hooks/stripe", [this](const httplib::Request &req, httplib::Response &res) {
            HookAnswer a = stripe(req.get_header_value("Stripe-Signature"), req.body, now_s());
            metrics_.hook("stripe", result_of(a));
            answer(res, a);
        });
    }
    if (!config_.shop.keys.empty()) {
        server.Post("/hooks/shop", [this](const httplib::Request &req, httplib::Response &res) {
            HookAnswer a =
                shop(req.get_header_value("webhook-id"), req.get_header_value("webhook-timestamp"),
                     req.get_header_value("webhook-signature"), req.body, now_s());
            metrics_.hook("shop", result_of(a));
            answer(res, a);
        });
    }
}

HookAnswer Hooks::stripe(std::string_view signature, std::string_view body, int64_t now_s) {
    SignatureVerdict verdict = verify_stripe_signature(signature, body, config_.stripe.secrets,
                                                       now_s, config_.stripe.tolerance_ms / 1000);
    if (verdict != SignatureVerdict::kValid) {
        spdlog::warn("/hooks/stripe: refused: {}", unauthorized(verdict).body);
        return unauthorized(verdict);
    }
    std::optional<HookMessage> message = read_stripe_event(body, config_.stripe);
    if (!message) {
        return {400, "not a Stripe event\n"};
    }
    return write(*message);
}

HookAnswer Hooks::shop(std::string_view id, std::string_view timestamp, std::string_view signature,
                       std::string_view body, int64_t now_s) {
    SignatureVerdict verdict = standard_webhooks_verify(
        config_.shop.keys, id, timestamp, signature, body, now_s, config_.shop.tolerance_ms / 1000);
    if (verdict != SignatureVerdict::kValid) {
        spdlog::warn("/hooks/shop: refused: {}", unauthorized(verdict).body);
        return unauthorized(verdict);
    }
    std::optional<HookMessage> message =
        read_shop_postback(body, id, std::strtoll(std::string(timestamp).c_str(), nullptr, 10));
    if (!message) {
        return {400, "not a postback: a JSON object with a type\n"};
    }
    return write(*message);
}

HookAnswer Hooks::write(const HookMessage &message) {
    if (!valid_id(message.id)) {
        return {400, "message id is not 1-128 printable characters\n"};
    }
    if (!message.ignored.empty()) {
        spdlog::debug("hook {}: ignored: {}", message.id, message.ignored);
        return {200, "ignored: " + message.ignored + "\n"};
    }
    std::lock_guard lock(mu_);
    try {
        if (!redis_) {
            redis_ = std::make_unique<Redis>(connect_serving(config_.redis, keys_.events()));
        }
        return write_locked(*redis_, message);
    } catch (const std::runtime_error &e) {
        // Redis is away: the sender retries later, which is what it does on any 5xx.
        redis_.reset();
        spdlog::warn("hook {}: not written: {}", message.id, e.what());
        return {503, "try again later\n"};
    }
}

HookAnswer Hooks::write_locked(Redis &redis, const HookMessage &message) {
    HookCall call;
    call.events = keys_.events();
    call.hooked = keys_.hooked(message.id);
    call.ttl_ms = config_.daemon.event_ttl_ms;
    call.link_ttl_ms = config_.daemon.order_ttl_ms;
    call.fields = {{"v", std::string(kEventVersion)},
                   {"type", std::string(type_name(message.type))},
                   {"id", message.id},
                   {"trust", std::string(kTrustProvider)}};
    call.fields.insert(call.fields.end(), message.fields.begin(), message.fields.end());
    bool has_payment = valid_id(message.payment);
    if (message.find_order) {
        if (!has_payment) {
            return {200, "ignored: no payment intent\n"};
        }
        Reply order = redis.command({"GET", keys_.stripe_order(message.payment)});
        if (order->type != REDIS_REPLY_STRING) {
            // Not an order of a completed checkout this daemon saw: nothing of it is on the
            // books.
            return {200, "ignored: no order known for " + message.payment + "\n"};
        }
        call.fields.emplace_back("order", std::string(text(order.get())));
        if (message.refunded_total) {
            call.refunded = keys_.stripe_refunded(message.payment);
            call.refunded_total = *message.refunded_total;
            if (!parse_minor_units(call.refunded_total)) {
                return {400, "amount_refunded is not an amount in minor units\n"};
            }
        }
    } else if (has_payment) {
        for (const auto &[name, value] : message.fields) {
            if (name == "order") {
                call.link = keys_.stripe_order(message.payment);
                call.link_value = value;
            }
        }
    }
    Reply r = scripts_.run(redis, call.to_call());
    if (is_error(r.get()) || r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        throw std::runtime_error(std::string(text(r.get())));
    }
    std::string status(text(r->element[0]));
    spdlog::info("hook {}: {} {}", message.id, type_name(message.type), status);
    return {200, status + "\n"};
}

}  // namespace referral::rewardd
