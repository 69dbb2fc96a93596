// referral_conversion: checkout and thank-you responses become conversion events. The
// directives are declared with the location's configuration, in ngx_http_referral.h.
#pragma once

#include "ngx_http_referral_state.h"

// Whether the final status is one referral_conversion_status counts, for conversions and
// signups alike.
bool ngx_http_referral_conversion_counted(ngx_http_request_t *r,
                                          ngx_http_referral_loc_conf_t *rlcf);
// A referral_conversion_* (or referral_signup_customer) value; "" when not configured. False
// when evaluating failed (logged by nginx).
bool ngx_http_referral_conversion_eval(ngx_http_request_t *r, ngx_http_complex_value_t *cv,
                                       ngx_str_t *out);

// Called from the header filter with the final status: at most one conversion per request.
void ngx_http_referral_convert(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                               ngx_http_referral_loc_conf_t *rlcf, ngx_http_referral_ctx_t *ctx);
