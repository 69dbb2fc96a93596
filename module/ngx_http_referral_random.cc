#include "ngx_http_referral_random.h"

#include "random_pool.h"

static referral::RandomPool ngx_http_referral_random_pool;

bool ngx_http_referral_random(u_char *out, size_t n) {
    return ngx_http_referral_random_pool.take(out, n);
}

void ngx_http_referral_random_reset() {
    ngx_http_referral_random_pool.reset();
}
