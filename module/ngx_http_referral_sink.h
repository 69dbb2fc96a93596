// This worker's delivery of events to Redis (docs/design.md#delivery): the sink's configuration,
// its per-worker life cycle and the one call the request path makes.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

#include <string>

// Takes one encoded event (referral::EventRecord bytes). Never blocks and never throws.
void ngx_http_referral_sink_push(ngx_log_t *log, std::string &&record) noexcept;

void *ngx_http_referral_create_main_conf(ngx_conf_t *cf);
char *ngx_http_referral_init_main_conf(ngx_conf_t *cf, void *conf);

char *ngx_http_referral_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_queue_size(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_spool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

ngx_int_t ngx_http_referral_sink_init_process(ngx_cycle_t *cycle);
void ngx_http_referral_sink_exit_process(ngx_cycle_t *cycle);
