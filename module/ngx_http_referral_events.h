// Click and conversion events (DESIGN §6), built on the request path and handed to this worker's
// Redis sink; building never waits on Redis.
#pragma once

#include "ngx_http_referral.h"

void ngx_http_referral_emit_click(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                                  ngx_http_referral_ctx_t *ctx);
