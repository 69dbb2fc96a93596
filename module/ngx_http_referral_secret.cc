// referral_secret_file: the key ring is read once at configuration time, so a missing or bad
// file fails `nginx -t` and requests never touch the file.

#include "ngx_http_referral.h"

#include <openssl/crypto.h>

#include <memory>
#include <string>

char *ngx_http_referral_secret_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    auto *rscf = static_cast<ngx_http_referral_srv_conf_t *>(conf);

    if (rscf->keys) {
        return const_cast<char *>("is duplicate");
    }

    ngx_str_t *value = static_cast<ngx_str_t *>(cf->args->elts);
    ngx_str_t path = value[1];
    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    ngx_file_t file{};
    file.name = path;
    file.log = cf->log;
    file.fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"%V\" cannot open \"%V\"", &cmd->name,
                           &path);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    ngx_file_info_t fi;
    char *rv = static_cast<char *>(NGX_CONF_ERROR);
    std::string text;
    try {
        if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"%V\" cannot stat \"%V\"",
                               &cmd->name, &path);
        } else if (fi.st_mode & (S_IWGRP | S_IWOTH)) {
            // Whoever can write the ring can mint cookies and spool records.
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is writable by group or others: chmod 600",
                               &cmd->name, &path);
        } else if (ngx_file_size(&fi) > 64 * 1024) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\" is larger than 64k",
                               &cmd->name, &path);
        } else {
            text.resize(ngx_file_size(&fi));
            ssize_t n =
                ngx_read_file(&file, reinterpret_cast<u_char *>(text.data()), text.size(), 0);
            if (n != static_cast<ssize_t>(text.size())) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"%V\" cannot read \"%V\"",
                                   &cmd->name, &path);
            } else {
                std::string error;
                std::unique_ptr<referral::Keyring> keys = referral::Keyring::parse(text, &error);
                if (!keys) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": invalid key file \"%V\": %s",
                                       &cmd->name, &path, error.c_str());
                } else if ((rscf->keys = ngx_http_referral_pool_owned(cf->pool, keys.release()))) {
                    if (fi.st_mode & (S_IRGRP | S_IROTH)) {
                        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                                           "\"%V\": \"%V\" is readable by group or others; "
                                           "only the master process needs to read it: chmod 600",
                                           &cmd->name, &path);
                    }
                    rscf->secret_file = path;
                    rv = NGX_CONF_OK;
                }
            }
        }
    } catch (const std::exception &e) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s", &cmd->name, e.what());
    }

    // The text held the keys: leave no copy behind in freed heap memory.
    OPENSSL_cleanse(text.data(), text.size());
    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno, ngx_close_file_n " \"%V\" failed", &path);
    }
    return rv;
}
