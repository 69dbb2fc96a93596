#include "ngx_http_referral_counters.h"

const ngx_http_referral_counter_info_t ngx_http_referral_counter_info[] = {
#define NGX_HTTP_REFERRAL_COUNTER_INFO(name, help) {#name, help},
    NGX_HTTP_REFERRAL_COUNTERS(NGX_HTTP_REFERRAL_COUNTER_INFO)
#undef NGX_HTTP_REFERRAL_COUNTER_INFO
};

static ngx_atomic_t ngx_http_referral_private_counters[NGX_HTTP_REFERRAL_NCOUNTERS];
ngx_atomic_t *ngx_http_referral_counters = ngx_http_referral_private_counters;

extern "C" ngx_module_t ngx_http_referral_module;

static ngx_int_t ngx_http_referral_init_counters_zone(ngx_shm_zone_t *shm_zone, void *data) {
    if (data) {
        // A reload: the new cycle keeps counting where the old one was.
        shm_zone->data = data;
        ngx_http_referral_counters = static_cast<ngx_atomic_t *>(data);
        return NGX_OK;
    }

    ngx_slab_pool_t *shpool = reinterpret_cast<ngx_slab_pool_t *>(shm_zone->shm.addr);
    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
    } else {
        shpool->data = ngx_slab_calloc(shpool, sizeof(ngx_atomic_t) * NGX_HTTP_REFERRAL_NCOUNTERS);
        if (shpool->data == NULL) {
            return NGX_ERROR;
        }
        shm_zone->data = shpool->data;
    }
    ngx_http_referral_counters = static_cast<ngx_atomic_t *>(shm_zone->data);
    return NGX_OK;
}

ngx_int_t ngx_http_referral_add_counters_zone(ngx_conf_t *cf) {
    static ngx_str_t name = ngx_string("referral_counters");

    ngx_shm_zone_t *zone =
        ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize, &ngx_http_referral_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }
    zone->init = ngx_http_referral_init_counters_zone;
    return NGX_OK;
}
