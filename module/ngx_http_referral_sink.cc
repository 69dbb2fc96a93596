#include "ngx_http_referral_sink.h"

#include "ngx_http_referral_counters.h"

void ngx_http_referral_sink_push(ngx_log_t *log, std::string &&record) noexcept {
    // Delivery to Redis is not built yet: events are counted and dropped.
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_dropped);
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0, "referral: event of %uz bytes dropped",
                   record.size());
}

ngx_int_t ngx_http_referral_sink_init_process(ngx_cycle_t *cycle) {
    (void)cycle;
    return NGX_OK;
}

void ngx_http_referral_sink_exit_process(ngx_cycle_t *cycle) {
    (void)cycle;
}
