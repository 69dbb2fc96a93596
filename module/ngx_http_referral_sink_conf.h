// http{}-level settings of the Redis sink: referral_redis, referral_queue_size,
// referral_queue_zone, referral_spool.
#pragma once

#include "ngx_http_referral.h"

struct ngx_http_referral_main_conf_t {
    // referral_redis; redis_name.len == 0 when the directive is absent.
    ngx_str_t redis_name;  // as written, for logs
    struct sockaddr *redis_sockaddr;
    socklen_t redis_socklen;
    ngx_int_t redis_db;  // NGX_CONF_UNSET: no SELECT
    ngx_str_t redis_user;
    ngx_str_t redis_password;  // read from password_file at config time
    ngx_str_t redis_stream;    // "<prefix>:events"
    ngx_msec_t redis_timeout;  // connect, handshake and reply
    // sentinel= (ngx_addr_t, resolved at config time) and master=: the master is asked of the
    // Sentinels, redis_sockaddr is NULL; redis_sentinels is NULL without them.
    ngx_array_t *redis_sentinels;
    ngx_str_t redis_master;
    // replicas=: an XADD counts once WAIT says this many replicas have it; NGX_CONF_UNSET_UINT
    // until init, then 1 with sentinel=, else 0.
    ngx_uint_t redis_replicas;

    ngx_uint_t queue_size;
    size_t queue_zone_size;  // referral_queue_zone: the shared memory that holds the queues

    // referral_spool; spool == NULL when the directive is absent. spool_keys MACs its records:
    // the ring of the http-level referral_secret_file, or else of the first server with one.
    ngx_path_t *spool;
    off_t spool_max_size;
    referral::Keyring *spool_keys;

    // Some location captures or converts, so events are made: set while merging, read in
    // postconfiguration to warn when they have nowhere to go. events_keys: the key ring of the
    // first server that makes them.
    ngx_flag_t events_made;
    referral::Keyring *events_keys;
};

void *ngx_http_referral_create_main_conf(ngx_conf_t *cf);
char *ngx_http_referral_init_main_conf(ngx_conf_t *cf, void *conf);

// referral_redis, referral_queue_size, referral_spool.
char *ngx_http_referral_sink_conf_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_sink_conf_queue_size(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_referral_sink_conf_spool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

// At the end of http{}: picks the spool's key ring and checks the spool directory as the workers
// will find it (ngx_http_referral_spool_check.cc); NGX_ERROR after logging why.
ngx_int_t ngx_http_referral_sink_conf_check_spool(ngx_conf_t *cf);

// The running cycle's settings, NULL outside an http{} block.
ngx_http_referral_main_conf_t *ngx_http_referral_sink_conf(ngx_cycle_t *cycle);
