#include "ngx_http_referral_redis.h"

#include <poll.h>

#include <algorithm>
#include <new>
#include <optional>
#include <string_view>

#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_guard.h"
#include "event.h"
#include "redis_address.h"
#include "resp.h"

// Replies come back in order, so the pipeline's depth only bounds how many events a lost
// connection sends again; room for two of the sink's batches keeps Redis busy.
static const size_t ngx_http_referral_redis_pipeline = 1024;
static const time_t ngx_http_referral_redis_log_interval = 10;

static void ngx_http_referral_redis_read_handler(ngx_event_t *rev);
static void ngx_http_referral_redis_write_handler(ngx_event_t *wev);
static void ngx_http_referral_redis_reconnect_handler(ngx_event_t *ev);

ngx_http_referral_redis_t::ngx_http_referral_redis_t(ngx_http_referral_main_conf_t *conf,
                                                     ngx_log_t *log,
                                                     ngx_http_referral_redis_owner_t *owner)
    : conf_(conf), log_(*log), main_log_(log), owner_(owner), sentinel_(conf, &log_, this) {
    // nginx logs every failed connect() and recv() at error level; this worker reports them
    // itself, at most every few seconds, so an outage does not flood the log.
    if (log_.log_level < NGX_LOG_DEBUG) {
        log_.log_level = std::min<ngx_uint_t>(log_.log_level, NGX_LOG_CRIT);
    }
    ngx_memzero(&peer_, sizeof(peer_));
    ngx_memzero(&reconnect_, sizeof(reconnect_));
    reconnect_.handler = ngx_http_referral_redis_reconnect_handler;
    reconnect_.data = this;
    reconnect_.log = main_log_;
    reconnect_.cancelable = 1;
}

ngx_http_referral_redis_t::~ngx_http_referral_redis_t() {
    if (reconnect_.timer_set) {
        ngx_del_timer(&reconnect_);
    }
    if (peer_.connection) {
        ngx_close_connection(peer_.connection);
    }
    if (reader_) {
        redisReaderFree(reader_);
    }
}

bool ngx_http_referral_redis_t::log_now() {
    if (ngx_time() - logged_ < ngx_http_referral_redis_log_interval) {
        unlogged_++;
        return false;
    }
    logged_ = ngx_time();
    return true;
}

// " (N more errors since the last report)" when some were not logged; resets the count.
u_char *ngx_http_referral_redis_t::unlogged_suffix(u_char *buf) {
    u_char *end = buf;
    if (unlogged_) {
        end = ngx_sprintf(buf, " (%ui more errors since the last report)", unlogged_);
        unlogged_ = 0;
    }
    return end;
}

void ngx_http_referral_redis_t::connect() {
    if (stopped_ || state_ != state_e::idle) {
        return;
    }
    if (conf_->redis_sentinels && !target_set_) {
        state_ = state_e::asking;
        sentinel_.ask();
        return;
    }

    ngx_memzero(&peer_, sizeof(peer_));
    if (target_set_) {
        peer_.sockaddr = reinterpret_cast<struct sockaddr *>(&target_sa_);
        peer_.socklen = target_socklen_;
        peer_.name = &target_name_;
    } else {
        peer_.sockaddr = conf_->redis_sockaddr;
        peer_.socklen = conf_->redis_socklen;
        peer_.name = &conf_->redis_name;
    }
    peer_.get = ngx_event_get_peer;
    peer_.log = &log_;
    peer_.log_error = NGX_ERROR_ERR;

    ngx_int_t rc = ngx_event_connect_peer(&peer_);
    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        ngx_err_t err = ngx_socket_errno;
        peer_.connection = NULL;
        fail("connect() failed", err);
        return;
    }

    ngx_connection_t *c = peer_.connection;
    c->data = this;
    c->read->handler = ngx_http_referral_redis_read_handler;
    c->write->handler = ngx_http_referral_redis_write_handler;

    if (rc == NGX_AGAIN) {
        state_ = state_e::connecting;
        c->write->cancelable = 1;
        ngx_add_timer(c->write, conf_->redis_timeout);
        return;
    }
    connected();
}

void ngx_http_referral_redis_t::master_found(const struct sockaddr *sa, socklen_t len) {
    ngx_memcpy(&target_sa_, sa, len);
    target_socklen_ = len;
    target_name_.data = target_text_;
    target_name_.len = ngx_sock_ntop(reinterpret_cast<struct sockaddr *>(&target_sa_), len,
                                     target_text_, sizeof(target_text_), 1);
    target_set_ = true;
    asking_ = false;
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, main_log_, 0,
                   "referral: the Sentinels name %V as master \"%V\"", &target_name_,
                   &conf_->redis_master);
    state_ = state_e::idle;
    connect();
}

