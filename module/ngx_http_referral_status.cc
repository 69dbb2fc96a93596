// referral_status: the shared counters as JSON or Prometheus text. The counters live in shared
// memory, so any worker answers for all of them.

#include "ngx_http_referral_status.h"

#include "ngx_http_referral_counters.h"

// Upper bound of one counter's line in either format, beyond its name and help text.
static const size_t ngx_http_referral_status_line = 96 + NGX_ATOMIC_T_LEN;

static ngx_atomic_uint_t ngx_http_referral_counter(ngx_uint_t i) {
    return static_cast<ngx_atomic_uint_t>(ngx_http_referral_counters[i]);
}

// {"clicks":N,...,"redis":{"connected_workers":N}}: every counter by its name, the gauge of
// connected workers apart because it is not a count of things that happened.
static ngx_buf_t *ngx_http_referral_status_json(ngx_http_request_t *r) {
    size_t size = sizeof("{\"redis\":{\"connected_workers\":}}\n") + NGX_ATOMIC_T_LEN;
    for (ngx_uint_t i = 0; i < NGX_HTTP_REFERRAL_NCOUNTERS; i++) {
        size += ngx_strlen(ngx_http_referral_counter_info[i].name) + ngx_http_referral_status_line;
    }
    ngx_buf_t *b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    u_char *p = ngx_cpymem(b->last, "{", 1);
    for (ngx_uint_t i = 0; i < NGX_HTTP_REFERRAL_NCOUNTERS; i++) {
        if (i == NGX_HTTP_REFERRAL_redis_connected) {
            continue;
        }
        p = ngx_sprintf(p, "\"%s\":%uA,", ngx_http_referral_counter_info[i].name,
                        ngx_http_referral_counter(i));
    }
    p = ngx_sprintf(p, "\"redis\":{\"connected_workers\":%uA}}\n",
                    ngx_http_referral_counter(NGX_HTTP_REFERRAL_redis_connected));
    b->last = p;
    return b;
}

// referral_<name>_total counters with HELP and TYPE; the gauge without the _total suffix.
static ngx_buf_t *ngx_http_referral_status_prometheus(ngx_http_request_t *r) {
    size_t size = 0;
    for (ngx_uint_t i = 0; i < NGX_HTTP_REFERRAL_NCOUNTERS; i++) {
        size += 3 * ngx_strlen(ngx_http_referral_counter_info[i].name) +
                ngx_strlen(ngx_http_referral_counter_info[i].help) + ngx_http_referral_status_line;
    }
    ngx_buf_t *b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    u_char *p = b->last;
    for (ngx_uint_t i = 0; i < NGX_HTTP_REFERRAL_NCOUNTERS; i++) {
        const ngx_http_referral_counter_info_t &info = ngx_http_referral_counter_info[i];
        if (i == NGX_HTTP_REFERRAL_redis_connected) {
            p = ngx_sprintf(p,
                            "# HELP referral_redis_connected_workers %s\n"
                            "# TYPE referral_redis_connected_workers gauge\n"
                            "referral_redis_connected_workers %uA\n",
                            info.help, ngx_http_referral_counter(i));
            continue;
        }
        p = ngx_sprintf(p,
                        "# HELP referral_%s_total %s\n"
                        "# TYPE referral_%s_total counter\n"
                        "referral_%s_total %uA\n",
                        info.name, info.help, info.name, info.name, ngx_http_referral_counter(i));
    }
    b->last = p;
    return b;
}

static ngx_int_t ngx_http_referral_status_send(ngx_http_request_t *r, ngx_buf_t *b,
                                               ngx_str_t type) {
    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }
    ngx_int_t rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type = type;
    r->headers_out.content_type_len = type.len;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;
    ngx_chain_t out = {b, NULL};
    return ngx_http_output_filter(r, &out);
}

static ngx_int_t ngx_http_referral_status_json_handler(ngx_http_request_t *r) {
    return ngx_http_referral_status_send(r, ngx_http_referral_status_json(r),
                                         ngx_string("application/json"));
}

static ngx_int_t ngx_http_referral_status_prometheus_handler(ngx_http_request_t *r) {
    return ngx_http_referral_status_send(r, ngx_http_referral_status_prometheus(r),
                                         ngx_string("text/plain; version=0.0.4"));
}

char *ngx_http_referral_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    (void)conf;
    auto *clcf = static_cast<ngx_http_core_loc_conf_t *>(
        ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module));

    auto *value = static_cast<ngx_str_t *>(cf->args->elts);
    if (cf->args->nelts == 1 || ngx_strcmp(value[1].data, "json") == 0) {
        clcf->handler = ngx_http_referral_status_json_handler;
    } else if (ngx_strcmp(value[1].data, "prometheus") == 0) {
        clcf->handler = ngx_http_referral_status_prometheus_handler;
    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": expected json or prometheus", &value[1],
                           &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    return NGX_CONF_OK;
}
