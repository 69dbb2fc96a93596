// The per-request referral decision: which referral cookie is valid, whether this request
// captures a new code, and what that means for the response.

#include "ngx_http_referral_state.h"
#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_events.h"
#include "ngx_http_referral_log.h"
#include "ngx_http_referral_random.h"

#include "base64url.h"
#include "bots.h"
#include "cookie_header.h"

// More same-named cookies than this in one request is an attack, not a browser: the rest are
// ignored rather than each costing an HMAC.
static const ngx_uint_t ngx_http_referral_max_cookies = 8;

// Tags the pool cleanup entry that keeps the state reachable across internal redirects.
static void ngx_http_referral_cleanup(void *data) {
    (void)data;
}

static ngx_http_referral_ctx_t *ngx_http_referral_get_ctx(ngx_http_request_t *r) {
    auto *ctx = static_cast<ngx_http_referral_ctx_t *>(
        ngx_http_get_module_ctx(r, ngx_http_referral_module));
    if (ctx || !(r->internal || r->filter_finalize)) {
        return ctx;
    }
    // An internal redirect cleared the module contexts; the pool still holds ours.
    for (ngx_pool_cleanup_t *cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_referral_cleanup) {
            ctx = static_cast<ngx_http_referral_ctx_t *>(cln->data);
            ngx_http_set_ctx(r, ctx, ngx_http_referral_module);
            return ctx;
        }
    }
    return NULL;
}

static ngx_http_referral_ctx_t *ngx_http_referral_create_ctx(ngx_http_request_t *r) {
    auto *ctx = static_cast<ngx_http_referral_ctx_t *>(
        ngx_pcalloc(r->pool, sizeof(ngx_http_referral_ctx_t)));
    if (ctx == NULL) {
        return NULL;
    }
    ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }
    cln->handler = ngx_http_referral_cleanup;
    cln->data = ctx;
    ngx_http_set_ctx(r, ctx, ngx_http_referral_module);
    return ctx;
}

static void ngx_http_referral_set_attribution(ngx_http_referral_ctx_t *ctx,
                                              const referral::Attribution &a) {
    ctx->code = ngx_http_referral_str(a.code);
    ctx->click_id = ngx_http_referral_str(a.click_id);
    ctx->source = ngx_http_referral_str(a.source);
    ctx->medium = ngx_http_referral_str(a.medium);
    ctx->campaign = ngx_http_referral_str(a.campaign);
    ctx->issued = a.issued;
}

void ngx_http_referral_verify_cookie(ngx_http_request_t *r, ngx_http_referral_ctx_t *ctx) {
    if (ctx->cookies_checked) {
        return;
    }
    ctx->cookies_checked = 1;
    r = r->main;
    auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(
        ngx_http_get_module_srv_conf(r, ngx_http_referral_module));
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_referral_module));

    std::string_view name = ngx_http_referral_view(rscf->cookie_name);
    auto **headers = static_cast<ngx_table_elt_t **>(r->headers_in.cookies.elts);
    bool valid = false, expired = false, invalid = false;
    ngx_uint_t seen = 0;
    referral::Attribution best;

    for (ngx_uint_t i = 0; i < r->headers_in.cookies.nelts; i++) {
        referral::CookieScanner cookies(ngx_http_referral_view(headers[i]->value), name);
        std::string_view value;
        while (seen < ngx_http_referral_max_cookies && cookies.next(&value)) {
            seen++;
            // Views into scratch outlive this function: the pool keeps it for the request.
            char *scratch = static_cast<char *>(ngx_pnalloc(r->pool, value.size() + 1));
            if (scratch == NULL) {
                return;
            }
            referral::Attribution a;
            switch (referral::verify_token(*rscf->keys, value, ngx_time(), rscf->max_age, scratch,
                                           &a)) {
                case referral::TokenStatus::valid:
                    // Several valid cookies (another path, a parent domain): the rule picks.
                    if (!valid ||
                        (rlcf->attribution == NGX_HTTP_REFERRAL_FIRST ? a.issued < best.issued
                                                                      : a.issued > best.issued)) {
                        best = a;
                    }
                    valid = true;
                    break;
                case referral::TokenStatus::expired:
                    expired = true;
                    break;
                case referral::TokenStatus::invalid:
                    invalid = true;
                    ngx_http_referral_log_bad_input(r, "invalid cookie",
                                                    reinterpret_cast<const u_char *>(value.data()),
                                                    value.size());
                    break;
            }
        }
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0, "referral: cookie %s, %ui verified",
                   valid     ? "valid"
                   : expired ? "expired"
                   : invalid ? "invalid"
                             : "none",
                   seen);
    if (valid) {
        ctx->cookie_status = NGX_HTTP_REFERRAL_COOKIE_VALID;
        ngx_http_referral_set_attribution(ctx, best);
        ngx_http_referral_count(NGX_HTTP_REFERRAL_cookies_valid);
    } else if (expired) {
        ctx->cookie_status = NGX_HTTP_REFERRAL_COOKIE_EXPIRED;
        ngx_http_referral_count(NGX_HTTP_REFERRAL_cookies_expired);
    } else if (invalid) {
        ctx->cookie_status = NGX_HTTP_REFERRAL_COOKIE_INVALID;
        ngx_http_referral_count(NGX_HTTP_REFERRAL_cookies_invalid);
    }
}

