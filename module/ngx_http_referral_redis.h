// One worker's connection to Redis, driven by nginx's event loop: a peer connection, nginx
// timers for connect/reply timeouts and reconnect backoff, commands built from argv
// (referral::resp), XADD's entry ids read straight from the received bytes and hiredis' reader
// for every other reply. Pipelines XADDs and reports each reply in order.
//
// Redis that fails over (docs/operations.md, "Redis that fails over"): with sentinel=, the
// master is asked of the Sentinels before each connection and its ROLE checked; a -READONLY
// reply, or a WAIT that too few replicas answer (replicas=), drops the connection and the
// Sentinels are asked again. On a Redis Cluster, MOVED and ASK replies move the connection to
// the node they name (ASK: with ASKING before each XADD) until it fails, when the configured
// address is tried again. Addresses in replies are IPs: nothing is resolved at run time.
#pragma once

#include "ngx_http_referral_sentinel.h"
#include "ngx_http_referral_sink.h"
#include "ngx_http_referral_sink_conf.h"

#include <hiredis/hiredis.h>

#include "delivery.h"
#include "event.h"

#include <deque>
#include <string>
#include <vector>

// What the connection tells its owner. Callbacks only move events around; the owner sends more
// from writable().
class ngx_http_referral_redis_owner_t {
  public:
    // Redis answered the event's XADD: with an entry id (ok) or with an error.
    virtual void replied(ngx_http_referral_event_t &&event, bool ok) = 0;
    // The connection is gone (failing() says whether by failure); events whose XADD was not
    // answered, in the order they were sent.
    virtual void disconnected(std::deque<ngx_http_referral_event_t> &&unanswered) = 0;
    // Ready for (more) events: send() then flush().
    virtual void writable() = 0;

  protected:
    ~ngx_http_referral_redis_owner_t() = default;
};

class ngx_http_referral_redis_t : private ngx_http_referral_sentinel_owner_t {
  public:
    ngx_http_referral_redis_t(ngx_http_referral_main_conf_t *conf, ngx_log_t *log,
                              ngx_http_referral_redis_owner_t *owner);
    ~ngx_http_referral_redis_t();
    ngx_http_referral_redis_t(const ngx_http_referral_redis_t &) = delete;
    ngx_http_referral_redis_t &operator=(const ngx_http_referral_redis_t &) = delete;

    void connect();
    // No more reconnects; closes the connection unless XADDs await replies.
    void stop();
    // Exit: waits (blocking, at most `wait`) for the replies of XADDs already sent.
    void drain(ngx_msec_t wait);
    void disconnect();

    bool ready() const { return state_ == state_e::ready; }
    // The last attempt failed and no connection is up: Redis is down, not just connecting.
    bool failing() const { return failing_; }
    // Sent and not yet acknowledged (by an entry id and, with replicas=, by WAIT).
    size_t unanswered() const { return sent_.size() + unconfirmed_.size(); }
    size_t room() const;
    // Moves the event into the pipeline (its XADD into the output); false, with the event left
    // as it was, when its record is malformed.
    bool send(ngx_http_referral_event_t &event);
    void flush();

    // Event handlers.
    void on_write();
    void on_read();
    void on_reconnect();

  private:
    enum class state_e { idle, asking, connecting, handshake, ready };
    enum class command_e { auth, select, role, ping, asking, xadd, wait };

    void master_found(const struct sockaddr *sa, socklen_t len) override;
    void master_unknown(const char *why) override;
    bool role(redisReply *r);
    bool waited(redisReply *r);
    bool redirect(redisReply *r);
    void connected();
    void handshake();
    void read_replies();
    bool reply(redisReply *r);
    void added();
    void fail(const char *why, ngx_err_t err, const char *detail = nullptr);
    void arm_reply_timer();
    bool log_now();
    u_char *unlogged_suffix(u_char *buf);

    ngx_http_referral_main_conf_t *conf_;
    ngx_log_t log_;  // a copy whose level quiets repeated connection errors
    ngx_log_t *main_log_;
    ngx_http_referral_redis_owner_t *owner_;

    state_e state_ = state_e::idle;
    bool stopped_ = false;
    bool failing_ = false;
    ngx_peer_connection_t peer_;
    redisReader *reader_ = nullptr;
    std::string out_;
    size_t out_pos_ = 0;
    std::deque<command_e> expected_;
    std::deque<ngx_http_referral_event_t> sent_;
    // replicas=: XADDs Redis answered, until a WAIT says enough replicas have them.
    std::deque<ngx_http_referral_event_t> unconfirmed_;
    size_t unwaited_ = 0;  // XADDs sent since the last WAIT

    // Where to connect, when not the configured address: the master the Sentinels named, or
    // the Cluster node a redirection named.
    ngx_http_referral_sentinel_t sentinel_;
    bool target_set_ = false;
    bool asking_ = false;  // the target came from ASK
    struct sockaddr_storage target_sa_;
    socklen_t target_socklen_ = 0;
    u_char target_text_[NGX_SOCKADDR_STRLEN];
    ngx_str_t target_name_ = ngx_null_string;
    ngx_uint_t redirects_ = 0;  // since an XADD last succeeded

    ngx_event_t reconnect_;
    referral::delivery::Backoff backoff_;
    time_t logged_ = 0;
    ngx_uint_t unlogged_ = 0;

    // Reused for every command.
    referral::EventFields fields_;
    std::vector<std::string_view> argv_;
};
