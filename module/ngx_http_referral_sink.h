// This worker's delivery of events to Redis (DESIGN §6, §9).
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
}

#include <string>

// Takes one encoded event (referral::EventRecord bytes). Never blocks and never throws.
void ngx_http_referral_sink_push(ngx_log_t *log, std::string &&record) noexcept;