void ngx_http_referral_redis_t::master_unknown(const char *why) {
    state_ = state_e::idle;
    fail("no Sentinel gives the master's address", 0, why);
}

void ngx_http_referral_redis_t::connected() {
    ngx_connection_t *c = peer_.connection;
    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }
    reader_ = redisReaderCreate();
    if (reader_ == NULL) {
        throw std::bad_alloc();
    }
    state_ = state_e::handshake;
    handshake();
}

// AUTH and SELECT as configured, then PING: events are sent only after the PING's answer, so a
// Redis that accepts connections but does not answer (stopped, loading) is not sent the
// same events again on every reconnect.
void ngx_http_referral_redis_t::handshake() {
    auto add = [this](command_e what, std::initializer_list<ngx_str_t> args) {
        argv_.clear();
        for (const ngx_str_t &a : args) {
            argv_.emplace_back(reinterpret_cast<const char *>(a.data), a.len);
        }
        referral::resp::append_command(&out_, argv_.data(), argv_.size());
        expected_.push_back(what);
    };

    if (conf_->redis_password.len && conf_->redis_user.len) {
        add(command_e::auth, {ngx_string("AUTH"), conf_->redis_user, conf_->redis_password});
    } else if (conf_->redis_password.len) {
        add(command_e::auth, {ngx_string("AUTH"), conf_->redis_password});
    }
    if (conf_->redis_db != NGX_CONF_UNSET) {
        u_char db[NGX_INT_T_LEN];
        ngx_str_t s = {static_cast<size_t>(ngx_sprintf(db, "%i", conf_->redis_db) - db), db};
        add(command_e::select, {ngx_string("SELECT"), s});
    }
    if (conf_->redis_sentinels) {
        // The Sentinels' answer may predate a failover: a replica would refuse every XADD.
        add(command_e::role, {ngx_string("ROLE")});
    }
    add(command_e::ping, {ngx_string("PING")});
    flush();
}

size_t ngx_http_referral_redis_t::room() const {
    return ready() ? ngx_http_referral_redis_pipeline -
                         std::min(unanswered(), ngx_http_referral_redis_pipeline)
                   : 0;
}

bool ngx_http_referral_redis_t::send(ngx_http_referral_event_t &event) {
    if (!referral::decode_event(event.record, &fields_) || fields_.empty()) {
        return false;
    }
    if (asking_) {
        // The slot is being migrated to this node: it serves the key for this command only.
        std::string_view asking = "ASKING";
        referral::resp::append_command(&out_, &asking, 1);
        expected_.push_back(command_e::asking);
    }
    referral::resp::append_command(
        &out_,
        {"XADD",
         {reinterpret_cast<const char *>(conf_->redis_stream.data), conf_->redis_stream.len},
         "*"},
        fields_);
    expected_.push_back(command_e::xadd);
    unwaited_++;
    sent_.push_back(std::move(event));
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_sent);
    return true;
}

void ngx_http_referral_redis_t::flush() {
    ngx_connection_t *c = peer_.connection;
    if (c && unwaited_ && conf_->redis_replicas) {
        // Acknowledged only once replicas have them: a failover promotes one of those, and an
        // event only the old master had would be lost with it. The wait is shorter than the
        // reply timeout, so a missing replica shows as a short count, not as a dead master.
        u_char n[NGX_INT_T_LEN], ms[NGX_INT_T_LEN];
        argv_.assign(
            {"WAIT",
             {reinterpret_cast<const char *>(n),
              static_cast<size_t>(ngx_sprintf(n, "%ui", conf_->redis_replicas) - n)},
             {reinterpret_cast<const char *>(ms),
              static_cast<size_t>(
                  ngx_sprintf(ms, "%M", std::max<ngx_msec_t>(conf_->redis_timeout / 2, 1)) - ms)}});
        referral::resp::append_command(&out_, argv_.data(), argv_.size());
        expected_.push_back(command_e::wait);
        unwaited_ = 0;
    }
    if (c == NULL || out_pos_ == out_.size()) {
        return;
    }
    while (out_pos_ < out_.size()) {
        ssize_t n =
            c->send(c, reinterpret_cast<u_char *>(out_.data() + out_pos_), out_.size() - out_pos_);
        if (n == NGX_AGAIN) {
            break;
        }
        if (n == NGX_ERROR) {
            fail("send() failed", ngx_socket_errno);
            return;
        }
        out_pos_ += n;
    }
    if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
    } else if (out_pos_ > out_.size() / 2) {
        out_.erase(0, out_pos_);
        out_pos_ = 0;
    }
    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        fail("cannot wait for the socket", 0);
        return;
    }
    if (!c->read->timer_set) {
        arm_reply_timer();
    }
}

