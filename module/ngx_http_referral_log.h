// Bad input from visitors is logged at info, escaped and rate-limited per worker, so a flood of
// forged cookies cannot flood the error log.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

// Logs "referral: <what>" with at most the first 64 bytes of value, non-printable bytes as \xHH.
void ngx_http_referral_log_bad_input(ngx_http_request_t *r, const char *what, const u_char *value,
                                     size_t len);
