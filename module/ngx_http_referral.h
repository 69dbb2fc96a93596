// Shared declarations of ngx_http_referral_module: configuration, per-request state and the
// entry points its source files offer each other.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

#include "keyring.h"
#include "query.h"
#include "token.h"

extern "C" ngx_module_t ngx_http_referral_module;

enum ngx_http_referral_attribution_e { NGX_HTTP_REFERRAL_LAST = 0, NGX_HTTP_REFERRAL_FIRST };
enum ngx_http_referral_samesite_e {
    NGX_HTTP_REFERRAL_SAMESITE_LAX = 0,
    NGX_HTTP_REFERRAL_SAMESITE_STRICT,
    NGX_HTTP_REFERRAL_SAMESITE_NONE
};

// http{}-level settings of the Redis sink (referral_redis, referral_queue_size, referral_spool);
// defined and parsed in ngx_http_referral_sink_conf.cc.
struct ngx_http_referral_main_conf_t;

struct ngx_http_referral_srv_conf_t {
    ngx_str_t secret_file;
    referral::Keyring *keys;  // owned by a cycle pool cleanup

    // referral_cookie: each attribute merges on its own, so a server that names one attribute
    // keeps the others from http{}.
    ngx_str_t cookie_name;
    ngx_str_t cookie_domain;
    ngx_str_t cookie_path;
    time_t max_age;
    ngx_flag_t secure;
    ngx_flag_t httponly;
    ngx_uint_t samesite;
    u_char *cookie_file;  // where referral_cookie was given, for errors found at merge
    ngx_uint_t cookie_line;

    // Precomputed at merge: "name=" and the attributes around the per-response Expires date.
    ngx_str_t cookie_prefix;  // "ref="
    ngx_str_t cookie_attrs;   // "; Path=/; Max-Age=2592000; Expires="
    ngx_str_t cookie_flags;   // "; HttpOnly; SameSite=Lax"
    ngx_str_t cookie_expire;  // the whole header value that deletes the cookie

    ngx_str_t site;
};

struct ngx_http_referral_loc_conf_t {
    ngx_flag_t enable;
    ngx_array_t *params;  // of ngx_str_t, lower-cased
    ngx_uint_t code_max_length;
    ngx_uint_t attribution;
    ngx_flag_t utm;
    ngx_flag_t redirect;
    ngx_flag_t skip_bots;
    ngx_http_complex_value_t *skip;
    ngx_http_complex_value_t *consent;
    referral::CaptureRules *rules;  // built at merge from params/max length/utm; pool cleanup

    ngx_flag_t conversion;
    ngx_http_complex_value_t *order_id;
    ngx_http_complex_value_t *amount;
    ngx_http_complex_value_t *currency;
    ngx_http_complex_value_t *customer;
    ngx_array_t *statuses;  // of ngx_uint_t
    // A conversion value comes from the request (docs/design.md#security).
    ngx_flag_t trust_request;
};

enum ngx_http_referral_cookie_status_e {
    NGX_HTTP_REFERRAL_COOKIE_NONE = 0,
    NGX_HTTP_REFERRAL_COOKIE_VALID,
    NGX_HTTP_REFERRAL_COOKIE_INVALID,
    NGX_HTTP_REFERRAL_COOKIE_EXPIRED
};

enum ngx_http_referral_set_e {
    NGX_HTTP_REFERRAL_SET_NONE = 0,
    NGX_HTTP_REFERRAL_SET_TOKEN,   // a new signed token
    NGX_HTTP_REFERRAL_SET_EXPIRE,  // consent withdrawn: delete the cookie
};

// The referral state of one main request. Lives in the request pool and is reachable through a
// pool cleanup entry, so internal redirects (which wipe module contexts) keep it: a request
// yields at most one click, one conversion and one Set-Cookie. Trivially destructible.
struct ngx_http_referral_ctx_t {
    unsigned cookies_checked : 1;
    unsigned decided : 1;   // capture/consent decision taken
    unsigned captured : 1;  // the args held a valid referral code (referral_redirect acts)
    unsigned redirected : 1;
    unsigned header_done : 1;
    unsigned converted : 1;
    unsigned cookie_status : 2;
    unsigned set : 2;

    // The attribution in effect: from a new capture or the preferred valid cookie.
    ngx_str_t code;
    ngx_str_t click_id;
    ngx_str_t source;
    ngx_str_t medium;
    ngx_str_t campaign;
    time_t issued;

    ngx_str_t token;  // with set == NGX_HTTP_REFERRAL_SET_TOKEN
};

// State of r->main, creating it on first use. The capture decision is taken in the first
// location that has referral (or referral_consent) on, or at the latest when the response
// header goes out (final == true). NULL where the server has no referral_secret_file (nothing
// to do) or on allocation failure.
//
// The referral cookie is verified only when something needs the attribution it carries (a
// capture, consent withdrawn, a conversion, a $referral_* variable), at most once per request:
// a page that merely carries the cookie costs no HMAC. ngx_http_referral_verify_cookie()
// does it before the attribution is read.
ngx_http_referral_ctx_t *ngx_http_referral_state(ngx_http_request_t *r, bool final);
// True when r has no state yet and needs none here: it cannot capture (no args, or referral off
// in this location), has no consent to check and is no conversion. Ordinary pages and assets
// then cost no allocation at all.
bool ngx_http_referral_stateless(ngx_http_request_t *r, ngx_http_referral_loc_conf_t *rlcf);
void ngx_http_referral_verify_cookie(ngx_http_request_t *r, ngx_http_referral_ctx_t *ctx);

ngx_int_t ngx_http_referral_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_referral_init_filter(ngx_conf_t *cf);
ngx_int_t ngx_http_referral_init_handler(ngx_conf_t *cf);

char *ngx_http_referral_secret_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_cookie(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_merge_cookie(ngx_conf_t *cf, ngx_http_referral_srv_conf_t *prev,
                                     ngx_http_referral_srv_conf_t *conf);

// Copies a C++ object's lifetime onto a pool: the object is deleted when the pool is.
template <typename T>
T *ngx_http_referral_pool_owned(ngx_pool_t *pool, T *object) {
    ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        delete object;
        return NULL;
    }
    cln->handler = [](void *data) { delete static_cast<T *>(data); };
    cln->data = object;
    return object;
}
