// referral_cookie: the cookie's name and attributes, turned into the fixed parts of the
// Set-Cookie value at configuration time.

#include "ngx_http_referral.h"

#include <cstring>

static const time_t ngx_http_referral_max_age_limit = 400 * 24 * 60 * 60;  // RFC 6265bis

static bool ngx_http_referral_cookie_name_valid(ngx_str_t *name) {
    // RFC 6265 token: no controls, spaces or separators.
    for (size_t i = 0; i < name->len; i++) {
        u_char ch = name->data[i];
        if (ch <= 0x20 || ch >= 0x7f || std::strchr("()<>@,;:\\\"/[]?={}", ch)) {
            return false;
        }
    }
    return name->len > 0;
}

static bool ngx_http_referral_attr_value_valid(ngx_str_t *v) {
    for (size_t i = 0; i < v->len; i++) {
        if (v->data[i] <= 0x20 || v->data[i] >= 0x7f || v->data[i] == ';') {
            return false;
        }
    }
    return v->len > 0;
}

char *ngx_http_referral_cookie(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(conf);

    if (rscf->cookie_name.data) {
        return const_cast<char *>("is duplicate");
    }

    ngx_str_t *value = static_cast<ngx_str_t *>(cf->args->elts);
    if (!ngx_http_referral_cookie_name_valid(&value[1])) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid cookie name \"%V\" in \"%V\"", &value[1],
                           &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    rscf->cookie_name = value[1];
    rscf->cookie_file = cf->conf_file->file.name.data;
    rscf->cookie_line = cf->conf_file->line;

    for (ngx_uint_t i = 2; i < cf->args->nelts; i++) {
        ngx_str_t v = value[i];

        if (v.len > 7 && ngx_strncmp(v.data, "domain=", 7) == 0) {
            rscf->cookie_domain = {v.len - 7, v.data + 7};
            if (!ngx_http_referral_attr_value_valid(&rscf->cookie_domain)) {
                goto invalid;
            }
        } else if (v.len > 5 && ngx_strncmp(v.data, "path=", 5) == 0) {
            rscf->cookie_path = {v.len - 5, v.data + 5};
            if (!ngx_http_referral_attr_value_valid(&rscf->cookie_path) ||
                rscf->cookie_path.data[0] != '/') {
                goto invalid;
            }
        } else if (v.len > 8 && ngx_strncmp(v.data, "max_age=", 8) == 0) {
            ngx_str_t t = {v.len - 8, v.data + 8};
            time_t max_age = ngx_parse_time(&t, 1);
            if (max_age == static_cast<time_t>(NGX_ERROR) || max_age < 1) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid max_age \"%V\" in \"%V\": use a time such as 30d", &t,
                                   &cmd->name);
                return static_cast<char *>(NGX_CONF_ERROR);
            }
            if (max_age > ngx_http_referral_max_age_limit) {
                ngx_conf_log_error(
                    NGX_LOG_EMERG, cf, 0,
                    "max_age \"%V\" in \"%V\" is over 400d, the longest browsers keep", &t,
                    &cmd->name);
                return static_cast<char *>(NGX_CONF_ERROR);
            }
            rscf->max_age = max_age;
        } else if (ngx_strcmp(v.data, "secure") == 0) {
            rscf->secure = 1;
        } else if (ngx_strcmp(v.data, "httponly") == 0 || ngx_strcmp(v.data, "httponly=on") == 0) {
            rscf->httponly = 1;
        } else if (ngx_strcmp(v.data, "httponly=off") == 0) {
            rscf->httponly = 0;
        } else if (ngx_strcmp(v.data, "samesite=strict") == 0) {
            rscf->samesite = NGX_HTTP_REFERRAL_SAMESITE_STRICT;
        } else if (ngx_strcmp(v.data, "samesite=lax") == 0) {
            rscf->samesite = NGX_HTTP_REFERRAL_SAMESITE_LAX;
        } else if (ngx_strcmp(v.data, "samesite=none") == 0) {
            rscf->samesite = NGX_HTTP_REFERRAL_SAMESITE_NONE;
        } else {
            goto invalid;
        }
        continue;

    invalid:
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\" in \"%V\": expected domain=D, path=P, "
                           "max_age=TIME, secure, httponly[=on|off] or samesite=strict|lax|none",
                           &v, &cmd->name);
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    return NGX_CONF_OK;
}

static char *ngx_http_referral_cookie_error(ngx_conf_t *cf, ngx_http_referral_srv_conf_t *conf,
                                            const char *what) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"referral_cookie\" %V: %s in %s:%ui",
                  &conf->cookie_name, what, conf->cookie_file, conf->cookie_line);
    return static_cast<char *>(NGX_CONF_ERROR);
}

