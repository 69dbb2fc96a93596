// The spool's provenance starts with its directory: whoever can write it could plant files for
// the workers to replay (each record is MACed too, but a directory anyone writes is a mistake to
// report, not to survive), and a directory the workers cannot write loses every event sent to
// it. Both fail `nginx -t` and a reload, naming referral_spool (docs/design.md#spool-format).

#include "ngx_http_referral_sink_conf.h"

#include <grp.h>
#include <pwd.h>

#include <string>
#include <vector>

// The user and groups the workers will run as: the `user` directive's when the master is root
// (nginx's default user when it is not given before http{}), the master's own otherwise.
struct ngx_http_referral_worker_user_t {
    uid_t uid;
    std::vector<gid_t> groups;
};

static bool ngx_http_referral_worker_user(ngx_conf_t *cf, ngx_http_referral_worker_user_t *u) {
    if (geteuid() != 0) {
        u->uid = geteuid();
        u->groups.push_back(getegid());
        int n = getgroups(0, NULL);
        if (n > 0) {
            size_t have = u->groups.size();
            u->groups.resize(have + n);
            n = getgroups(n, u->groups.data() + have);
            u->groups.resize(have + (n > 0 ? n : 0));
        }
        return true;
    }
    auto *ccf =
        reinterpret_cast<ngx_core_conf_t *>(ngx_get_conf(cf->cycle->conf_ctx, ngx_core_module));
    const char *name = ccf->user != (ngx_uid_t)NGX_CONF_UNSET_UINT ? ccf->username : NGX_USER;
    struct passwd *pw = getpwnam(name);
    if (pw == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"referral_spool\": cannot look up the worker user \"%s\"", name);
        return false;
    }
    u->uid = pw->pw_uid;
    gid_t gid = ccf->user != (ngx_uid_t)NGX_CONF_UNSET_UINT ? ccf->group : pw->pw_gid;
    int n = 32;
    u->groups.resize(n);
    if (getgrouplist(name, gid, u->groups.data(), &n) == -1) {
        u->groups.resize(n);
        getgrouplist(name, gid, u->groups.data(), &n);
    }
    u->groups.resize(n);
    return true;
}

// Whether the worker user has all of `want` (a mask of S_IRWXO bits) on a file with this
// status, as the kernel decides for an unprivileged process.
static bool ngx_http_referral_permits(const ngx_http_referral_worker_user_t &u,
                                      const struct stat &st, mode_t want) {
    if (u.uid == 0) {
        return true;
    }
    if (st.st_uid == u.uid) {
        return (st.st_mode & (want << 6)) == (want << 6);
    }
    for (gid_t g : u.groups) {
        if (g == st.st_gid) {
            return (st.st_mode & (want << 3)) == (want << 3);
        }
    }
    return (st.st_mode & want) == want;
}

ngx_int_t ngx_http_referral_sink_conf_check_spool(ngx_conf_t *cf) {
    auto *rmcf = static_cast<ngx_http_referral_main_conf_t *>(
        ngx_http_conf_get_module_main_conf(cf, ngx_http_referral_module));
    if (rmcf->spool == NULL) {
        return NGX_OK;
    }
    auto *http_level = static_cast<ngx_http_referral_srv_conf_t *>(
        ngx_http_conf_get_module_srv_conf(cf, ngx_http_referral_module));
    rmcf->spool_keys = http_level->keys ? http_level->keys : rmcf->events_keys;
    if (rmcf->spool_keys == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"referral_spool\" needs a \"referral_secret_file\": spool records "
                           "are authenticated with its keys");
        return NGX_ERROR;
    }

    ngx_http_referral_worker_user_t user;
    if (!ngx_http_referral_worker_user(cf, &user)) {
        return NGX_ERROR;
    }
    std::string dir(reinterpret_cast<char *>(rmcf->spool->name.data), rmcf->spool->name.len);
    struct stat st;
    if (stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"referral_spool\" \"%s\" is not a directory",
                               dir.c_str());
            return NGX_ERROR;
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"referral_spool\" \"%s\" is writable by group or others: "
                               "chmod 700 it",
                               dir.c_str());
            return NGX_ERROR;
        }
        // A root master gives the directory to the worker user itself (as for proxy_temp_path).
        if (geteuid() != 0 && st.st_uid != user.uid) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"referral_spool\" \"%s\" is owned by uid %d, not by the worker "
                               "user (uid %d)",
                               dir.c_str(), static_cast<int>(st.st_uid),
                               static_cast<int>(user.uid));
            return NGX_ERROR;
        }
        if (geteuid() != 0 && !ngx_http_referral_permits(user, st, S_IRWXO)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"referral_spool\" \"%s\" is not readable, writable and "
                               "searchable by the worker user: chmod 700 it",
                               dir.c_str());
            return NGX_ERROR;
        }
    } else if (ngx_errno != NGX_ENOENT) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"referral_spool\" cannot stat \"%s\"",
                           dir.c_str());
        return NGX_ERROR;
    }
    // Missing, nginx creates it (mode 0700, owned by the worker user); either way the workers
    // must be able to reach it.
    for (size_t slash = dir.rfind('/'); slash != std::string::npos && slash > 0;
         slash = dir.rfind('/', slash - 1)) {
        std::string parent = dir.substr(0, slash);
        if (stat(parent.c_str(), &st) == 0 && !ngx_http_referral_permits(user, st, S_IXOTH)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"referral_spool\" \"%s\" cannot be reached by the worker user "
                               "(uid %d): it may not search \"%s\"",
                               dir.c_str(), static_cast<int>(user.uid), parent.c_str());
            return NGX_ERROR;
        }
    }
    return NGX_OK;
}