static bool ngx_http_referral_named(const ngx_table_elt_t &h, const ngx_str_t &name) {
    return h.key.len == name.len && ngx_strncasecmp(h.key.data, name.data, name.len) == 0;
}

// Crawlers, prefetches and cookie stuffing through embedded resources: a visitor did not open
// the referral link. The request headers are walked once for all three names; the first of
// each name counts.
static bool ngx_http_referral_unwanted(ngx_http_request_t *r) {
    static const ngx_str_t sec_purpose = ngx_string("Sec-Purpose");
    static const ngx_str_t purpose = ngx_string("Purpose");
    static const ngx_str_t fetch_dest = ngx_string("Sec-Fetch-Dest");

    ngx_table_elt_t *ua = r->headers_in.user_agent;
    if (ua && referral::is_crawler(ngx_http_referral_view(ua->value))) {
        return true;
    }
    bool seen_sec_purpose = false, seen_purpose = false, seen_fetch_dest = false;
    for (ngx_list_part_t *part = &r->headers_in.headers.part; part; part = part->next) {
        auto *h = static_cast<ngx_table_elt_t *>(part->elts);
        for (ngx_uint_t i = 0; i < part->nelts; i++) {
            std::string_view value = ngx_http_referral_view(h[i].value);
            if (!seen_sec_purpose && ngx_http_referral_named(h[i], sec_purpose)) {
                seen_sec_purpose = true;
                if (referral::is_prefetch(value)) {
                    return true;
                }
            } else if (!seen_purpose && ngx_http_referral_named(h[i], purpose)) {
                seen_purpose = true;
                if (referral::is_prefetch(value)) {
                    return true;
                }
            } else if (!seen_fetch_dest && ngx_http_referral_named(h[i], fetch_dest)) {
                seen_fetch_dest = true;
                if (referral::is_embedded_fetch(value)) {
                    return true;
                }
            }
        }
    }
    return false;
}

// "" and "0" are false, like nginx's `if ($var)`.
static bool ngx_http_referral_truthy(const ngx_str_t &v) {
    return v.len > 0 && !(v.len == 1 && v.data[0] == '0');
}

static void ngx_http_referral_issue(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                    ngx_http_referral_ctx_t *ctx, const referral::Capture &cap) {
    u_char click[referral::kClickIdBytes];
    if (!ngx_http_referral_random(click, sizeof(click))) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "referral: no random bytes for a click id");
        return;
    }
    char *click_id = static_cast<char *>(ngx_pnalloc(r->pool, referral::kClickIdLength));
    char *token = static_cast<char *>(ngx_pnalloc(r->pool, referral::kMaxTokenLength));
    if (click_id == NULL || token == NULL) {
        return;
    }
    referral::b64url_encode(click, sizeof(click), click_id);

    referral::Attribution a;
    a.code = cap.code;
    a.issued = ngx_time();
    a.click_id = {click_id, referral::kClickIdLength};
    a.source = cap.source;
    a.medium = cap.medium;
    a.campaign = cap.campaign;

    size_t n = referral::sign_token(rscf->keys->signer(), a, token);
    if (n == 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0, "referral: signing a token failed");
        return;
    }
    ctx->token = {n, reinterpret_cast<u_char *>(token)};
    ctx->set = NGX_HTTP_REFERRAL_SET_TOKEN;
    ngx_http_referral_set_attribution(ctx, a);
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "referral: capture taken: code \"%V\", click \"%V\"", &ctx->code,
                   &ctx->click_id);
    ngx_http_referral_emit_click(r, rscf, ctx);
}

