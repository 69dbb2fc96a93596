// $referral_* variables: operators log them and pass them upstream, so shops need no code.

#include "ngx_http_referral_state.h"
#include "ngx_http_referral_guard.h"

static ngx_int_t ngx_http_referral_variable_str(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                                uintptr_t data);
static ngx_int_t ngx_http_referral_variable_cookie_status(ngx_http_request_t *r,
                                                          ngx_http_variable_value_t *v,
                                                          uintptr_t data);
static ngx_int_t ngx_http_referral_variable_set(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                                uintptr_t data);

static ngx_http_variable_t ngx_http_referral_vars[] = {
    {ngx_string("referral_code"), NULL, ngx_http_referral_variable_str,
     offsetof(ngx_http_referral_ctx_t, code), NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_source"), NULL, ngx_http_referral_variable_str,
     offsetof(ngx_http_referral_ctx_t, source), NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_medium"), NULL, ngx_http_referral_variable_str,
     offsetof(ngx_http_referral_ctx_t, medium), NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_campaign"), NULL, ngx_http_referral_variable_str,
     offsetof(ngx_http_referral_ctx_t, campaign), NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_click_id"), NULL, ngx_http_referral_variable_str,
     offsetof(ngx_http_referral_ctx_t, click_id), NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_cookie_status"), NULL, ngx_http_referral_variable_cookie_status, 0,
     NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("referral_set"), NULL, ngx_http_referral_variable_set, 0, NGX_HTTP_VAR_NOCACHEABLE,
     0},
    ngx_http_null_variable};

static void ngx_http_referral_variable_value(ngx_http_variable_value_t *v, const ngx_str_t &s) {
    v->len = s.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = s.data;
}

// The state every getter reads, its cookie verified. An exception leaves the variables as
// they are without a referral: not found, "none", "0".
static ngx_http_referral_ctx_t *ngx_http_referral_variable_state(ngx_http_request_t *r) {
    return ngx_http_referral_guard(r->connection->log, "variable", nullptr, [r] {
        ngx_http_referral_ctx_t *ctx = ngx_http_referral_state(r, false);
        if (ctx) {
            ngx_http_referral_verify_cookie(r, ctx);
        }
        return ctx;
    });
}

static ngx_int_t ngx_http_referral_variable_str(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                                uintptr_t data) {
    ngx_http_referral_ctx_t *ctx = ngx_http_referral_variable_state(r);
    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }
    auto *s = reinterpret_cast<ngx_str_t *>(reinterpret_cast<char *>(ctx) + data);
    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }
    ngx_http_referral_variable_value(v, *s);
    return NGX_OK;
}

static ngx_int_t ngx_http_referral_variable_cookie_status(ngx_http_request_t *r,
                                                          ngx_http_variable_value_t *v,
                                                          uintptr_t data) {
    (void)data;
    static ngx_str_t names[] = {ngx_string("none"), ngx_string("valid"), ngx_string("invalid"),
                                ngx_string("expired")};
    ngx_http_referral_ctx_t *ctx = ngx_http_referral_variable_state(r);
    ngx_http_referral_variable_value(v, names[ctx ? ctx->cookie_status : 0u]);
    return NGX_OK;
}

static ngx_int_t ngx_http_referral_variable_set(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                                uintptr_t data) {
    (void)data;
    static ngx_str_t yes = ngx_string("1"), no = ngx_string("0");
    ngx_http_referral_ctx_t *ctx = ngx_http_referral_variable_state(r);
    ngx_http_referral_variable_value(v, ctx && ctx->set == NGX_HTTP_REFERRAL_SET_TOKEN ? yes : no);
    return NGX_OK;
}

ngx_int_t ngx_http_referral_add_variables(ngx_conf_t *cf) {
    for (ngx_http_variable_t *v = ngx_http_referral_vars; v->name.len; v++) {
        ngx_http_variable_t *var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }
        var->get_handler = v->get_handler;
        var->data = v->data;
    }
    return NGX_OK;
}
