// ngx_http_referral_module: directives, configuration and the module's life cycle.

#include "ngx_http_referral.h"
#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_guard.h"
#include "ngx_http_referral_queue_zone.h"
#include "ngx_http_referral_random.h"
#include "ngx_http_referral_sink.h"
#include "ngx_http_referral_sink_conf.h"
#include "ngx_http_referral_status.h"

static void *ngx_http_referral_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_referral_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child);
static void *ngx_http_referral_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_referral_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_referral_param(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_referral_code_max_length(ngx_conf_t *cf, void *post, void *data);
static char *ngx_http_referral_attribution(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_referral_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_referral_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_referral_init_process(ngx_cycle_t *cycle);
static void ngx_http_referral_exit_process(ngx_cycle_t *cycle);

static ngx_conf_post_t ngx_http_referral_code_max_length_post = {ngx_http_referral_code_max_length};

static ngx_command_t ngx_http_referral_commands[] = {

    {ngx_string("referral"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, enable), NULL},

    {ngx_string("referral_param"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE,
     ngx_http_referral_param, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_code_max_length"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_num_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, code_max_length),
     &ngx_http_referral_code_max_length_post},

    {ngx_string("referral_secret_file"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_secret_file, NGX_HTTP_SRV_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_cookie"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_1MORE,
     ngx_http_referral_cookie, NGX_HTTP_SRV_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_site"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_SRV_CONF_OFFSET, offsetof(ngx_http_referral_srv_conf_t, site),
     NULL},

    {ngx_string("referral_attribution"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_attribution, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_utm"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_referral_loc_conf_t, utm),
     NULL},

    {ngx_string("referral_redirect"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, redirect), NULL},

    {ngx_string("referral_skip_bots"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, skip_bots), NULL},

    {ngx_string("referral_skip"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_set_complex_value_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, skip), NULL},

    {ngx_string("referral_consent"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_set_complex_value_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, consent), NULL},

    {ngx_string("referral_conversion"), NGX_HTTP_LOC_CONF | NGX_CONF_FLAG, ngx_conf_set_flag_slot,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_referral_loc_conf_t, conversion), NULL},

    {ngx_string("referral_conversion_order_id"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, order_id), NULL},

    {ngx_string("referral_conversion_amount"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, amount), NULL},

    {ngx_string("referral_conversion_currency"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, currency), NULL},

    {ngx_string("referral_conversion_customer"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, customer), NULL},

    {ngx_string("referral_conversion_coupon"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, coupon), NULL},

    {ngx_string("referral_conversion_status"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_1MORE,
     ngx_http_referral_conversion_status, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_signup"), NGX_HTTP_LOC_CONF | NGX_CONF_FLAG, ngx_conf_set_flag_slot,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_referral_loc_conf_t, signup), NULL},

    {ngx_string("referral_signup_customer"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_conversion_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_referral_loc_conf_t, signup_customer), NULL},

    {ngx_string("referral_redis"), NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     ngx_http_referral_sink_conf_redis, NGX_HTTP_MAIN_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_queue_size"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     ngx_http_referral_sink_conf_queue_size, NGX_HTTP_MAIN_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_queue_zone"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, ngx_conf_set_size_slot,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(ngx_http_referral_main_conf_t, queue_zone_size), NULL},

    {ngx_string("referral_spool"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12,
     ngx_http_referral_sink_conf_spool, NGX_HTTP_MAIN_CONF_OFFSET, 0, NULL},

    {ngx_string("referral_status"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS | NGX_CONF_TAKE1,
     ngx_http_referral_status, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},

    ngx_null_command};

static ngx_http_module_t ngx_http_referral_module_ctx = {
    ngx_http_referral_preconfiguration,   // preconfiguration
    ngx_http_referral_postconfiguration,  // postconfiguration

    ngx_http_referral_create_main_conf,  // create main configuration
    ngx_http_referral_init_main_conf,    // init main configuration

    ngx_http_referral_create_srv_conf,  // create server configuration
    ngx_http_referral_merge_srv_conf,   // merge server configuration

    ngx_http_referral_create_loc_conf,  // create location configuration
    ngx_http_referral_merge_loc_conf    // merge location configuration
};

ngx_module_t ngx_http_referral_module = {NGX_MODULE_V1,
                                         &ngx_http_referral_module_ctx,   // module context
                                         ngx_http_referral_commands,      // module directives
                                         NGX_HTTP_MODULE,                 // module type
                                         NULL,                            // init master
                                         NULL,                            // init module
                                         ngx_http_referral_init_process,  // init process
                                         NULL,                            // init thread
                                         NULL,                            // exit thread
                                         ngx_http_referral_exit_process,  // exit process
                                         NULL,                            // exit master
                                         NGX_MODULE_V1_PADDING};

static void *ngx_http_referral_create_srv_conf(ngx_conf_t *cf) {
    auto *conf = static_cast<ngx_http_referral_srv_conf_t *>(
        ngx_pcalloc(cf->pool, sizeof(ngx_http_referral_srv_conf_t)));
    if (conf == NULL) {
        return NULL;
    }

    // set by ngx_pcalloc():
    //     conf->secret_file = { 0, NULL };
    //     conf->keys = NULL;
    //     conf->cookie_name, cookie_domain, cookie_path, site = { 0, NULL };
    //     conf->cookie_* precomputed strings = { 0, NULL };

    conf->max_age = NGX_CONF_UNSET;
    conf->secure = NGX_CONF_UNSET;
    conf->httponly = NGX_CONF_UNSET;
    conf->samesite = NGX_CONF_UNSET_UINT;
    return conf;
}

static char *ngx_http_referral_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child) {
    auto *prev = static_cast<ngx_http_referral_srv_conf_t *>(parent);
    auto *conf = static_cast<ngx_http_referral_srv_conf_t *>(child);

    if (conf->keys == NULL) {
        conf->keys = prev->keys;
        conf->secret_file = prev->secret_file;
    }

    if (conf->site.data == NULL) {
        if (prev->site.data) {
            conf->site = prev->site;
        } else {
            auto *cscf = static_cast<ngx_http_core_srv_conf_t *>(
                ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module));
            if (cscf->server_names.nelts) {
                conf->site = static_cast<ngx_http_server_name_t *>(cscf->server_names.elts)[0].name;
            }
        }
    }

    return ngx_http_referral_merge_cookie(cf, prev, conf);
}

static void *ngx_http_referral_create_loc_conf(ngx_conf_t *cf) {
    auto *conf = static_cast<ngx_http_referral_loc_conf_t *>(
        ngx_pcalloc(cf->pool, sizeof(ngx_http_referral_loc_conf_t)));
    if (conf == NULL) {
        return NULL;
    }

    // set by ngx_pcalloc():
    //     conf->skip = NULL;
    //     conf->consent = NULL;
    //     conf->rules = NULL;
    //     conf->order_id = conf->amount = conf->currency = conf->customer = NULL;
    //     conf->coupon = NULL;
    //     conf->trust_request = 0;
    //     conf->signup_customer = NULL;
    //     conf->signup_trust_request = 0;

    conf->enable = NGX_CONF_UNSET;
    conf->params = static_cast<ngx_array_t *>(NGX_CONF_UNSET_PTR);
    conf->code_max_length = NGX_CONF_UNSET_UINT;
    conf->attribution = NGX_CONF_UNSET_UINT;
    conf->utm = NGX_CONF_UNSET;
    conf->redirect = NGX_CONF_UNSET;
    conf->skip_bots = NGX_CONF_UNSET;
    conf->conversion = NGX_CONF_UNSET;
    conf->signup = NGX_CONF_UNSET;
    conf->statuses = static_cast<ngx_array_t *>(NGX_CONF_UNSET_PTR);
    return conf;
}

static char *ngx_http_referral_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child) {
    auto *prev = static_cast<ngx_http_referral_loc_conf_t *>(parent);
    auto *conf = static_cast<ngx_http_referral_loc_conf_t *>(child);

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_ptr_value(conf->params, prev->params, NULL);
    ngx_conf_merge_uint_value(conf->code_max_length, prev->code_max_length, 64);
    ngx_conf_merge_uint_value(conf->attribution, prev->attribution,
                              static_cast<ngx_uint_t>(NGX_HTTP_REFERRAL_LAST));
    ngx_conf_merge_value(conf->utm, prev->utm, 1);
    ngx_conf_merge_value(conf->redirect, prev->redirect, 0);
    ngx_conf_merge_value(conf->skip_bots, prev->skip_bots, 1);
    if (conf->skip == NULL) {
        conf->skip = prev->skip;
    }
    if (conf->consent == NULL) {
        conf->consent = prev->consent;
    }

    if (ngx_http_referral_merge_conversion(cf, prev, conf) != NGX_CONF_OK ||
        ngx_http_referral_merge_signup(cf, prev, conf) != NGX_CONF_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (conf->enable || conf->conversion || conf->signup) {
        const char *directive = conf->enable       ? "referral"
                                : conf->conversion ? "referral_conversion"
                                                   : "referral_signup";
        auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(
            ngx_http_conf_get_module_main_conf(cf, ngx_http_referral_module));
        rmcf->events_made = 1;

        auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(
            ngx_http_conf_get_module_srv_conf(cf, ngx_http_referral_module));
        if (rscf->keys == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%s\" is on but no \"referral_secret_file\" is set for "
                               "this server: add one at the http or server level",
                               directive);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        if (rmcf->events_keys == NULL) {
            rmcf->events_keys = rscf->keys;
        }
        if (rscf->site.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%s\" is on but the server has no name: set "
                               "\"referral_site\" or \"server_name\"",
                               directive);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }

    // The capture rules depend on three directives; a location that sets none of them shares
    // its parent's compiled rules.
    if (prev->rules && conf->params == prev->params &&
        conf->code_max_length == prev->code_max_length && conf->utm == prev->utm) {
        conf->rules = prev->rules;
        return NGX_CONF_OK;
    }

    return ngx_http_referral_guard(
        cf->log, "merging the location configuration", static_cast<char *>(NGX_CONF_ERROR),
        [cf, conf]() -> char * {
            auto *rules = ngx_http_referral_pool_owned(cf->pool, new referral::CaptureRules());
            if (rules == NULL) {
                return static_cast<char *>(NGX_CONF_ERROR);
            }
            if (conf->params) {
                auto *names = static_cast<ngx_str_t *>(conf->params->elts);
                for (ngx_uint_t i = 0; i < conf->params->nelts; i++) {
                    rules->params.emplace_back(ngx_http_referral_view(names[i]));
                }
            } else {
                rules->params.emplace_back("ref");
            }
            rules->max_code_length = conf->code_max_length;
            rules->utm = conf->utm;
            conf->rules = rules;
            return NGX_CONF_OK;
        });
}

static char *ngx_http_referral_param(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(conf);

    if (rlcf->params != NGX_CONF_UNSET_PTR) {
        return const_cast<char *>("is duplicate");
    }

    rlcf->params = ngx_array_create(cf->pool, cf->args->nelts - 1, sizeof(ngx_str_t));
    if (rlcf->params == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    auto *value = static_cast<ngx_str_t *>(cf->args->elts);
    for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
        if (value[i].len == 0) {
            return const_cast<char *>("has an empty parameter name");
        }
        for (size_t j = 0; j < value[i].len; j++) {
            u_char ch = value[i].data[j];
            if (ch == '&' || ch == '=' || ch == '%' || ch == '+' || ch == '#' || ch <= ' ') {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid parameter name \"%V\" in \"%V\": a query arg name "
                                   "cannot contain '&', '=', '%%', '+', '#' or spaces",
                                   &value[i], &cmd->name);
                return static_cast<char *>(NGX_CONF_ERROR);
            }
        }
        auto *name = static_cast<ngx_str_t *>(ngx_array_push(rlcf->params));
        if (name == NULL) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        name->len = value[i].len;
        name->data = static_cast<u_char *>(ngx_pnalloc(cf->pool, name->len));
        if (name->data == NULL) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        ngx_strlow(name->data, value[i].data, name->len);
    }
    return NGX_CONF_OK;
}

static char *ngx_http_referral_code_max_length(ngx_conf_t *cf, void *post, void *data) {
    (void)cf;
    (void)post;
    ngx_uint_t *n = static_cast<ngx_uint_t *>(data);
    if (*n < 1 || *n > referral::kMaxCodeLength) {
        return const_cast<char *>("must be between 1 and 128");
    }
    return NGX_CONF_OK;
}

// Not ngx_conf_set_enum_slot: its error does not name the directive.
static char *ngx_http_referral_attribution(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    (void)cmd;
    auto *rlcf = static_cast<ngx_http_referral_loc_conf_t *>(conf);
    if (rlcf->attribution != NGX_CONF_UNSET_UINT) {
        return const_cast<char *>("is duplicate");
    }
    ngx_str_t *value = static_cast<ngx_str_t *>(cf->args->elts);
    if (ngx_strcmp(value[1].data, "first") == 0) {
        rlcf->attribution = NGX_HTTP_REFERRAL_FIRST;
    } else if (ngx_strcmp(value[1].data, "last") == 0) {
        rlcf->attribution = NGX_HTTP_REFERRAL_LAST;
    } else {
        return const_cast<char *>("must be \"first\" or \"last\"");
    }
    return NGX_CONF_OK;
}

static ngx_int_t ngx_http_referral_preconfiguration(ngx_conf_t *cf) {
    return ngx_http_referral_add_variables(cf);
}

static ngx_int_t ngx_http_referral_postconfiguration(ngx_conf_t *cf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(
        ngx_http_conf_get_module_main_conf(cf, ngx_http_referral_module));
    if (rmcf->events_made && rmcf->redis_name.len == 0) {
        ngx_conf_log_error(
            NGX_LOG_WARN, cf, 0,
            "\"referral\", \"referral_conversion\" or \"referral_signup\" is on without "
            "\"referral_redis\": their events will be counted as dropped");
    }
    if (ngx_http_referral_sink_conf_check_spool(cf) != NGX_OK) {
        return NGX_ERROR;
    }
    if (ngx_http_referral_add_counters_zone(cf) != NGX_OK) {
        return NGX_ERROR;
    }
    if (rmcf->redis_name.len &&
        ngx_http_referral_add_queue_zone(cf, rmcf->queue_zone_size) != NGX_OK) {
        return NGX_ERROR;
    }
    if (ngx_http_referral_init_handler(cf) != NGX_OK) {
        return NGX_ERROR;
    }
    return ngx_http_referral_init_filter(cf);
}

static ngx_int_t ngx_http_referral_init_process(ngx_cycle_t *cycle) {
    // Workers are forked from the master: each draws its own random bytes.
    ngx_http_referral_random_reset();
    return ngx_http_referral_guard(cycle->log, "starting the worker", NGX_ERROR,
                                   [cycle] { return ngx_http_referral_sink_init_process(cycle); });
}

static void ngx_http_referral_exit_process(ngx_cycle_t *cycle) {
    ngx_http_referral_guard(cycle->log, "exiting the worker",
                            [cycle] { ngx_http_referral_sink_exit_process(cycle); });
}
