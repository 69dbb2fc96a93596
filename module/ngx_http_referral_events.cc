#include "ngx_http_referral_events.h"

#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_random.h"
#include "ngx_http_referral_sink.h"

#include "event_builder.h"

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

// What every event carries, from the request and its attribution.
static bool ngx_http_referral_origin(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                     ngx_http_referral_ctx_t *ctx, referral::EventId *id,
                                     referral::EventOrigin *out) {
    uint8_t raw[referral::kEventIdBytes];
    if (!ngx_http_referral_random(raw, sizeof(raw))) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "referral: no random bytes for an event id");
        return false;
    }
    *id = referral::make_event_id(raw);

    ngx_time_t *tp = ngx_timeofday();
    ngx_table_elt_t *ua = r->headers_in.user_agent;

    out->id = id->view();
    out->ts_ms = static_cast<int64_t>(tp->sec) * 1000 + tp->msec;
    out->site = ngx_http_referral_view(rscf->site);
    out->code = ngx_http_referral_view(ctx->code);
    out->click = ngx_http_referral_view(ctx->click_id);
    out->client = ngx_http_referral_client_prefix(r->connection);
    out->user_agent = ua ? ngx_http_referral_view(ua->value) : "";
    out->source = ngx_http_referral_view(ctx->source);
    out->medium = ngx_http_referral_view(ctx->medium);
    out->campaign = ngx_http_referral_view(ctx->campaign);
    return true;
}

void ngx_http_referral_emit_click(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                  ngx_http_referral_ctx_t *ctx) {
    referral::EventId id;
    referral::EventOrigin origin;
    if (!ngx_http_referral_origin(r, rscf, ctx, &id, &origin)) {
        return;
    }
    referral::EventRecord event = referral::click_event(rscf->keys->signer(), origin);
    ngx_http_referral_count(NGX_HTTP_REFERRAL_clicks);
    ngx_http_referral_sink_push(r->connection->log, event.release());
}

void ngx_http_referral_emit_signup(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                   ngx_http_referral_ctx_t *ctx, std::string_view customer,
                                   bool trust_request) {
    referral::EventId id;
    referral::EventOrigin origin;
    if (!ngx_http_referral_origin(r, rscf, ctx, &id, &origin)) {
        return;
    }
    referral::EventRecord event =
        referral::signup_event(rscf->keys->signer(), origin, customer, trust_request);
    ngx_http_referral_count(NGX_HTTP_REFERRAL_signups);
    ngx_http_referral_sink_push(r->connection->log, event.release());
}

void ngx_http_referral_emit_conversion(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                       ngx_http_referral_ctx_t *ctx,
                                       const ngx_http_referral_conversion_t &c) {
    referral::EventId id;
    referral::EventOrigin origin;
    if (!ngx_http_referral_origin(r, rscf, ctx, &id, &origin)) {
        return;
    }
    referral::ConversionValues values;
    values.first_ts_ms = ctx->code.len ? static_cast<int64_t>(ctx->issued) * 1000 : 0;
    values.coupon = ngx_http_referral_view(c.coupon);
    values.order = ngx_http_referral_view(c.order);
    values.customer = ngx_http_referral_view(c.customer);
    values.amount = ngx_http_referral_view(c.amount);
    values.currency = ngx_http_referral_view(c.currency);
    values.trust_request = c.trust_request;
    values.status = c.status;
    bool amount_invalid = false;
    referral::EventRecord event =
        referral::conversion_event(rscf->keys->signer(), origin, values, &amount_invalid);
    if (amount_invalid) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_amounts_invalid);
    }
    ngx_http_referral_count(NGX_HTTP_REFERRAL_conversions);
    ngx_http_referral_sink_push(r->connection->log, event.release());
}
