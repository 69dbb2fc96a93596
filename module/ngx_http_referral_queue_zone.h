// The events workers hold in memory, kept in a shared memory zone (referral_queue_zone) so that a
// worker that dies (SIGKILL, a crash, the OOM killer) loses none: each worker lists its events
// under its process slot, and the worker the master respawns in that slot, or any worker that
// finds the owner gone, takes them over and sends them again (docs/design.md#delivery).
//
// A worker keeps its own copy of each record for sending; the zone's copy only outlives it.
#pragma once

#include "ngx_http_referral.h"
#include "ngx_http_referral_sink.h"

#include <deque>
#include <string_view>

struct ngx_http_referral_held_t;

// At the end of http{}: the zone of `size` bytes (referral_queue_zone).
ngx_int_t ngx_http_referral_add_queue_zone(ngx_conf_t *cf, size_t size);

// A starting worker claims its process slot's entry in the cycle's zone. The events a previous
// owner of the slot left there are appended to inherited, now this worker's, oldest first. False
// when the cycle has no zone.
bool ngx_http_referral_queue_zone_join(ngx_cycle_t *cycle,
                                       std::deque<ngx_http_referral_event_t> *inherited);

// A copy of the record in the zone, listed as this worker's; NULL when the zone is full. One
// lock, one allocation, one copy.
ngx_http_referral_held_t *ngx_http_referral_queue_zone_hold(std::string_view record);
// Redis acknowledged the event, or it is on disk, or lost for good: the zone forgets it (NULL:
// an event without a copy).
void ngx_http_referral_queue_zone_release(ngx_http_referral_held_t *held);

// The events of other workers that exited or died, now this worker's, oldest first per owner.
std::deque<ngx_http_referral_event_t> ngx_http_referral_queue_zone_adopt(ngx_log_t *log);

// An exiting worker leaves the events it still holds for the others to adopt.
void ngx_http_referral_queue_zone_leave();