// While XADDs await replies the timer is not cancelable: a worker that is shutting down stays
// (at most one timeout) to hear which events Redis has, instead of spooling them again.
void ngx_http_referral_redis_t::arm_reply_timer() {
    ngx_event_t *rev = peer_.connection->read;
    rev->cancelable = unanswered() == 0 ? 1 : 0;
    ngx_add_timer(rev, conf_->redis_timeout);
}

void ngx_http_referral_redis_t::on_write() {
    ngx_connection_t *c = peer_.connection;
    if (state_ != state_e::connecting) {
        flush();
        return;
    }
    if (c->write->timedout) {
        fail("connect() timed out", NGX_ETIMEDOUT);
        return;
    }
    int err = 0;
    socklen_t len = sizeof(int);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) {
        err = ngx_socket_errno;
    }
    if (err) {
        fail("connect() failed", err);
        return;
    }
    connected();
}

void ngx_http_referral_redis_t::on_read() {
    ngx_connection_t *c = peer_.connection;
    if (state_ == state_e::connecting) {
        on_write();
        return;
    }
    if (c->close) {
        // worker_shutdown_timeout: nginx closes every connection of an exiting worker.
        disconnect();
        return;
    }
    if (c->read->timedout) {
        c->read->timedout = 0;
        fail("timed out waiting for a reply", NGX_ETIMEDOUT);
        return;
    }
    read_replies();
    if (state_ == state_e::ready) {
        owner_->writable();
    }
    if (stopped_ && unanswered() == 0) {
        disconnect();
    }
}

void ngx_http_referral_redis_t::read_replies() {
    ngx_connection_t *c = peer_.connection;
    char buf[16384];
    for (;;) {
        ssize_t n = c->recv(c, reinterpret_cast<u_char *>(buf), sizeof(buf));
        if (n == NGX_AGAIN) {
            break;
        }
        if (n == 0) {
            fail("Redis closed the connection", 0);
            return;
        }
        if (n == NGX_ERROR) {
            fail("recv() failed", ngx_socket_errno);
            return;
        }
        std::string_view in(buf, n);
        // Entry ids, the answer to nearly every XADD, are read here without hiredis' reply
        // objects (two allocations each); an error, another command's reply or a reply split
        // between reads goes through the reader, and until it has read all it was given.
        while (reader_->pos == reader_->len && reader_->ridx == -1 && !expected_.empty() &&
               expected_.front() == command_e::xadd) {
            size_t size = referral::resp::bulk_string_size(in);
            if (size == 0) {
                break;
            }
            in.remove_prefix(size);
            expected_.pop_front();
            added();
        }
        if (in.empty()) {
            continue;
        }
        if (redisReaderFeed(reader_, in.data(), in.size()) != REDIS_OK) {
            fail("cannot parse the reply", 0, reader_->errstr);
            return;
        }
        for (;;) {
            void *r = NULL;
            if (redisReaderGetReply(reader_, &r) != REDIS_OK) {
                fail("cannot parse the reply", 0, reader_->errstr);
                return;
            }
            if (r == NULL) {
                break;
            }
            bool alive = reply(static_cast<redisReply *>(r));
            freeReplyObject(r);
            if (!alive) {
                return;
            }
        }
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        fail("cannot wait for the socket", 0);
        return;
    }
    if (expected_.empty()) {
        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }
    } else {
        arm_reply_timer();
    }
}

