// The header filter: sets or deletes the referral cookie once per main request, and keeps
// shared caches from storing a response that carries one.

#include "ngx_http_referral_state.h"
#include "ngx_http_referral_conversion.h"
#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_guard.h"
#include "ngx_http_referral_signup.h"

static ngx_http_output_header_filter_pt ngx_http_next_header_filter;

// A response that sets a visitor's cookie must never be served to another visitor.
static ngx_int_t ngx_http_referral_no_store(ngx_http_request_t *r) {
    static ngx_str_t value = ngx_string("private, no-store");
    ngx_table_elt_t *cc;

    auto **ccp = static_cast<ngx_table_elt_t **>(r->headers_out.cache_control.elts);
    if (ccp == NULL) {
        if (ngx_array_init(&r->headers_out.cache_control, r->pool, 1, sizeof(ngx_table_elt_t *)) !=
            NGX_OK) {
            return NGX_ERROR;
        }
        ccp = static_cast<ngx_table_elt_t **>(ngx_array_push(&r->headers_out.cache_control));
        if (ccp == NULL) {
            return NGX_ERROR;
        }
        cc = static_cast<ngx_table_elt_t *>(ngx_list_push(&r->headers_out.headers));
        if (cc == NULL) {
            return NGX_ERROR;
        }
        cc->hash = 1;
        ngx_str_set(&cc->key, "Cache-Control");
        *ccp = cc;
    } else {
        for (ngx_uint_t i = 1; i < r->headers_out.cache_control.nelts; i++) {
            ccp[i]->hash = 0;
        }
        r->headers_out.cache_control.nelts = 1;
        cc = ccp[0];
        cc->hash = 1;
    }
    cc->value = value;
    return NGX_OK;
}

// The Expires date changes once a second, not once a response: ngx_http_time's calendar
// arithmetic and formatting run then. Each worker keeps its own copy.
static u_char *ngx_http_referral_expires(u_char *p, time_t max_age) {
    static time_t formatted_at = -1;
    static time_t formatted_max_age;
    static u_char date[sizeof("Thu, 01 Jan 1970 00:00:00 GMT") - 1];

    time_t now = ngx_time();
    if (now != formatted_at || max_age != formatted_max_age) {
        ngx_http_time(date, now + max_age);
        formatted_at = now;
        formatted_max_age = max_age;
    }
    return ngx_cpymem(p, date, sizeof(date));
}

static ngx_int_t ngx_http_referral_set_cookie(ngx_http_request_t *r,
                                              ngx_http_referral_srv_conf_t *rscf,
                                              ngx_http_referral_ctx_t *ctx) {
    ngx_table_elt_t *h = static_cast<ngx_table_elt_t *>(ngx_list_push(&r->headers_out.headers));
    if (h == NULL) {
        return NGX_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Set-Cookie");

    if (ctx->set == NGX_HTTP_REFERRAL_SET_EXPIRE) {
        h->value = rscf->cookie_expire;
    } else {
        size_t len = rscf->cookie_prefix.len + ctx->token.len + rscf->cookie_attrs.len +
                     sizeof("Thu, 01 Jan 1970 00:00:00 GMT") - 1 + rscf->cookie_flags.len;
        u_char *p = static_cast<u_char *>(ngx_pnalloc(r->pool, len));
        if (p == NULL) {
            return NGX_ERROR;
        }
        h->value.data = p;
        p = ngx_cpymem(p, rscf->cookie_prefix.data, rscf->cookie_prefix.len);
        p = ngx_cpymem(p, ctx->token.data, ctx->token.len);
        p = ngx_cpymem(p, rscf->cookie_attrs.data, rscf->cookie_attrs.len);
        p = ngx_http_referral_expires(p, rscf->max_age);
        p = ngx_cpymem(p, rscf->cookie_flags.data, rscf->cookie_flags.len);
        h->value.len = p - h->value.data;
        ngx_http_referral_count(NGX_HTTP_REFERRAL_cookies_set);
    }
    return ngx_http_referral_no_store(r);
}

// The main request's referral headers: the conversion and signup judged on the final status, the
// cookie set or deleted. NGX_ERROR only when the response cannot go out.
static ngx_int_t ngx_http_referral_filter_headers(ngx_http_request_t *r) {
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_referral_module));
    if (ngx_http_referral_stateless(r, rlcf)) {
        return NGX_OK;
    }
    ngx_http_referral_ctx_t *ctx = ngx_http_referral_state(r, true);
    if (ctx == NULL || ctx->header_done) {
        return NGX_OK;
    }
    ctx->header_done = 1;

    auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(
        ngx_http_get_module_srv_conf(r, ngx_http_referral_module));
    ngx_http_referral_convert(r, rscf, rlcf, ctx);
    ngx_http_referral_signup(r, rscf, rlcf, ctx);

    if (ctx->set != NGX_HTTP_REFERRAL_SET_NONE &&
        r->headers_out.status < NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0, "referral: %s the cookie, %ui",
                       ctx->set == NGX_HTTP_REFERRAL_SET_TOKEN ? "setting" : "deleting",
                       r->headers_out.status);
        return ngx_http_referral_set_cookie(r, rscf, ctx);
    }
    if (ctx->redirected) {
        return ngx_http_referral_no_store(r);
    }
    return NGX_OK;
}

static ngx_int_t ngx_http_referral_header_filter(ngx_http_request_t *r) {
    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }
    // An exception costs the response its referral headers, not the response.
    if (ngx_http_referral_guard(r->connection->log, "header filter", NGX_OK,
                                [r] { return ngx_http_referral_filter_headers(r); }) != NGX_OK) {
        return NGX_ERROR;
    }
    return ngx_http_next_header_filter(r);
}

ngx_int_t ngx_http_referral_init_filter(ngx_conf_t *cf) {
    (void)cf;
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_referral_header_filter;
    return NGX_OK;
}
