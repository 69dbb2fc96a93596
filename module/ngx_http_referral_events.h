// Click, signup and conversion events (docs/design.md#event-schema), built on the request path and
// handed to this worker's Redis sink; building never waits on Redis.
#pragma once

#include "ngx_http_referral_state.h"

// What the checkout response said, evaluated from the referral_conversion_* values.
struct ngx_http_referral_conversion_t {
    ngx_str_t order;
    ngx_str_t amount;
    ngx_str_t currency;
    ngx_str_t customer;
    ngx_str_t coupon;  // a valid code, or empty
    bool trust_request;
    ngx_uint_t status;
};
static_assert(std::is_trivially_destructible_v<ngx_http_referral_conversion_t>);

void ngx_http_referral_emit_click(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                  ngx_http_referral_ctx_t *ctx);

void ngx_http_referral_emit_signup(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                   ngx_http_referral_ctx_t *ctx, std::string_view customer,
                                   bool trust_request);

void ngx_http_referral_emit_conversion(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                       ngx_http_referral_ctx_t *ctx,
                                       const ngx_http_referral_conversion_t &c);