// One reply, matched with the oldest command waiting. False when it closed the connection.
bool ngx_http_referral_redis_t::reply(redisReply *r) {
    if (expected_.empty()) {
        fail("unexpected reply", 0);
        return false;
    }
    command_e what = expected_.front();
    expected_.pop_front();
    bool error = r->type == REDIS_REPLY_ERROR;
    const char *text = error ? r->str : NULL;

    switch (what) {
        case command_e::auth:
        case command_e::select:
        case command_e::asking:
            if (error) {
                fail(what == command_e::auth     ? "AUTH refused"
                     : what == command_e::select ? "SELECT refused"
                                                 : "ASKING refused",
                     0, text);
                return false;
            }
            return true;
        case command_e::role:
            return role(r);
        case command_e::wait:
            return waited(r);
        case command_e::ping:
            if (error) {
                fail("PING refused", 0, text);
                return false;
            }
            state_ = state_e::ready;
            failing_ = false;
            // With replicas=, a master is known good once a WAIT succeeds: one without replicas
            // answers PING too, and reconnecting to it at once would only send events again.
            if (!redirects_ && !conf_->redis_replicas) {
                backoff_.reset();
            }
            ngx_http_referral_count(NGX_HTTP_REFERRAL_redis_connected);
            if (logged_) {
                ngx_log_error(NGX_LOG_NOTICE, main_log_, 0, "referral: connected to Redis \"%V\"",
                              &conf_->redis_name);
                logged_ = 0;
                unlogged_ = 0;
            }
            return true;
        case command_e::xadd:
            break;
    }

    if (error && (ngx_strncmp(text, "MOVED ", 6) == 0 || ngx_strncmp(text, "ASK ", 4) == 0)) {
        return redirect(r);  // the event goes again, to the node named
    }
    if (error && ngx_strncmp(text, "READONLY", 8) == 0) {
        // The master became a replica: all that follows would be refused too.
        fail("the master became a replica", 0, text);
        return false;
    }
    if (r->type == REDIS_REPLY_STRING) {
        added();
        return true;
    }
    // Anything but an entry id (an error such as OOM, NOAUTH, WRONGTYPE) leaves the event to be
    // sent again.
    ngx_http_referral_event_t event = std::move(sent_.front());
    sent_.pop_front();
    ngx_http_referral_count(NGX_HTTP_REFERRAL_redis_errors);
    if (log_now()) {
        u_char more[NGX_INT_T_LEN + 64];
        ngx_log_error(NGX_LOG_ERR, main_log_, 0,
                      "referral: Redis \"%V\" refused XADD to \"%V\": %s%*s, will retry",
                      &conf_->redis_name, &conf_->redis_stream, text ? text : "unexpected reply",
                      static_cast<size_t>(unlogged_suffix(more) - more), more);
    }
    owner_->replied(std::move(event), false);
    return true;
}

// The oldest XADD was answered with an entry id.
void ngx_http_referral_redis_t::added() {
    ngx_http_referral_event_t event = std::move(sent_.front());
    sent_.pop_front();
    redirects_ = 0;
    if (conf_->redis_replicas) {
        unconfirmed_.push_back(std::move(event));
        return;
    }
    owner_->replied(std::move(event), true);
}

bool ngx_http_referral_redis_t::role(redisReply *r) {
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
        r->element[0]->type != REDIS_REPLY_STRING ||
        std::string_view(r->element[0]->str, r->element[0]->len) != "master") {
        fail("not a master", 0, "the Sentinels' answer predates a failover");
        return false;
    }
    return true;
}

bool ngx_http_referral_redis_t::waited(redisReply *r) {
    if (r->type != REDIS_REPLY_INTEGER ||
        r->integer < static_cast<long long>(conf_->redis_replicas)) {
        // The master lost its replicas (a failover has begun) or they lag: the events go again,
        // to whichever master there is after asking anew.
        fail("too few replicas acknowledged the events (replicas=)", 0,
             r->type == REDIS_REPLY_ERROR ? r->str : NULL);
        return false;
    }
    if (!redirects_) {
        backoff_.reset();
    }
    std::deque<ngx_http_referral_event_t> confirmed;
    confirmed.swap(unconfirmed_);
    for (ngx_http_referral_event_t &event : confirmed) {
        owner_->replied(std::move(event), true);
    }
    return true;
}

// MOVED or ASK: the connection goes to the node named, at once; the XADDs not yet confirmed go
// again there. A redirection loop slows down to the reconnect backoff.
bool ngx_http_referral_redis_t::redirect(redisReply *r) {
    std::optional<referral::redis::Redirection> to =
        referral::redis::parse_redirection({r->str, r->len});
    struct sockaddr_storage sa;
    socklen_t len = 0;
    if (!to || !ngx_http_referral_node_addr(to->host, to->port, &sa, &len)) {
        fail("cannot follow the redirection (an IP:port is needed)", 0, r->str);
        return false;
    }
    bool asking = to->asking;
    ngx_log_error(NGX_LOG_NOTICE, main_log_, 0, "referral: Redis \"%V\": %s, following it",
                  &conf_->redis_name, r->str);
    disconnect();
    ngx_memcpy(&target_sa_, &sa, len);
    target_socklen_ = len;
    target_name_.data = target_text_;
    target_name_.len = ngx_sock_ntop(reinterpret_cast<struct sockaddr *>(&target_sa_), len,
                                     target_text_, sizeof(target_text_), 1);
    target_set_ = true;
    asking_ = asking;
    if (!stopped_) {
        ngx_add_timer(&reconnect_, redirects_++ < 3 ? 0 : backoff_.next());
    }
    return false;
}

