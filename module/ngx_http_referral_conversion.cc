#include "ngx_http_referral_conversion.h"

#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_events.h"

#include "event_schema.h"
#include "money.h"
#include "trust.h"

char *ngx_http_referral_conversion_value(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    char *rv = ngx_http_set_complex_value_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }
    ngx_str_t *value = static_cast<ngx_str_t *>(cf->args->elts);
    ngx_str_t culprit =
        ngx_http_referral_str(referral::first_request_variable(ngx_http_referral_view(value[1])));
    if (culprit.len) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"%V\" uses $%V, which a visitor can forge: its events are sent with "
                           "trust=request and the reward daemon holds them for approval; "
                           "prefer $upstream_http_* headers from the shop",
                           &cmd->name, &culprit);
    }
    return NGX_CONF_OK;
}

char *ngx_http_referral_conversion_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(conf);
    if (rlcf->statuses != NGX_CONF_UNSET_PTR) {
        return const_cast<char *>("is duplicate");
    }
    rlcf->statuses = ngx_array_create(cf->pool, cf->args->nelts - 1, sizeof(ngx_uint_t));
    if (rlcf->statuses == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    ngx_str_t *value = static_cast<ngx_str_t *>(cf->args->elts);
    for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
        ngx_int_t status = ngx_atoi(value[i].data, value[i].len);
        if (status < 100 || status > 599) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid status \"%V\" in \"%V\": use codes 100-599", &value[i],
                               &cmd->name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        *static_cast<ngx_uint_t *>(ngx_array_push(rlcf->statuses)) = status;
    }
    return NGX_CONF_OK;
}

char *ngx_http_referral_merge_conversion(ngx_conf_t *cf, ngx_http_referral_loc_conf_t *prev,
                                         ngx_http_referral_loc_conf_t *conf) {
    ngx_conf_merge_value(conf->conversion, prev->conversion, 0);
    for (auto field :
         {&ngx_http_referral_loc_conf_t::order_id, &ngx_http_referral_loc_conf_t::amount,
          &ngx_http_referral_loc_conf_t::currency, &ngx_http_referral_loc_conf_t::customer,
          &ngx_http_referral_loc_conf_t::coupon}) {
        if (conf->*field == NULL) {
            conf->*field = prev->*field;
        }
    }
    if (conf->statuses == NGX_CONF_UNSET_PTR) {
        if (prev->statuses == NGX_CONF_UNSET_PTR) {
            static const ngx_uint_t defaults[] = {200, 201, 204, 301, 302, 303};
            prev->statuses = ngx_array_create(cf->pool, 6, sizeof(ngx_uint_t));
            if (prev->statuses == NULL) {
                return static_cast<char *>(NGX_CONF_ERROR);
            }
            for (ngx_uint_t s : defaults) {
                *static_cast<ngx_uint_t *>(ngx_array_push(prev->statuses)) = s;
            }
        }
        conf->statuses = prev->statuses;
    }

    if (!conf->conversion) {
        return NGX_CONF_OK;
    }
    if (conf->order_id == NULL) {
        ngx_conf_log_error(
            NGX_LOG_EMERG, cf, 0,
            "\"referral_conversion\" is on without \"referral_conversion_order_id\": "
            "name the order, e.g. $upstream_http_x_order_id");
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    if (conf->currency && conf->currency->lengths == NULL &&
        referral::currency_exponent({reinterpret_cast<char *>(conf->currency->value.data),
                                     conf->currency->value.len}) < 0) {
        ngx_conf_log_error(
            NGX_LOG_EMERG, cf, 0,
            "\"referral_conversion_currency\" \"%V\" is not an ISO 4217 code such as EUR",
            &conf->currency->value);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    conf->trust_request = 0;
    for (ngx_http_complex_value_t *cv :
         {conf->order_id, conf->amount, conf->currency, conf->customer, conf->coupon}) {
        if (cv && !referral::first_request_variable(ngx_http_referral_view(cv->value)).empty()) {
            conf->trust_request = 1;
        }
    }
    return NGX_CONF_OK;
}

bool ngx_http_referral_conversion_counted(ngx_http_request_t *r,
                                          ngx_http_referral_loc_conf_t *rlcf) {
    auto *s = static_cast<ngx_uint_t *>(rlcf->statuses->elts);
    for (ngx_uint_t i = 0; i < rlcf->statuses->nelts; i++) {
        if (s[i] == r->headers_out.status) {
            return true;
        }
    }
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0, "referral: status %ui is not counted",
                   r->headers_out.status);
    return false;
}

bool ngx_http_referral_conversion_eval(ngx_http_request_t *r, ngx_http_complex_value_t *cv,
                                       ngx_str_t *out) {
    if (cv == NULL) {
        out->len = 0;
        out->data = NULL;
        return true;
    }
    return ngx_http_complex_value(r, cv, out) == NGX_OK;
}

void ngx_http_referral_convert(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                               ngx_http_referral_loc_conf_t *rlcf, ngx_http_referral_ctx_t *ctx) {
    if (!rlcf->conversion || ctx->converted) {
        return;
    }
    if (!ngx_http_referral_conversion_counted(r, rlcf)) {
        return;
    }
    ctx->converted = 1;
    ngx_http_referral_verify_cookie(r, ctx);
    ngx_http_referral_conversion_t c;
    if (!ngx_http_referral_conversion_eval(r, rlcf->coupon, &c.coupon) ||
        !ngx_http_referral_conversion_eval(r, rlcf->customer, &c.customer)) {
        return;
    }
    // Without a cookie, a coupon that is a well-formed code still names a referrer; the
    // daemon decides whether it is anybody's (docs/rewards.md, Coupons).
    if (!referral::valid_code(ngx_http_referral_view(c.coupon), rlcf->code_max_length)) {
        c.coupon.len = 0;
    }
    // Neither cookie nor coupon: a valid customer id may still have been bound to a referrer
    // by a signup or an earlier purchase, which only the daemon knows (docs/rewards.md,
    // Signups and bound customers).
    if (ctx->code.len == 0 && c.coupon.len == 0 &&
        !referral::valid_id(ngx_http_referral_view(c.customer))) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_conversions_unattributed);
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "referral: conversion unattributed: no valid cookie, coupon or customer");
        return;
    }

    if (!ngx_http_referral_conversion_eval(r, rlcf->order_id, &c.order) ||
        !ngx_http_referral_conversion_eval(r, rlcf->amount, &c.amount) ||
        !ngx_http_referral_conversion_eval(r, rlcf->currency, &c.currency)) {
        return;
    }
    c.trust_request = rlcf->trust_request;
    c.status = r->headers_out.status;
    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "referral: conversion taken: code \"%V\", order \"%V\", trust=%s", &ctx->code,
                   &c.order, c.trust_request ? "request" : "upstream");
    ngx_http_referral_emit_conversion(r, rscf, ctx, c);
}
