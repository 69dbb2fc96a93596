// The referral state of a main request (docs/design.md#life-of-a-request): the capture decision,
// the cookie's verdict, and what the response is to carry. The handler, the header filter and
// the variables read it; the decision's events go to ngx_http_referral_events.h.
#pragma once

#include "ngx_http_referral.h"

#include <type_traits>

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
// yields at most one click, one conversion, one signup and one Set-Cookie.
struct ngx_http_referral_ctx_t {
    unsigned cookies_checked : 1;
    unsigned decided : 1;   // capture/consent decision taken
    unsigned captured : 1;  // the args held a valid referral code (referral_redirect acts)
    unsigned redirected : 1;
    unsigned header_done : 1;
    unsigned converted : 1;
    unsigned signed_up : 1;
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

// The request pool frees it without running a destructor.
static_assert(std::is_trivially_destructible_v<ngx_http_referral_ctx_t>);

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
// in this location), has no consent to check and is no conversion or signup. Ordinary pages and
// assets then cost no allocation at all.
bool ngx_http_referral_stateless(ngx_http_request_t *r, ngx_http_referral_loc_conf_t *rlcf);
void ngx_http_referral_verify_cookie(ngx_http_request_t *r, ngx_http_referral_ctx_t *ctx);