void ngx_http_referral_redis_t::fail(const char *why, ngx_err_t err, const char *detail) {
    ngx_http_referral_count(NGX_HTTP_REFERRAL_redis_errors);
    if (log_now()) {
        u_char more[NGX_INT_T_LEN + 64];
        ngx_log_error(NGX_LOG_ERR, main_log_, err,
                      "referral: Redis \"%V\": %s%s%s%*s, retrying in %Mms", &conf_->redis_name,
                      why, detail ? ": " : "", detail ? detail : "",
                      static_cast<size_t>(unlogged_suffix(more) - more), more,
                      static_cast<ngx_msec_t>(backoff_.current()));
    }
    failing_ = true;
    disconnect();
    // The next attempt asks the Sentinels again, or goes back to the configured address.
    target_set_ = false;
    asking_ = false;
    if (!stopped_) {
        ngx_add_timer(&reconnect_, backoff_.next());
    }
}

void ngx_http_referral_redis_t::disconnect() {
    if (state_ == state_e::asking) {
        sentinel_.cancel();
    }
    if (peer_.connection) {
        if (state_ == state_e::ready) {
            ngx_http_referral_count(NGX_HTTP_REFERRAL_redis_connected, -1);
        }
        ngx_close_connection(peer_.connection);
        peer_.connection = NULL;
    }
    if (reader_) {
        redisReaderFree(reader_);
        reader_ = NULL;
    }
    state_ = state_e::idle;
    out_.clear();
    out_pos_ = 0;
    expected_.clear();
    unwaited_ = 0;
    // Sent first, they go first again.
    std::deque<ngx_http_referral_event_t> unanswered;
    unanswered.swap(unconfirmed_);
    unanswered.insert(unanswered.end(), std::make_move_iterator(sent_.begin()),
                      std::make_move_iterator(sent_.end()));
    sent_.clear();
    owner_->disconnected(std::move(unanswered));
}

void ngx_http_referral_redis_t::stop() {
    stopped_ = true;
    if (reconnect_.timer_set) {
        ngx_del_timer(&reconnect_);
    }
    if (unanswered() == 0) {
        disconnect();
    }
}

void ngx_http_referral_redis_t::drain(ngx_msec_t wait) {
    if (state_ != state_e::ready || unanswered() == 0) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = now.tv_sec * 1000 + now.tv_nsec / 1000000 + wait;

    while (peer_.connection && unanswered()) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = deadline - (now.tv_sec * 1000 + now.tv_nsec / 1000000);
        if (left <= 0) {
            break;
        }
        struct pollfd p = {peer_.connection->fd, POLLIN, 0};
        int rc = poll(&p, 1, static_cast<int>(left));
        if (rc == -1 && ngx_errno == NGX_EINTR) {
            continue;
        }
        if (rc <= 0) {
            break;
        }
        peer_.connection->read->ready = 1;
        read_replies();
    }
}

void ngx_http_referral_redis_t::on_reconnect() {
    connect();
}

static void ngx_http_referral_redis_read_handler(ngx_event_t *rev) {
    auto *c = static_cast<ngx_connection_t *>(rev->data);
    auto *redis = static_cast<ngx_http_referral_redis_t *>(c->data);
    ngx_http_referral_guard(rev->log, "reading from Redis", [redis] { redis->on_read(); });
}

static void ngx_http_referral_redis_write_handler(ngx_event_t *wev) {
    auto *c = static_cast<ngx_connection_t *>(wev->data);
    auto *redis = static_cast<ngx_http_referral_redis_t *>(c->data);
    ngx_http_referral_guard(wev->log, "writing to Redis", [redis] { redis->on_write(); });
}

static void ngx_http_referral_redis_reconnect_handler(ngx_event_t *ev) {
    auto *redis = static_cast<ngx_http_referral_redis_t *>(ev->data);
    ngx_http_referral_guard(ev->log, "connecting to Redis", [redis] { redis->on_reconnect(); });
}
