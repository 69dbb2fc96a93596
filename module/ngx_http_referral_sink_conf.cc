// referral_redis, referral_queue_size and referral_spool: everything is checked and resolved
// here, at configuration time, so a worker never resolves names or reads the password file.

#include "ngx_http_referral_sink_conf.h"

#include "secret_file.h"

static const ngx_uint_t ngx_http_referral_default_queue_size = 10000;
// 30,000 to 60,000 events (256 or 512 bytes each in the slab): the default queues of a few
// workers.
static const size_t ngx_http_referral_default_queue_zone = 16 * 1024 * 1024;
// The owner table takes 24 KiB of it.
static const size_t ngx_http_referral_min_queue_zone = 128 * 1024;
static const ngx_msec_t ngx_http_referral_default_timeout = 1000;
static const off_t ngx_http_referral_default_spool_size = 1024 * 1024 * 1024;

void *ngx_http_referral_create_main_conf(ngx_conf_t *cf) {
    auto *conf = static_cast<ngx_http_referral_main_conf_t *>(
        ngx_pcalloc(cf->pool, sizeof(ngx_http_referral_main_conf_t)));
    if (conf == NULL) {
        return NULL;
    }

    // set by ngx_pcalloc():
    //     conf->redis_name, redis_user, redis_password, redis_stream = { 0, NULL };
    //     conf->redis_sockaddr = NULL;
    //     conf->redis_sentinels = NULL;
    //     conf->redis_master = { 0, NULL };
    //     conf->spool = NULL;
    //     conf->spool_keys, events_keys = NULL;

    conf->redis_db = NGX_CONF_UNSET;
    conf->redis_timeout = NGX_CONF_UNSET_MSEC;
    conf->redis_replicas = NGX_CONF_UNSET_UINT;
    conf->queue_size = NGX_CONF_UNSET_UINT;
    conf->queue_zone_size = NGX_CONF_UNSET_SIZE;
    conf->spool_max_size = NGX_CONF_UNSET;
    return conf;
}

char *ngx_http_referral_init_main_conf(ngx_conf_t *cf, void *conf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(conf);

    ngx_conf_init_msec_value(rmcf->redis_timeout, ngx_http_referral_default_timeout);
    ngx_conf_init_uint_value(rmcf->redis_replicas, rmcf->redis_sentinels ? 1 : 0);
    ngx_conf_init_uint_value(rmcf->queue_size, ngx_http_referral_default_queue_size);
    ngx_conf_init_size_value(rmcf->queue_zone_size, ngx_http_referral_default_queue_zone);
    if (rmcf->queue_zone_size < ngx_http_referral_min_queue_zone) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"referral_queue_zone\" of %uz bytes is too small: at least %uz",
                           rmcf->queue_zone_size, ngx_http_referral_min_queue_zone);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    if (rmcf->spool_max_size == NGX_CONF_UNSET) {
        rmcf->spool_max_size = ngx_http_referral_default_spool_size;
    }
    return NGX_CONF_OK;
}

ngx_http_referral_main_conf_t *ngx_http_referral_sink_conf(ngx_cycle_t *cycle) {
    return static_cast<ngx_http_referral_main_conf_t *>(
        ngx_http_cycle_get_module_main_conf(cycle, ngx_http_referral_module));
}

// The password on the first line of the file (referral::SecretFile); the file is read once,
// here.
static char *ngx_http_referral_read_password(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *out) {
    if (ngx_conf_full_name(cf->cycle, name, 1) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    referral::SecretFile file(reinterpret_cast<const char *>(name->data));
    switch (file.status()) {
        case referral::SecretFile::Status::ok:
            break;
        case referral::SecretFile::Status::cannot_open:
            ngx_conf_log_error(NGX_LOG_EMERG, cf, file.error(),
                               "cannot open the password_file \"%V\" of \"referral_redis\"", name);
            return static_cast<char *>(NGX_CONF_ERROR);
        case referral::SecretFile::Status::cannot_read:
            ngx_conf_log_error(NGX_LOG_EMERG, cf, file.error(),
                               "cannot read the password_file \"%V\" of \"referral_redis\"", name);
            return static_cast<char *>(NGX_CONF_ERROR);
        case referral::SecretFile::Status::too_long:
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the first line of the password_file \"%V\" of "
                               "\"referral_redis\" is longer than %uz bytes",
                               name, referral::SecretFile::kMaxLine);
            return static_cast<char *>(NGX_CONF_ERROR);
        case referral::SecretFile::Status::empty:
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the password_file \"%V\" of \"referral_redis\" is empty: put the "
                               "password on its first line",
                               name);
            return static_cast<char *>(NGX_CONF_ERROR);
    }

    std::string_view secret = file.secret();
    out->len = secret.size();
    out->data = static_cast<u_char *>(ngx_pnalloc(cf->pool, out->len));
    if (out->data == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    ngx_memcpy(out->data, secret.data(), out->len);
    return NGX_CONF_OK;
}

