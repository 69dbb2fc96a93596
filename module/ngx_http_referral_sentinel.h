// Where the master is, asked of the Sentinels of `referral_redis sentinel=... master=NAME` over
// one peer connection at a time, driven by nginx's event loop: SENTINEL get-master-addr-by-name,
// each Sentinel in turn until one knows (docs/operations.md, "Redis that fails over").
#pragma once

#include "ngx_http_referral_sink_conf.h"

#include <hiredis/hiredis.h>

#include <string>
#include <string_view>

// A node address as Redis replies give it (an IP, never a name: nothing is resolved at run
// time) and a port, into *sa; false when it is not an IP.
bool ngx_http_referral_node_addr(std::string_view ip, in_port_t port, struct sockaddr_storage *sa,
                                 socklen_t *len);

class ngx_http_referral_sentinel_owner_t {
  public:
    virtual void master_found(const struct sockaddr *sa, socklen_t len) = 0;
    // No Sentinel gave an address; why: the last one's reason.
    virtual void master_unknown(const char *why) = 0;

  protected:
    ~ngx_http_referral_sentinel_owner_t() = default;
};

class ngx_http_referral_sentinel_t {
  public:
    ngx_http_referral_sentinel_t(ngx_http_referral_main_conf_t *conf, ngx_log_t *log,
                                 ngx_http_referral_sentinel_owner_t *owner);
    ~ngx_http_referral_sentinel_t();
    ngx_http_referral_sentinel_t(const ngx_http_referral_sentinel_t &) = delete;
    ngx_http_referral_sentinel_t &operator=(const ngx_http_referral_sentinel_t &) = delete;

    // Starts with the Sentinel that answered last; the owner hears back once.
    void ask();
    void cancel();

    // Event handlers.
    void on_write();
    void on_read();

  private:
    void start();
    void send();
    void next(const char *why);
    void close();

    ngx_http_referral_main_conf_t *conf_;
    ngx_log_t *log_;
    ngx_http_referral_sentinel_owner_t *owner_;
    ngx_peer_connection_t peer_;
    redisReader *reader_ = nullptr;
    bool connecting_ = false;
    std::string out_;
    ngx_uint_t current_ = 0;  // index into conf_->redis_sentinels
    ngx_uint_t tried_ = 0;
};
