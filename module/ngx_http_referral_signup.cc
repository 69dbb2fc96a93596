// referral_signup: registration responses become signup events that bind the new customer to
// the referrer (docs/rewards.md, Signups and bound customers). Judged like a conversion: once
// per main request, on the final status, with the same trust rules.

#include "ngx_http_referral_signup.h"

#include "ngx_http_referral_conversion.h"
#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_events.h"
#include "ngx_http_referral_log.h"

#include "event_schema.h"
#include "trust.h"

char *ngx_http_referral_merge_signup(ngx_conf_t *cf, ngx_http_referral_loc_conf_t *prev,
                                     ngx_http_referral_loc_conf_t *conf) {
    ngx_conf_merge_value(conf->signup, prev->signup, 0);
    if (conf->signup_customer == NULL) {
        conf->signup_customer = prev->signup_customer;
    }
    if (!conf->signup) {
        return NGX_CONF_OK;
    }
    if (conf->signup_customer == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"referral_signup\" is on without \"referral_signup_customer\": "
                           "name the new customer, e.g. $upstream_http_x_customer_id");
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    conf->signup_trust_request =
        !referral::first_request_variable(ngx_http_referral_view(conf->signup_customer->value))
             .empty();
    return NGX_CONF_OK;
}

void ngx_http_referral_signup(ngx_http_request_t *r, ngx_http_referral_srv_conf_t *rscf,
                              ngx_http_referral_loc_conf_t *rlcf, ngx_http_referral_ctx_t *ctx) {
    if (!rlcf->signup || ctx->signed_up || !ngx_http_referral_conversion_counted(r, rlcf)) {
        return;
    }
    ctx->signed_up = 1;
    ngx_http_referral_verify_cookie(r, ctx);
    if (ctx->code.len == 0) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_signups_unattributed);
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "referral: signup unattributed: no valid cookie");
        return;
    }
    ngx_str_t customer;
    if (!ngx_http_referral_conversion_eval(r, rlcf->signup_customer, &customer)) {
        return;
    }
    if (customer.len == 0) {
        // Nobody to bind: the shop's answer lacked the id, or the directive names the wrong
        // header.
        ngx_http_referral_count(NGX_HTTP_REFERRAL_signups_without_customer);
        ngx_http_referral_log_bad_input(r, "signup without a customer id, not sent", ctx->code.data,
                                        ctx->code.len);
        return;
    }
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "referral: signup taken: code \"%V\", trust=%s", &ctx->code,
                   rlcf->signup_trust_request ? "request" : "upstream");
    ngx_http_referral_emit_signup(r, rscf, ctx, ngx_http_referral_view(customer),
                                  rlcf->signup_trust_request);
}