// The value of a name=value parameter; false when arg has another name.
static bool ngx_http_referral_sink_conf_value(ngx_str_t *arg, const char *name, ngx_str_t *value) {
    size_t len = ngx_strlen(name);
    if (arg->len < len || ngx_strncmp(arg->data, name, len) != 0) {
        return false;
    }
    value->data = arg->data + len;
    value->len = arg->len - len;
    return true;
}

// One name=value parameter of referral_redis; false when it is unknown or its value invalid.
static bool ngx_http_referral_sink_conf_redis_param(ngx_http_referral_main_conf_t *rmcf,
                                                    ngx_str_t *arg, ngx_str_t *prefix,
                                                    ngx_str_t *password_file) {
    ngx_str_t s;
    if (ngx_http_referral_sink_conf_value(arg, "db=", &s)) {
        rmcf->redis_db = ngx_atoi(s.data, s.len);
        return rmcf->redis_db != NGX_ERROR;
    }
    if (ngx_http_referral_sink_conf_value(arg, "user=", &s)) {
        rmcf->redis_user = s;
        return s.len != 0;
    }
    if (ngx_http_referral_sink_conf_value(arg, "password_file=", &s)) {
        *password_file = s;
        return s.len != 0;
    }
    if (ngx_http_referral_sink_conf_value(arg, "prefix=", &s)) {
        *prefix = s;
        return s.len != 0;
    }
    if (ngx_http_referral_sink_conf_value(arg, "timeout=", &s)) {
        ngx_int_t ms = ngx_parse_time(&s, 0);
        rmcf->redis_timeout = ms;
        return ms != NGX_ERROR && ms != 0;
    }
    if (ngx_http_referral_sink_conf_value(arg, "master=", &s)) {
        rmcf->redis_master = s;
        return s.len != 0;
    }
    if (ngx_http_referral_sink_conf_value(arg, "replicas=", &s)) {
        ngx_int_t n = ngx_atoi(s.data, s.len);
        rmcf->redis_replicas = n;
        return n != NGX_ERROR;
    }
    return false;
}

// The address of a Redis (default port 6379) or of a Sentinel (26379), resolved now: a worker
// never resolves names.
static bool ngx_http_referral_sink_conf_address(ngx_conf_t *cf, ngx_command_t *cmd, ngx_str_t *text,
                                                in_port_t default_port, ngx_addr_t *out) {
    ngx_url_t u;
    ngx_memzero(&u, sizeof(ngx_url_t));
    u.url = *text;
    u.default_port = default_port;
    u.no_resolve = 0;
    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s in \"%V\" of \"%V\"",
                           u.err ? u.err : "invalid address", &u.url, &cmd->name);
        return false;
    }
    if (u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" of \"%V\" resolves to no address", &u.url,
                           &cmd->name);
        return false;
    }
    if (u.naddrs > 1) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"%V\" of \"%V\" resolves to %ui addresses, only %V is used", &u.url,
                           &cmd->name, u.naddrs, &u.addrs[0].name);
    }
    *out = u.addrs[0];
    out->name = *text;
    return true;
}

// sentinel=host:port[,host:port...]
static bool ngx_http_referral_sink_conf_sentinels(ngx_conf_t *cf, ngx_command_t *cmd,
                                                  ngx_http_referral_main_conf_t *rmcf,
                                                  ngx_str_t *list) {
    rmcf->redis_sentinels = ngx_array_create(cf->pool, 3, sizeof(ngx_addr_t));
    if (rmcf->redis_sentinels == NULL) {
        return false;
    }
    u_char *p = list->data, *end = list->data + list->len;
    for (;;) {
        u_char *comma = static_cast<u_char *>(ngx_strlchr(p, end, ','));
        ngx_str_t one = {static_cast<size_t>((comma ? comma : end) - p), p};
        if (one.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty address in \"sentinel=%V\" of \"%V\"",
                               list, &cmd->name);
            return false;
        }
        auto *addr = static_cast<ngx_addr_t *>(ngx_array_push(rmcf->redis_sentinels));
        if (addr == NULL || !ngx_http_referral_sink_conf_address(cf, cmd, &one, 26379, addr)) {
            return false;
        }
        if (comma == NULL) {
            return true;
        }
        p = comma + 1;
    }
}

