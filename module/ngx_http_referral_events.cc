#include "ngx_http_referral_events.h"

#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_random.h"
#include "ngx_http_referral_sink.h"

#include "base64url.h"
#include "event.h"
#include "money.h"

// Hex of the first 8 bytes of the keyed HMAC: stable per visitor for fraud limits, useless for
// recovering the address or User-Agent without the key.
static void ngx_http_referral_add_hash(referral::EventRecord &event, std::string_view name,
                                       const referral::Key &key, std::string_view value) {
    referral::Digest d = key.ip_mac.mac(value);
    u_char hex[16];
    ngx_hex_dump(hex, d.data(), 8);
    event.add(name, {reinterpret_cast<char *>(hex), sizeof(hex)});
}

// The client address after realip, IPv6 cut to its /64 (one household or phone); v4-mapped
// IPv6 counts as the IPv4 address it carries.
static std::string_view ngx_http_referral_client_prefix(ngx_connection_t *c) {
    switch (c->sockaddr->sa_family) {
        case AF_INET: {
            auto *sin = reinterpret_cast<struct sockaddr_in *>(c->sockaddr);
            return {reinterpret_cast<const char *>(&sin->sin_addr), 4};
        }
#if (NGX_HAVE_INET6)
        case AF_INET6: {
            auto *sin6 = reinterpret_cast<struct sockaddr_in6 *>(c->sockaddr);
            const u_char *a = sin6->sin6_addr.s6_addr;
            if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
                return {reinterpret_cast<const char *>(a + 12), 4};
            }
            return {reinterpret_cast<const char *>(a), 8};
        }
#endif
        default:
            return "local";
    }
}

// Fields every event carries: v, type, id, ts, site, code, click, ip, ua, src, med, cmp.
static bool ngx_http_referral_common(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                     ngx_http_referral_ctx_t *ctx, std::string_view type,
                                     referral::EventRecord &event) {
    u_char raw[16];
    char id[referral::b64url_encoded_size(sizeof(raw))];
    if (!ngx_http_referral_random(raw, sizeof(raw))) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "referral: no random bytes for an event id");
        return false;
    }
    referral::b64url_encode(raw, sizeof(raw), id);

    ngx_time_t *tp = ngx_timeofday();
    u_char ts[NGX_INT64_LEN];
    u_char *ts_end = ngx_sprintf(ts, "%L", static_cast<int64_t>(tp->sec) * 1000 + tp->msec);

    const referral::Key &key = rscf->keys->signer();
    ngx_table_elt_t *ua = r->headers_in.user_agent;

    event.add("v", "1");
    event.add("type", type);
    event.add("id", {id, sizeof(id)});
    event.add("ts", {reinterpret_cast<char *>(ts), static_cast<size_t>(ts_end - ts)});
    event.add("site", ngx_http_referral_view(rscf->site));
    event.add("code", ngx_http_referral_view(ctx->code));
    event.add("click", ngx_http_referral_view(ctx->click_id));
    ngx_http_referral_add_hash(event, "ip", key, ngx_http_referral_client_prefix(r->connection));
    ngx_http_referral_add_hash(event, "ua", key, ua ? ngx_http_referral_view(ua->value) : "");
    if (ctx->source.len) {
        event.add("src", ngx_http_referral_view(ctx->source));
    }
    if (ctx->medium.len) {
        event.add("med", ngx_http_referral_view(ctx->medium));
    }
    if (ctx->campaign.len) {
        event.add("cmp", ngx_http_referral_view(ctx->campaign));
    }
    return true;
}

void ngx_http_referral_emit_click(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                  ngx_http_referral_ctx_t *ctx) {
    referral::EventRecord event;
    if (!ngx_http_referral_common(r, rscf, ctx, "click", event)) {
        return;
    }
    ngx_http_referral_count(NGX_HTTP_REFERRAL_clicks);
    ngx_http_referral_sink_push(r->connection->log, event.release());
}

// Order and customer ids: 1..128 printable bytes go as they are; anything else is kept, cut, as
// <name>_raw so the daemon can reject it with a reason instead of the event vanishing.
static void ngx_http_referral_add_id(referral::EventRecord &event, std::string_view name,
                                     std::string_view raw_name, std::string_view value) {
    bool valid = !value.empty() && value.size() <= 128;
    for (size_t i = 0; valid && i < value.size(); i++) {
        valid = value[i] >= 0x21 && value[i] <= 0x7e;
    }
    if (valid) {
        event.add(name, value);
    } else if (!value.empty()) {
        event.add(raw_name, value.substr(0, 128));
    }
}

static void ngx_http_referral_add_amount(referral::EventRecord &event, std::string_view amount,
                                         std::string_view currency) {
    char upper[3];
    int exponent = 2;
    bool known = true;
    if (!currency.empty()) {
        known = currency.size() == sizeof(upper);
        for (size_t i = 0; known && i < sizeof(upper); i++) {
            upper[i] = static_cast<char>(ngx_toupper(currency[i]));
        }
        exponent = known ? referral::currency_exponent({upper, sizeof(upper)}) : -1;
        if (exponent < 0) {
            event.add("currency_raw", currency.substr(0, 16));
        } else {
            event.add("currency", {upper, sizeof(upper)});
        }
    }
    if (amount.empty()) {
        return;
    }
    int64_t minor;
    if (exponent >= 0 && referral::parse_amount(amount, exponent, &minor)) {
        u_char buf[NGX_INT64_LEN];
        u_char *end = ngx_sprintf(buf, "%L", minor);
        event.add("amount", {reinterpret_cast<char *>(buf), static_cast<size_t>(end - buf)});
    } else {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_amounts_invalid);
        event.add("amount_raw", amount.substr(0, 64));
    }
}

void ngx_http_referral_emit_conversion(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                       ngx_http_referral_ctx_t *ctx,
                                       const ngx_http_referral_conversion_t &c) {
    referral::EventRecord event;
    if (!ngx_http_referral_common(r, rscf, ctx, "conversion", event)) {
        return;
    }
    u_char buf[NGX_INT64_LEN];
    u_char *end = ngx_sprintf(buf, "%L", static_cast<int64_t>(ctx->issued) * 1000);
    event.add("first_ts", {reinterpret_cast<char *>(buf), static_cast<size_t>(end - buf)});
    ngx_http_referral_add_id(event, "order", "order_raw", ngx_http_referral_view(c.order));
    ngx_http_referral_add_id(event, "customer", "customer_raw", ngx_http_referral_view(c.customer));
    ngx_http_referral_add_amount(event, ngx_http_referral_view(c.amount),
                                 ngx_http_referral_view(c.currency));
    event.add("trust", c.trust_request ? "request" : "upstream");
    end = ngx_sprintf(buf, "%ui", c.status);
    event.add("status", {reinterpret_cast<char *>(buf), static_cast<size_t>(end - buf)});

    ngx_http_referral_count(NGX_HTTP_REFERRAL_conversions);
    ngx_http_referral_sink_push(r->connection->log, event.release());
}
