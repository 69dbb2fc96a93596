// referral_signup: registration pages become signup events. The directives are declared with
// the location's configuration, in ngx_http_referral.h.
#pragma once

#include "ngx_http_referral_state.h"

// Called from the header filter with the final status: at most one signup per request.
void ngx_http_referral_signup(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                              ngx_http_referral_loc_conf_t *rlcf, ngx_http_referral_ctx_t *ctx);