char *ngx_http_referral_merge_cookie(ngx_conf_t *cf, ngx_http_referral_srv_conf_t *prev,
                                     ngx_http_referral_srv_conf_t *conf) {
    if (conf->cookie_name.data == NULL) {
        conf->cookie_name = prev->cookie_name;
        conf->cookie_file = prev->cookie_file;
        conf->cookie_line = prev->cookie_line;
    }
    ngx_conf_merge_str_value(conf->cookie_name, prev->cookie_name, "ref");
    ngx_conf_merge_str_value(conf->cookie_domain, prev->cookie_domain, "");
    ngx_conf_merge_str_value(conf->cookie_path, prev->cookie_path, "/");
    ngx_conf_merge_sec_value(conf->max_age, prev->max_age, 30 * 24 * 60 * 60);
    ngx_conf_merge_value(conf->secure, prev->secure, 0);
    ngx_conf_merge_value(conf->httponly, prev->httponly, 1);
    ngx_conf_merge_uint_value(conf->samesite, prev->samesite,
                              static_cast<ngx_uint_t>(NGX_HTTP_REFERRAL_SAMESITE_LAX));

    if (conf->samesite == NGX_HTTP_REFERRAL_SAMESITE_NONE) {
        // Browsers drop SameSite=None cookies that are not Secure.
        conf->secure = 1;
    }

    static const ngx_str_t host_prefix = ngx_string("__Host-");
    static const ngx_str_t secure_prefix = ngx_string("__Secure-");
    if (conf->cookie_name.len >= host_prefix.len &&
        ngx_strncmp(conf->cookie_name.data, host_prefix.data, host_prefix.len) == 0) {
        // Browsers accept a __Host- cookie only when Secure, Path=/ and without Domain.
        if (conf->cookie_domain.len) {
            return ngx_http_referral_cookie_error(cf, conf,
                                                  "a __Host- cookie cannot have a domain");
        }
        if (conf->cookie_path.len != 1 || conf->cookie_path.data[0] != '/') {
            return ngx_http_referral_cookie_error(cf, conf, "a __Host- cookie needs path=/");
        }
        conf->secure = 1;
    } else if (conf->cookie_name.len >= secure_prefix.len &&
               ngx_strncmp(conf->cookie_name.data, secure_prefix.data, secure_prefix.len) == 0) {
        conf->secure = 1;
    }

    static const char *samesite[] = {"Lax", "Strict", "None"};

    // "; Path=P; Domain=D; Max-Age=N; Expires=" and "; Secure; HttpOnly; SameSite=X"
    size_t len = sizeof("; Path=") - 1 + conf->cookie_path.len +
                 (conf->cookie_domain.len ? sizeof("; Domain=") - 1 + conf->cookie_domain.len : 0) +
                 sizeof("; Max-Age=") - 1 + NGX_TIME_T_LEN + sizeof("; Expires=") - 1;
    u_char *p = static_cast<u_char *>(ngx_pnalloc(cf->pool, len));
    if (p == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    conf->cookie_attrs.data = p;
    p = ngx_sprintf(p, "; Path=%V", &conf->cookie_path);
    if (conf->cookie_domain.len) {
        p = ngx_sprintf(p, "; Domain=%V", &conf->cookie_domain);
    }
    u_char *max_age = p;
    p = ngx_sprintf(p, "; Max-Age=%T; Expires=", conf->max_age);
    conf->cookie_attrs.len = p - conf->cookie_attrs.data;

    len = sizeof("; Secure; HttpOnly; SameSite=Strict") - 1;
    p = static_cast<u_char *>(ngx_pnalloc(cf->pool, len));
    if (p == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    conf->cookie_flags.data = p;
    if (conf->secure) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }
    if (conf->httponly) {
        p = ngx_cpymem(p, "; HttpOnly", sizeof("; HttpOnly") - 1);
    }
    p = ngx_sprintf(p, "; SameSite=%s", samesite[conf->samesite]);
    conf->cookie_flags.len = p - conf->cookie_flags.data;

    conf->cookie_prefix.len = conf->cookie_name.len + 1;
    conf->cookie_prefix.data =
        static_cast<u_char *>(ngx_pnalloc(cf->pool, conf->cookie_prefix.len));
    if (conf->cookie_prefix.data == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    *ngx_cpymem(conf->cookie_prefix.data, conf->cookie_name.data, conf->cookie_name.len) = '=';

    // The deleting value: the same attributes, Max-Age=0 and an Expires in the past.
    static const char expired[] = "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:01 GMT";
    len = conf->cookie_prefix.len + (max_age - conf->cookie_attrs.data) + sizeof(expired) - 1 +
          conf->cookie_flags.len;
    p = static_cast<u_char *>(ngx_pnalloc(cf->pool, len));
    if (p == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }
    conf->cookie_expire.data = p;
    p = ngx_cpymem(p, conf->cookie_prefix.data, conf->cookie_prefix.len);
    p = ngx_cpymem(p, conf->cookie_attrs.data, max_age - conf->cookie_attrs.data);
    p = ngx_cpymem(p, expired, sizeof(expired) - 1);
    p = ngx_cpymem(p, conf->cookie_flags.data, conf->cookie_flags.len);
    conf->cookie_expire.len = p - conf->cookie_expire.data;

    return NGX_CONF_OK;
}