static void ngx_http_referral_decide(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                     ngx_http_referral_loc_conf_t *rlcf,
                                     ngx_http_referral_ctx_t *ctx) {
    ctx->decided = 1;
    ngx_str_t v;

    if (rlcf->consent) {
        if (ngx_http_complex_value(r, rlcf->consent, &v) != NGX_OK) {
            return;
        }
        if (!ngx_http_referral_truthy(v)) {
            ngx_http_referral_count(NGX_HTTP_REFERRAL_consent_withdrawn);
            ngx_http_referral_verify_cookie(r, ctx);
            if (ctx->cookie_status != NGX_HTTP_REFERRAL_COOKIE_NONE) {
                ctx->set = NGX_HTTP_REFERRAL_SET_EXPIRE;
            }
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "referral: capture skipped: no consent%s",
                           ctx->set == NGX_HTTP_REFERRAL_SET_EXPIRE ? ", cookie deleted" : "");
            ctx->code.len = 0;
            ctx->click_id.len = 0;
            ctx->source.len = ctx->medium.len = ctx->campaign.len = 0;
            return;
        }
    }

    if (!rlcf->enable || r->args.len == 0) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0, "referral: capture skipped: %s",
                       rlcf->enable ? "no args" : "referral is off here");
        return;
    }

    char *scratch = static_cast<char *>(ngx_pnalloc(r->pool, r->args.len));
    if (scratch == NULL) {
        return;
    }
    referral::Capture cap;
    referral::capture(ngx_http_referral_view(r->args), *rlcf->rules, scratch, &cap);
    if (cap.rejected) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_codes_rejected, cap.rejected);
        ngx_http_referral_log_bad_input(r, "ignored referral args", r->args.data, r->args.len);
    }
    if (cap.code.empty()) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "referral: capture skipped: no valid code, %ui rejected",
                       static_cast<ngx_uint_t>(cap.rejected));
        return;
    }
    ctx->captured = 1;

    if (rlcf->skip_bots && ngx_http_referral_unwanted(r)) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_skipped_bots);
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "referral: capture skipped: crawler, prefetch or embedded request");
        return;
    }
    if (rlcf->skip) {
        if (ngx_http_complex_value(r, rlcf->skip, &v) != NGX_OK) {
            return;
        }
        if (ngx_http_referral_truthy(v)) {
            ngx_http_referral_count(NGX_HTTP_REFERRAL_skipped_rule);
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "referral: capture skipped: referral_skip is \"%V\"", &v);
            return;
        }
    }

    ngx_http_referral_verify_cookie(r, ctx);
    if (ctx->cookie_status == NGX_HTTP_REFERRAL_COOKIE_VALID &&
        (rlcf->attribution == NGX_HTTP_REFERRAL_FIRST ||
         ngx_http_referral_view(ctx->code) == cap.code)) {
        // first: the valid cookie stands; last: the same code keeps its click and time.
        ngx_log_debug1(
            NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
            "referral: capture skipped: attribution kept, %s",
            rlcf->attribution == NGX_HTTP_REFERRAL_FIRST ? "first valid cookie" : "same code");
        return;
    }
    ngx_http_referral_issue(r, rscf, ctx, cap);
}

bool ngx_http_referral_stateless(ngx_http_request_t *r, ngx_http_referral_loc_conf_t *rlcf) {
    r = r->main;
    return !rlcf->conversion && !rlcf->signup && rlcf->consent == NULL &&
           (!rlcf->enable || r->args.len == 0) && ngx_http_referral_get_ctx(r) == NULL;
}

ngx_http_referral_ctx_t *ngx_http_referral_state(ngx_http_request_t *r, bool final) {
    r = r->main;
    auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(
        ngx_http_get_module_srv_conf(r, ngx_http_referral_module));
    if (rscf->keys == NULL) {
        return NULL;
    }

    ngx_http_referral_ctx_t *ctx = ngx_http_referral_get_ctx(r);
    if (ctx == NULL && (ctx = ngx_http_referral_create_ctx(r)) == NULL) {
        return NULL;
    }
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_referral_module));

    if (!ctx->decided && (final || rlcf->enable || rlcf->consent)) {
        ngx_http_referral_decide(r, rscf, rlcf, ctx);
    }
    return ctx;
}