char *ngx_http_referral_sink_conf_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(conf);

    if (rmcf->redis_name.len) {
        return const_cast<char *>("is duplicate");
    }

    auto *value = static_cast<ngx_str_t *>(cf->args->elts);

    // Either an address or sentinel=, which comes first then.
    ngx_str_t sentinels = ngx_null_string;
    if (!ngx_http_referral_sink_conf_value(&value[1], "sentinel=", &sentinels)) {
        ngx_addr_t addr;
        if (!ngx_http_referral_sink_conf_address(cf, cmd, &value[1], 6379, &addr)) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        rmcf->redis_sockaddr = addr.sockaddr;
        rmcf->redis_socklen = addr.socklen;
    }
    rmcf->redis_name = value[1];

    ngx_str_t prefix = ngx_string("{referral}");
    ngx_str_t password_file = ngx_null_string;
    for (ngx_uint_t i = 2; i < cf->args->nelts; i++) {
        ngx_str_t v;
        if (ngx_http_referral_sink_conf_value(&value[i], "sentinel=", &v)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" takes an address or sentinel=, not both: sentinel= comes "
                               "first, in place of the address",
                               &cmd->name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        if (!ngx_http_referral_sink_conf_redis_param(rmcf, &value[i], &prefix, &password_file)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\": expected db=N, user=NAME, "
                               "password_file=PATH, prefix=PREFIX, timeout=TIME, master=NAME or "
                               "replicas=N",
                               &value[i], &cmd->name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }
    if (sentinels.data && rmcf->redis_master.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" has sentinel= but no master=: name the master the Sentinels "
                           "watch",
                           &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    if (sentinels.data == NULL && rmcf->redis_master.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" has master= but no sentinel=: master= names the master the "
                           "Sentinels are asked for",
                           &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    if (sentinels.data) {
        if (!ngx_http_referral_sink_conf_sentinels(cf, cmd, rmcf, &sentinels)) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
        // The logs name the master.
        rmcf->redis_name = rmcf->redis_master;
    }

    if (rmcf->redis_user.len && password_file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" has user= but no password_file=: Redis ACL users "
                           "authenticate with a password",
                           &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    if (password_file.len &&
        ngx_http_referral_read_password(cf, &password_file, &rmcf->redis_password) != NGX_CONF_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    rmcf->redis_stream.len = prefix.len + sizeof(":events") - 1;
    rmcf->redis_stream.data = static_cast<u_char *>(ngx_pnalloc(cf->pool, rmcf->redis_stream.len));
    if (rmcf->redis_stream.data == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    ngx_memcpy(ngx_cpymem(rmcf->redis_stream.data, prefix.data, prefix.len), ":events",
               sizeof(":events") - 1);
    return NGX_CONF_OK;
}

char *ngx_http_referral_sink_conf_queue_size(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(conf);

    if (rmcf->queue_size != NGX_CONF_UNSET_UINT) {
        return const_cast<char *>("is duplicate");
    }
    auto *value = static_cast<ngx_str_t *>(cf->args->elts);
    ngx_int_t n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR || n == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": expected a number of events > 0",
                           &value[1], &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    rmcf->queue_size = n;
    return NGX_CONF_OK;
}

char *ngx_http_referral_sink_conf_spool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(conf);

    if (rmcf->spool) {
        return const_cast<char *>("is duplicate");
    }
    auto *value = static_cast<ngx_str_t *>(cf->args->elts);

    if (cf->args->nelts == 3) {
        ngx_str_t s;
        if (!ngx_http_referral_sink_conf_value(&value[2], "max_size=", &s) ||
            (rmcf->spool_max_size = ngx_parse_offset(&s)) == NGX_ERROR ||
            rmcf->spool_max_size == 0) {
            ngx_conf_log_error(
                NGX_LOG_EMERG, cf, 0,
                "invalid parameter \"%V\" in \"%V\": expected max_size=SIZE, more than 0",
                &value[2], &cmd->name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }

    auto *path = static_cast<ngx_path_t *>(ngx_pcalloc(cf->pool, sizeof(ngx_path_t)));
    if (path == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    path->name = value[1];
    if (path->name.len > 1 && path->name.data[path->name.len - 1] == '/') {
        path->name.len--;
    }
    if (ngx_conf_full_name(cf->cycle, &path->name, 0) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    // Registered like proxy_temp_path: nginx creates the directory and gives it to the worker
    // user; the data tag keeps another module from sharing it.
    path->data = &ngx_http_referral_module;
    path->conf_file = cf->conf_file->file.name.data;
    path->line = cf->conf_file->line;
    if (ngx_add_path(cf, &path) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    rmcf->spool = path;
    return NGX_CONF_OK;
}
