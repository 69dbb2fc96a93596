// referral_status: the counters of all workers as JSON or Prometheus text.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

char *ngx_http_referral_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
