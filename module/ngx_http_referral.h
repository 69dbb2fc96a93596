// Shared declarations of ngx_http_referral_module: the server and location configuration with
// the directive handlers that write it, and the helpers every source file uses. The per-request
// state is in ngx_http_referral_state.h, the delivery's configuration in
// ngx_http_referral_sink_conf.h; module/README.md maps the files.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

#include <string_view>

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

// referral_secret_file (ngx_http_referral_secret.cc), referral_cookie and its merge
// (ngx_http_referral_cookie.cc).
char *ngx_http_referral_secret_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_cookie(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_merge_cookie(ngx_conf_t *cf, ngx_http_referral_srv_conf_t *prev,
                                     ngx_http_referral_srv_conf_t *conf);

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
    ngx_http_complex_value_t *coupon;  // a referral code typed as a coupon at checkout
    ngx_array_t *statuses;             // of ngx_uint_t
    // A conversion value comes from the request (docs/design.md#security).
    ngx_flag_t trust_request;

    ngx_flag_t signup;  // a registration page; judged on the statuses above
    ngx_http_complex_value_t *signup_customer;
    ngx_flag_t signup_trust_request;  // the customer id comes from the request
};

// referral_conversion_order_id, _amount, _currency, _customer, _coupon, _status and their merge
// (ngx_http_referral_conversion.cc). The location's other directives are parsed in
// ngx_http_referral_module.cc, next to the directive table.
char *ngx_http_referral_conversion_value(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_conversion_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_merge_conversion(ngx_conf_t *cf, ngx_http_referral_loc_conf_t *prev,
                                         ngx_http_referral_loc_conf_t *conf);
// referral_signup_customer's merge (ngx_http_referral_signup.cc); after the conversion's, whose
// statuses it shares.
char *ngx_http_referral_merge_signup(ngx_conf_t *cf, ngx_http_referral_loc_conf_t *prev,
                                     ngx_http_referral_loc_conf_t *conf);

// The request path's parts, registered by the module's pre- and postconfiguration.
ngx_int_t ngx_http_referral_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_referral_init_handler(ngx_conf_t *cf);
ngx_int_t ngx_http_referral_init_filter(ngx_conf_t *cf);

inline std::string_view ngx_http_referral_view(const ngx_str_t &s) {
    return {reinterpret_cast<const char *>(s.data), s.len};
}

// A view of bytes the caller keeps alive (the request pool, the configuration) as an ngx_str_t.
inline ngx_str_t ngx_http_referral_str(std::string_view v) {
    return {v.size(), reinterpret_cast<u_char *>(const_cast<char *>(v.data()))};
}

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
