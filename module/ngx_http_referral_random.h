// Per-worker random bytes for click and event ids.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
}

// Fills out with n random bytes; false when OpenSSL's generator fails.
bool ngx_http_referral_random(u_char *out, size_t n);
void ngx_http_referral_random_reset();
