// This worker's delivery of events to Redis (docs/design.md#delivery): the event in flight, the
// sink's per-worker life cycle and the one call the request path makes.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

#include <string>

struct ngx_http_referral_spool_file_t;
struct ngx_http_referral_held_t;

// An event on its way to Redis, held by the sink's queue, the Redis connection's pipeline or
// the spool's reader. Events read back from a spool file remember the file and where their
// record ends, so the file's replayed offset can advance once Redis has them; every other event
// has its copy in the queue zone (ngx_http_referral_queue_zone.h) until Redis acknowledges it or
// it is on disk.
struct ngx_http_referral_event_t {
    std::string record;  // referral::EventRecord bytes
    ngx_http_referral_spool_file_t *source = nullptr;
    off_t end = 0;
    ngx_http_referral_held_t *held = nullptr;
};

// Takes one encoded event (referral::EventRecord bytes). Never blocks and never throws.
void ngx_http_referral_sink_push(ngx_log_t *log, std::string &&record) noexcept;

ngx_int_t ngx_http_referral_sink_init_process(ngx_cycle_t *cycle);
void ngx_http_referral_sink_exit_process(ngx_cycle_t *cycle);
