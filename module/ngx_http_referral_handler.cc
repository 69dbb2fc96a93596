// The rewrite-phase handler: takes the referral decision in the first location with referral
// on (so a try_files or error_page to a location without it still captures), and answers a
// capturing request with referral_redirect's 302.

#include "ngx_http_referral_state.h"
#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_guard.h"

// The 302 to the URL the visitor asked for (not the one rewrites made of it), without the
// referral and utm args. NGX_DECLINED when that URL has none: the referral came from a rewrite
// (`rewrite ^/r/(.*)$ /?ref=$1`), and redirecting would send the visitor back to the same URL.
static ngx_int_t ngx_http_referral_redirect(ngx_http_request_t *r,
                                            ngx_http_referral_loc_conf_t *rlcf,
                                            ngx_http_referral_ctx_t *ctx) {
    u_char *uri = r->unparsed_uri.data, *end = uri + r->unparsed_uri.len;
    u_char *q = static_cast<u_char *>(ngx_strlchr(uri, end, '?'));
    u_char *path_end = q ? q : end;
    std::string_view query;
    if (q) {
        query = {reinterpret_cast<char *>(q + 1), static_cast<size_t>(end - q - 1)};
    }

    // Always a path on this site: browsers read a leading "//" or "/\" as another host.
    while (uri < path_end && (*uri == '/' || *uri == '\\')) {
        uri++;
    }
    size_t path_len = path_end - uri;

    // Room for the '/' the absolute form may lack ("GET http://host?ref=a").
    u_char *location = static_cast<u_char *>(ngx_pnalloc(r->pool, r->unparsed_uri.len + 2));
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    u_char *p = location;
    *p++ = '/';
    p = ngx_cpymem(p, uri, path_len);
    size_t n = referral::strip_referral_args(query, *rlcf->rules, reinterpret_cast<char *>(p + 1));
    if (n == query.size()) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "referral: no redirect: the visitor's URL has no referral args");
        return NGX_DECLINED;
    }
    if (n) {
        *p = '?';
        p += 1 + n;
    }

    ngx_http_clear_location(r);
    ngx_table_elt_t *h = static_cast<ngx_table_elt_t *>(ngx_list_push(&r->headers_out.headers));
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value = {static_cast<size_t>(p - location), location};
    r->headers_out.location = h;
    ctx->redirected = 1;
    ngx_http_referral_count(NGX_HTTP_REFERRAL_redirects);
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0, "referral: redirect to \"%V\"",
                   &h->value);
    return NGX_HTTP_MOVED_TEMPORARILY;
}

static ngx_int_t ngx_http_referral_handler(ngx_http_request_t *r) {
    if (r != r->main) {
        return NGX_DECLINED;
    }
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_referral_module));
    if ((!rlcf->enable && rlcf->consent == NULL) || ngx_http_referral_stateless(r, rlcf)) {
        return NGX_DECLINED;
    }

    // An exception costs the request its referral, not its response.
    return ngx_http_referral_guard(
        r->connection->log, "rewrite handler", NGX_DECLINED, [r, rlcf]() -> ngx_int_t {
            ngx_http_referral_ctx_t *ctx = ngx_http_referral_state(r, false);
            if (!rlcf->redirect || ctx == NULL || !ctx->captured || ctx->redirected ||
                !(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
                return NGX_DECLINED;
            }
            return ngx_http_referral_redirect(r, rlcf, ctx);
        });
}

ngx_int_t ngx_http_referral_init_handler(ngx_conf_t *cf) {
    auto *cmcf = static_cast<ngx_http_core_main_conf_t *>(
        ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module));
    // Handlers of one phase run last-registered first: this one precedes `return` and `rewrite`.
    auto *h = static_cast<ngx_http_handler_pt *>(
        ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers));
    if (h == NULL) {
        return NGX_ERROR;
    }
    *h = ngx_http_referral_handler;
    return NGX_OK;
}
