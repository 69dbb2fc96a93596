#include "ngx_http_referral_sentinel.h"

#include <arpa/inet.h>

#include <new>
#include <string_view>

#include "ngx_http_referral_guard.h"
#include "redis_address.h"
#include "resp.h"

static void ngx_http_referral_sentinel_read_handler(ngx_event_t *rev);
static void ngx_http_referral_sentinel_write_handler(ngx_event_t *wev);

bool ngx_http_referral_node_addr(std::string_view ip, in_port_t p, struct sockaddr_storage *sa,
                                 socklen_t *len) {
    if (ip.size() >= 64) {
        return false;
    }
    char text[64];
    ngx_memcpy(text, ip.data(), ip.size());
    text[ip.size()] = '\0';
    ngx_memzero(sa, sizeof(*sa));
    auto *sin = reinterpret_cast<struct sockaddr_in *>(sa);
    if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(p);
        *len = sizeof(struct sockaddr_in);
        return true;
    }
    auto *sin6 = reinterpret_cast<struct sockaddr_in6 *>(sa);
    if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(p);
        *len = sizeof(struct sockaddr_in6);
        return true;
    }
    return false;
}

ngx_http_referral_sentinel_t::ngx_http_referral_sentinel_t(
    ngx_http_referral_main_conf_t *conf, ngx_log_t *log, ngx_http_referral_sentinel_owner_t *owner)
    : conf_(conf), log_(log), owner_(owner) {
    ngx_memzero(&peer_, sizeof(peer_));
}

ngx_http_referral_sentinel_t::~ngx_http_referral_sentinel_t() {
    close();
}

void ngx_http_referral_sentinel_t::close() {
    if (peer_.connection) {
        ngx_close_connection(peer_.connection);
        peer_.connection = NULL;
    }
    if (reader_) {
        redisReaderFree(reader_);
        reader_ = NULL;
    }
    connecting_ = false;
    out_.clear();
}

void ngx_http_referral_sentinel_t::ask() {
    tried_ = 0;
    start();
}

void ngx_http_referral_sentinel_t::cancel() {
    close();
}

void ngx_http_referral_sentinel_t::start() {
    close();
    auto *addr = static_cast<ngx_addr_t *>(conf_->redis_sentinels->elts) + current_;
    ngx_memzero(&peer_, sizeof(peer_));
    peer_.sockaddr = addr->sockaddr;
    peer_.socklen = addr->socklen;
    peer_.name = &addr->name;
    peer_.get = ngx_event_get_peer;
    peer_.log = log_;
    peer_.log_error = NGX_ERROR_ERR;

    ngx_int_t rc = ngx_event_connect_peer(&peer_);
    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        peer_.connection = NULL;
        next("connect() failed");
        return;
    }
    ngx_connection_t *c = peer_.connection;
    c->data = this;
    c->read->handler = ngx_http_referral_sentinel_read_handler;
    c->write->handler = ngx_http_referral_sentinel_write_handler;
    c->read->cancelable = 1;
    c->write->cancelable = 1;
    reader_ = redisReaderCreate();
    if (reader_ == NULL) {
        throw std::bad_alloc();
    }
    std::string_view argv[] = {
        "SENTINEL",
        "get-master-addr-by-name",
        {reinterpret_cast<const char *>(conf_->redis_master.data), conf_->redis_master.len}};
    referral::resp::append_command(&out_, argv, 3);
    // Connect, ask and answer, all within one timeout.
    ngx_add_timer(c->read, conf_->redis_timeout);
    connecting_ = rc == NGX_AGAIN;
    if (!connecting_) {
        send();
    }
}

// The next Sentinel, or the owner told when each has been tried.
void ngx_http_referral_sentinel_t::next(const char *why) {
    close();
    current_ = (current_ + 1) % conf_->redis_sentinels->nelts;
    if (++tried_ < conf_->redis_sentinels->nelts) {
        start();
        return;
    }
    owner_->master_unknown(why);
}

void ngx_http_referral_sentinel_t::send() {
    ngx_connection_t *c = peer_.connection;
    while (!out_.empty()) {
        ssize_t n = c->send(c, reinterpret_cast<u_char *>(out_.data()), out_.size());
        if (n == NGX_AGAIN) {
            break;
        }
        if (n == NGX_ERROR) {
            next("send() failed");
            return;
        }
        out_.erase(0, n);
    }
    if (ngx_handle_write_event(c->write, 0) != NGX_OK ||
        ngx_handle_read_event(c->read, 0) != NGX_OK) {
        next("cannot wait for the socket");
    }
}

void ngx_http_referral_sentinel_t::on_write() {
    ngx_connection_t *c = peer_.connection;
    if (!connecting_) {
        send();
        return;
    }
    int err = 0;
    socklen_t len = sizeof(int);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err) {
        next("connect() failed");
        return;
    }
    connecting_ = false;
    send();
}

void ngx_http_referral_sentinel_t::on_read() {
    ngx_connection_t *c = peer_.connection;
    if (c->read->timedout) {
        next("timed out");
        return;
    }
    if (connecting_) {
        on_write();
        return;
    }
    char buf[1024];
    void *reply = NULL;
    while (reply == NULL) {
        ssize_t n = c->recv(c, reinterpret_cast<u_char *>(buf), sizeof(buf));
        if (n == NGX_AGAIN) {
            if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
                next("cannot wait for the socket");
            }
            return;
        }
        if (n == 0 || n == NGX_ERROR) {
            next(n == 0 ? "the Sentinel closed the connection" : "recv() failed");
            return;
        }
        if (redisReaderFeed(reader_, buf, n) != REDIS_OK ||
            redisReaderGetReply(reader_, &reply) != REDIS_OK) {
            next("cannot parse the Sentinel's reply");
            return;
        }
    }

    auto *r = static_cast<redisReply *>(reply);
    struct sockaddr_storage sa;
    socklen_t len = 0;
    const char *why = NULL;
    if (r->type == REDIS_REPLY_NIL) {
        why = "the Sentinel does not know the master";
    } else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
               r->element[0]->type != REDIS_REPLY_STRING ||
               r->element[1]->type != REDIS_REPLY_STRING) {
        why = "the Sentinel refused SENTINEL get-master-addr-by-name";
    } else if (std::optional<uint16_t> port =
                   referral::redis::parse_port({r->element[1]->str, r->element[1]->len});
               !port || !ngx_http_referral_node_addr({r->element[0]->str, r->element[0]->len},
                                                     *port, &sa, &len)) {
        why = "the Sentinel gave an address that is not IP:port";
    }
    freeReplyObject(r);
    if (why) {
        next(why);
        return;
    }
    close();
    owner_->master_found(reinterpret_cast<struct sockaddr *>(&sa), len);
}

static void ngx_http_referral_sentinel_read_handler(ngx_event_t *rev) {
    auto *c = static_cast<ngx_connection_t *>(rev->data);
    auto *sentinel = static_cast<ngx_http_referral_sentinel_t *>(c->data);
    ngx_http_referral_guard(rev->log, "reading from a Sentinel",
                            [sentinel] { sentinel->on_read(); });
}

static void ngx_http_referral_sentinel_write_handler(ngx_event_t *wev) {
    auto *c = static_cast<ngx_connection_t *>(wev->data);
    auto *sentinel = static_cast<ngx_http_referral_sentinel_t *>(c->data);
    ngx_http_referral_guard(wev->log, "writing to a Sentinel",
                            [sentinel] { sentinel->on_write(); });
}
