// referral_conversion: checkout and thank-you responses become conversion events.
#pragma once

#include "ngx_http_referral.h"

char *ngx_http_referral_conversion_value(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_conversion_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_merge_conversion(ngx_conf_t *cf, ngx_http_referral_loc_conf_t *prev,
                                         ngx_http_referral_loc_conf_t *conf);

// Called from the header filter with the final status: at most one conversion per request.
void ngx_http_referral_convert(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                               ngx_http_referral_loc_conf_t *rlcf, ngx_http_referral_ctx_t *ctx);
