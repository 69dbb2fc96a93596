// Counters summed over all workers: one array of atomics in a shared memory zone, kept across
// reloads. referral_status prints them.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
}

#define NGX_HTTP_REFERRAL_COUNTERS(X)                                                         \
    X(clicks, "click events created")                                                         \
    X(conversions, "conversion events created")                                               \
    X(cookies_set, "responses that set a referral cookie")                                    \
    X(cookies_valid, "requests with a valid referral cookie")                                 \
    X(cookies_invalid, "requests whose referral cookies were all invalid")                    \
    X(cookies_expired, "requests whose referral cookie had expired")                          \
    X(codes_rejected, "referral args ignored: not a valid code")                              \
    X(skipped_bots, "captures skipped: crawler, prefetch or embedded request")                \
    X(skipped_rule, "captures skipped by referral_skip")                                      \
    X(consent_withdrawn, "requests without consent")                                          \
    X(redirects, "referral_redirect answers")                                                 \
    X(conversions_unattributed, "checkout responses with no referral, coupon or customer id") \
    X(signups, "signup events created")                                                       \
    X(signups_unattributed, "registrations without a valid referral cookie")                  \
    X(signups_without_customer, "registrations without a customer id: not sent")              \
    X(amounts_invalid, "conversions sent with amount_raw")                                    \
    X(events_queued, "events put in a worker's queue")                                        \
    X(events_sent, "XADD commands written to Redis")                                          \
    X(events_acked, "events Redis acknowledged")                                              \
    X(events_spooled, "events written to the spool")                                          \
    X(events_replayed, "spooled events read back for Redis")                                  \
    X(events_dropped, "events lost: spool full or unwritable")                                \
    X(events_adopted, "queued events taken over from a worker that died")                     \
    X(spool_files_rejected, "spool files set aside: not the worker's own")                    \
    X(spool_records_quarantined, "spooled records failing their MAC: not sent")               \
    X(redis_errors, "Redis connection failures, timeouts and error replies")                  \
    X(redis_connected, "workers connected to Redis now (gauge)")

enum ngx_http_referral_counter_e {
#define NGX_HTTP_REFERRAL_COUNTER_ENUM(name, help) NGX_HTTP_REFERRAL_##name,
    NGX_HTTP_REFERRAL_COUNTERS(NGX_HTTP_REFERRAL_COUNTER_ENUM)
#undef NGX_HTTP_REFERRAL_COUNTER_ENUM
        NGX_HTTP_REFERRAL_NCOUNTERS
};

struct ngx_http_referral_counter_info_t {
    const char *name;
    const char *help;
};
extern const ngx_http_referral_counter_info_t ngx_http_referral_counter_info[];

// Points at the shared array once the zone is up; before that (nginx -t, the master) at a
// private one, so callers never check.
extern ngx_atomic_t *ngx_http_referral_counters;

inline void ngx_http_referral_count(ngx_http_referral_counter_e c, ngx_atomic_int_t n = 1) {
    (void)ngx_atomic_fetch_add(&ngx_http_referral_counters[c], n);
}

ngx_int_t ngx_http_referral_add_counters_zone(ngx_conf_t *cf);
