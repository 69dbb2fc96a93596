// This worker's delivery of events: an in-memory queue in front of the Redis connection, the
// spool behind it, and what happens at reload and stop.
//
// Where an event goes, when a batch is written and what becomes of a refused one is decided by
// referral::delivery (core/delivery.h); this file does what it says. When Redis goes down, the
// queue joins the spooled events on disk (if the spool has room for all of it). Spooled events
// are read back once Redis answers again, after what the queue holds.
//
// Events are written to Redis in batches: a batch costs the worker one write and one read of
// replies, however many events it holds, and those system calls, not the events, are most of
// what delivery costs (bench/README.md). An event waits at most kBatchDelayMs for its batch,
// less when kBatchMax events are waiting.
//
// Every event in memory that did not come from the spool has a copy in the queue zone
// (ngx_http_referral_queue_zone.h) from the moment it is made until Redis acknowledges it or
// its spool write is done: a worker that dies leaves its events there, and the worker respawned
// in its slot, or the next tick of another worker, sends them again.
//
// Reload and stop: as soon as the worker learns it is to quit, everything not yet written to
// Redis is spooled, and new events go straight to the spool. XADDs already written keep their
// connection open: their reply timer is not cancelable, so nginx lets the exiting worker wait
// (at most one referral_redis timeout) for the replies, and events Redis acknowledged are not
// spooled again. At exit (also on `nginx -s stop`, which does not wait for timers) the worker
// reads the replies already on their way for a moment; only events whose reply did not come
// are spooled a second time: the one way a normal stop can duplicate an event. What the spool
// cannot take (or everything, without a spool) stays in the zone for the workers that remain.

#include "ngx_http_referral_sink.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <vector>

#include "ngx_http_referral_counters.h"
#include "ngx_http_referral_guard.h"
#include "ngx_http_referral_queue_zone.h"
#include "ngx_http_referral_redis.h"
#include "ngx_http_referral_sink_conf.h"
#include "ngx_http_referral_spool.h"

#include "delivery.h"

namespace delivery = referral::delivery;

// How often a worker checks whether it is to quit, and (every few ticks) adopts orphan spool
// files and records replay progress.
static const ngx_msec_t ngx_http_referral_tick = 200;
static const ngx_uint_t ngx_http_referral_ticks_per_scan = 5;
// At exit, how long to wait for replies to XADDs already written.
static const ngx_msec_t ngx_http_referral_exit_wait = 300;
// Spooled events read into memory at a time.
static const size_t ngx_http_referral_refill = 256;
// Spool bytes parsed (and CRC-checked) per pass of pump(): a corrupt file, where every false
// record header makes the reader check up to 1 MiB, is read over many turns of the event loop
// instead of stalling the worker's requests for seconds.
static const size_t ngx_http_referral_replay_budget = 1024 * 1024;
static const time_t ngx_http_referral_loss_log_interval = 10;

static void ngx_http_referral_sink_flush_handler(ngx_event_t *ev);
static void ngx_http_referral_sink_tick_handler(ngx_event_t *ev);
static void ngx_http_referral_sink_retry_handler(ngx_event_t *ev);

class ngx_http_referral_sink_t final : public ngx_http_referral_redis_owner_t {
  public:
    ngx_http_referral_sink_t(ngx_cycle_t *cycle, ngx_http_referral_main_conf_t *conf);
    ~ngx_http_referral_sink_t();

    ngx_int_t start(ngx_cycle_t *cycle);
    void push(ngx_log_t *log, std::string &&record);
    void exit();

    void on_flush();
    void on_tick();
    void on_retry();

    void replied(ngx_http_referral_event_t &&event, bool ok) override;
    void disconnected(std::deque<ngx_http_referral_event_t> &&unanswered) override;
    void writable() override;

  private:
    size_t in_memory() const { return pending_.size() + failed_.size() + redis_.unanswered(); }
    delivery::Sink state() const;
    void pump();
    bool refill(size_t *budget);
    void shutdown();
    size_t spill();
    void lose(ngx_uint_t n, const char *why);
    void unspooled(std::string &&record);
    void rescue();
    void adopt(std::deque<ngx_http_referral_event_t> &&events);
    void spooled(ngx_http_referral_event_t &event);
    void written();
    void post_flush();
    void schedule();
    static void init_event(ngx_event_t *ev, ngx_event_handler_pt handler, void *data,
                           ngx_log_t *log);

    ngx_http_referral_main_conf_t *conf_;
    ngx_log_t *log_;
    std::unique_ptr<ngx_http_referral_spool_t> spool_;
    ngx_http_referral_redis_t redis_;

    std::deque<ngx_http_referral_event_t> pending_;  // not yet sent, oldest first
    std::deque<ngx_http_referral_event_t> failed_;   // refused by Redis, retried after a pause
    // The zone copies of events appended to the spool: released once the spool has written them.
    std::vector<ngx_http_referral_held_t *> spooled_;
    bool paused_ = false;
    bool exiting_ = false;
    delivery::Backoff retry_backoff_;
    ngx_uint_t ticks_ = 0;
    time_t loss_logged_ = 0;
    ngx_uint_t loss_unlogged_ = 0;

    ngx_event_t flush_ev_;
    ngx_event_t tick_ev_;
    ngx_event_t retry_ev_;
};

static ngx_http_referral_sink_t *ngx_http_referral_sink;

void ngx_http_referral_sink_t::init_event(ngx_event_t *ev, ngx_event_handler_pt handler, void *data,
                                          ngx_log_t *log) {
    ngx_memzero(ev, sizeof(ngx_event_t));
    ev->handler = handler;
    ev->data = data;
    ev->log = log;
    ev->cancelable = 1;
}

ngx_http_referral_sink_t::ngx_http_referral_sink_t(ngx_cycle_t *cycle,
                                                   ngx_http_referral_main_conf_t *conf)
    : conf_(conf), log_(cycle->log), redis_(conf, cycle->log, this) {
    if (conf->spool) {
        spool_ = std::make_unique<ngx_http_referral_spool_t>(
            conf->spool->name, conf->spool_max_size, conf->spool_keys, log_);
    }
    init_event(&flush_ev_, ngx_http_referral_sink_flush_handler, this, log_);
    init_event(&tick_ev_, ngx_http_referral_sink_tick_handler, this, log_);
    init_event(&retry_ev_, ngx_http_referral_sink_retry_handler, this, log_);
}

ngx_http_referral_sink_t::~ngx_http_referral_sink_t() {
    for (ngx_event_t *ev : {&flush_ev_, &tick_ev_, &retry_ev_}) {
        if (ev->timer_set) {
            ngx_del_timer(ev);
        }
        if (ev->posted) {
            ngx_delete_posted_event(ev);
        }
    }
    if (ngx_http_referral_sink == this) {
        ngx_http_referral_sink = NULL;
    }
}

delivery::Sink ngx_http_referral_sink_t::state() const {
    delivery::Sink s;
    s.spool = spool_ != nullptr;
    s.exiting = exiting_;
    s.redis_ready = redis_.ready();
    s.redis_failing = redis_.failing();
    s.paused = paused_;
    s.spool_backlog = spool_ && spool_->backlog();
    s.queue_full = in_memory() >= conf_->queue_size;
    return s;
}

ngx_int_t ngx_http_referral_sink_t::start(ngx_cycle_t *cycle) {
    std::deque<ngx_http_referral_event_t> inherited;
    if (!ngx_http_referral_queue_zone_join(cycle, &inherited)) {
        ngx_log_error(NGX_LOG_ALERT, log_, 0, "referral: no queue zone in this cycle");
        return NGX_ERROR;
    }
    if (!inherited.empty()) {
        ngx_log_error(NGX_LOG_WARN, log_, 0,
                      "referral: %uz queued events of this slot's dead worker taken over",
                      inherited.size());
        adopt(std::move(inherited));
    }
    if (spool_) {
        spool_->housekeeping(true);
    }
    redis_.connect();
    ngx_add_timer(&tick_ev_, ngx_http_referral_tick);
    return NGX_OK;
}

// Events another worker held when it died or exited, or the dead worker of this slot: older than
// this worker's own, they go first.
void ngx_http_referral_sink_t::adopt(std::deque<ngx_http_referral_event_t> &&events) {
    if (events.empty()) {
        return;
    }
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_adopted, events.size());
    pending_.insert(pending_.begin(), std::make_move_iterator(events.begin()),
                    std::make_move_iterator(events.end()));
}

void ngx_http_referral_sink_t::spooled(ngx_http_referral_event_t &event) {
    if (event.held) {
        spooled_.push_back(event.held);
        event.held = nullptr;
    }
}

// The spool wrote what it had (rescue() has queued again what it could not): the zone copies of
// the spooled events go.
void ngx_http_referral_sink_t::written() {
    for (ngx_http_referral_held_t *held : spooled_) {
        ngx_http_referral_queue_zone_release(held);
    }
    spooled_.clear();
}

void ngx_http_referral_sink_t::post_flush() {
    if (!flush_ev_.posted) {
        ngx_post_event(&flush_ev_, &ngx_posted_events);
    }
}

// Never written from inside the request: a full batch once the current events are handled,
// otherwise when the oldest waiting event has waited its time.
void ngx_http_referral_sink_t::schedule() {
    switch (delivery::on_queued(pending_.size(), flush_ev_.timer_set)) {
        case delivery::Batch::write:
            post_flush();
            break;
        case delivery::Batch::start:
            ngx_add_timer(&flush_ev_, delivery::kBatchDelayMs);
            break;
        case delivery::Batch::gather:
            break;
    }
}

// Replies came (or the connection is new): events left over, for want of room in the pipeline
// or of a connection, go now; a batch still gathering waits for its time.
void ngx_http_referral_sink_t::writable() {
    if (delivery::write_leftovers(pending_.size(), flush_ev_.timer_set)) {
        pump();
    }
}

void ngx_http_referral_sink_t::lose(ngx_uint_t n, const char *why) {
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_dropped, n);
    loss_unlogged_ += n;
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: %ui events dropped: %s", n, why);
    if (ngx_time() - loss_logged_ >= ngx_http_referral_loss_log_interval) {
        loss_logged_ = ngx_time();
        ngx_log_error(NGX_LOG_ERR, log_, 0, "referral: %ui events lost: %s", loss_unlogged_, why);
        loss_unlogged_ = 0;
    }
}

void ngx_http_referral_sink_t::push([[maybe_unused]] ngx_log_t *log, std::string &&record) {
    bool spool_room = spool_ && spool_->has_room(spool_->framed(record));
    delivery::Sink s = state();
    delivery::Route route = delivery::route(s, spool_room);
    ngx_http_referral_held_t *held = nullptr;
    if ((route == delivery::Route::queue || route == delivery::Route::queue_spool_full) &&
        (held = ngx_http_referral_queue_zone_hold(record)) == nullptr) {
        // The zone is full: as when referral_queue_size events are in memory.
        s.queue_full = true;
        route = delivery::route(s, spool_room);
    }
    switch (route) {
        case delivery::Route::queue:
        case delivery::Route::queue_spool_full:
            pending_.push_back({std::move(record), nullptr, 0, held});
            ngx_http_referral_count(NGX_HTTP_REFERRAL_events_queued);
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log, 0, "referral: event queued%s, %uz waiting",
                           route == delivery::Route::queue ? "" : " (the spool is full)",
                           pending_.size());
            if (route == delivery::Route::queue && redis_.ready() && !paused_) {
                schedule();
            }
            return;
        case delivery::Route::spool: {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log, 0, "referral: event to the spool");
            // Until the spool's buffer reaches the file (this turn of the event loop) the zone
            // keeps a copy, if it has room; after that the file is the copy.
            ngx_http_referral_held_t *copy = ngx_http_referral_queue_zone_hold(record);
            if (spool_->append(record)) {
                if (copy) {
                    spooled_.push_back(copy);
                }
                post_flush();
            } else {
                ngx_http_referral_queue_zone_release(copy);
                unspooled(std::move(record));
            }
            rescue();
            return;
        }
        case delivery::Route::lose:
            if (spool_) {
                spool_->drop();
            } else {
                lose(1,
                     "the queue is full (referral_queue_size or referral_queue_zone) and there "
                     "is no referral_spool");
            }
            return;
    }
}

// An event the spool could not take (a full disk, an I/O error): memory while it has room, as
// when the spool is full, so that events are lost only when both are full. An exiting worker
// leaves it in the zone for the others.
void ngx_http_referral_sink_t::unspooled(std::string &&record) {
    bool memory = exiting_ || delivery::route(state(), false) != delivery::Route::lose;
    ngx_http_referral_held_t *held = memory ? ngx_http_referral_queue_zone_hold(record) : nullptr;
    if (held == nullptr) {
        spool_->drop();
        return;
    }
    pending_.push_back({std::move(record), nullptr, 0, held});
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_queued);
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0,
                   "referral: event queued (the spool cannot take it), %uz waiting",
                   pending_.size());
}

// Events whose spool write failed after append() took them.
void ngx_http_referral_sink_t::rescue() {
    for (std::string &record : spool_->take_unwritten()) {
        unspooled(std::move(record));
    }
}

// Sends what Redis has room for: the queue first, then spooled events.
void ngx_http_referral_sink_t::pump() {
    if (!delivery::may_send(state())) {
        return;
    }
    [[maybe_unused]] size_t before = redis_.unanswered();
    size_t budget = ngx_http_referral_replay_budget;
    for (size_t room = redis_.room(); room > 0;) {
        if (pending_.empty() && !refill(&budget)) {
            break;
        }
        ngx_http_referral_event_t event = std::move(pending_.front());
        pending_.pop_front();
        if (!redis_.send(event)) {
            // Unreadable even though its checksum held: no retry can deliver it.
            if (event.source) {
                spool_->release(event);
            } else {
                ngx_http_referral_queue_zone_release(event.held);
            }
            lose(1, "malformed event record");
            continue;
        }
        room--;
    }
    if (redis_.unanswered() > before) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: %uz events sent to Redis",
                       redis_.unanswered() - before);
    }
    redis_.flush();
    if (budget == 0 && !flush_ev_.posted) {
        // The next turn goes on reading, after the requests that came meanwhile.
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: spool replay goes on next turn");
        ngx_post_event(&flush_ev_, &ngx_posted_next_events);
    }
}

bool ngx_http_referral_sink_t::refill(size_t *budget) {
    if (!spool_ || exiting_) {
        return false;
    }
    size_t n = 0;
    ngx_http_referral_event_t event;
    while (n < ngx_http_referral_refill && in_memory() < conf_->queue_size &&
           spool_->next(&event, budget)) {
        pending_.push_back(std::move(event));
        n++;
    }
    // Reading its own file flushes the worker's write buffer first.
    rescue();
    if (n == 0) {
        return false;
    }
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: %uz spooled events replayed", n);
    return true;
}

void ngx_http_referral_sink_t::replied(ngx_http_referral_event_t &&event, bool ok) {
    if (ok) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_events_acked);
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: event acked%s",
                       event.source ? " (replayed)" : "");
        if (event.source) {
            spool_->release(event);
        } else {
            ngx_http_referral_queue_zone_release(event.held);
        }
        retry_backoff_.reset();
        return;
    }
    switch (delivery::refused(state(), event.source != nullptr)) {
        case delivery::Refused::spool:
            // One the spool has no room for stays in the zone for the workers that remain.
            if (spool_->append(event.record)) {
                spooled(event);
            }
            rescue();
            return;
        case delivery::Refused::keep:
            return;
        case delivery::Refused::retry:
            break;
    }
    // An error reply (OOM, READONLY, a wrong key type...) would come again at once: pause
    // sending, retry later, longer each time.
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: event refused, retry in %Mms",
                   static_cast<ngx_msec_t>(retry_backoff_.current()));
    failed_.push_back(std::move(event));
    paused_ = true;
    if (!retry_ev_.timer_set && !exiting_) {
        ngx_add_timer(&retry_ev_, retry_backoff_.next());
    }
}

void ngx_http_referral_sink_t::on_retry() {
    paused_ = false;
    pending_.insert(pending_.begin(), std::make_move_iterator(failed_.begin()),
                    std::make_move_iterator(failed_.end()));
    failed_.clear();
    pump();
}

void ngx_http_referral_sink_t::disconnected(std::deque<ngx_http_referral_event_t> &&unanswered) {
    // Sent before anything still pending: they go first again.
    pending_.insert(pending_.begin(), std::make_move_iterator(unanswered.begin()),
                    std::make_move_iterator(unanswered.end()));
    if (delivery::spill_on_disconnect(state())) {
        spill();
    }
}

// Events in memory to the spool, oldest first. Events read back from the spool are on disk
// already: they stay in their files, unreleased, and are read again by whoever adopts them, so
// their order is kept and nothing is written twice. While Redis is merely down, those stay in
// memory to be sent on reconnection, and the rest too if the spool has no room for all of it:
// they may yet be sent. Those an exiting worker cannot spool stay in the zone.
size_t ngx_http_referral_sink_t::spill() {
    off_t bytes = 0;
    for (auto *queue : {&failed_, &pending_}) {
        for (const auto &event : *queue) {
            bytes += event.source ? 0 : spool_->framed(event.record);
        }
    }
    if (!delivery::may_spill(state(), spool_->has_room(bytes))) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log_, 0,
                       "referral: events kept in memory: the spool has no room for them all");
        return 0;
    }
    size_t n = 0;
    for (auto *queue : {&failed_, &pending_}) {
        std::deque<ngx_http_referral_event_t> kept;
        for (auto &event : *queue) {
            if (!event.source && spool_->append(event.record)) {
                spooled(event);
                n++;
            } else if (event.source == nullptr || !exiting_) {
                kept.push_back(std::move(event));
            }
        }
        queue->swap(kept);
    }
    spool_->flush();
    rescue();
    written();
    if (n) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log_, 0, "referral: %uz events from memory to the spool",
                       n);
    }
    return n;
}

void ngx_http_referral_sink_t::on_flush() {
    if (flush_ev_.timer_set) {
        ngx_del_timer(&flush_ev_);
    }
    pump();
    if (spool_) {
        spool_->flush();
        rescue();
        written();
    }
}

void ngx_http_referral_sink_t::on_tick() {
    if (ngx_exiting || ngx_terminate || ngx_quit) {
        shutdown();
        return;
    }
    size_t before = pending_.size();
    adopt(ngx_http_referral_queue_zone_adopt(log_));
    if (pending_.size() > before) {
        pump();
    }
    if (spool_ && ++ticks_ % ngx_http_referral_ticks_per_scan == 0) {
        spool_->housekeeping(true);
        if (pending_.empty() && spool_->backlog()) {
            pump();
        }
    }
    ngx_add_timer(&tick_ev_, ngx_http_referral_tick);
}

void ngx_http_referral_sink_t::shutdown() {
    if (exiting_) {
        return;
    }
    exiting_ = true;
    for (ngx_event_t *ev : {&tick_ev_, &retry_ev_}) {
        if (ev->timer_set) {
            ngx_del_timer(ev);
        }
    }
    if (!spool_) {
        // Nowhere to keep events: send them, refused ones too, while the connection lasts.
        redis_.stop();
        on_retry();
        return;
    }

    size_t n = spill();
    redis_.stop();
    ngx_log_error(NGX_LOG_INFO, log_, 0,
                  "referral: exiting, %uz queued events spooled, %uz awaiting Redis replies", n,
                  redis_.unanswered());
}

void ngx_http_referral_sink_t::exit() {
    shutdown();
    redis_.drain(std::min(conf_->redis_timeout, ngx_http_referral_exit_wait));
    redis_.disconnect();
    if (spool_) {
        spool_->sync_and_close();
        rescue();
        written();
    }
    size_t left = pending_.size() + failed_.size();
    if (left) {
        ngx_log_error(NGX_LOG_NOTICE, log_, 0,
                      "referral: exiting, %uz events left in the queue zone for the other workers",
                      left);
    }
    ngx_http_referral_queue_zone_leave();
    if (flush_ev_.posted) {
        ngx_delete_posted_event(&flush_ev_);
    }
}

static void ngx_http_referral_sink_flush_handler(ngx_event_t *ev) {
    auto *sink = static_cast<ngx_http_referral_sink_t *>(ev->data);
    ngx_http_referral_guard(ev->log, "sending events", [sink] { sink->on_flush(); });
}

static void ngx_http_referral_sink_tick_handler(ngx_event_t *ev) {
    auto *sink = static_cast<ngx_http_referral_sink_t *>(ev->data);
    ngx_http_referral_guard(ev->log, "sink timer", [sink] { sink->on_tick(); });
}

static void ngx_http_referral_sink_retry_handler(ngx_event_t *ev) {
    auto *sink = static_cast<ngx_http_referral_sink_t *>(ev->data);
    ngx_http_referral_guard(ev->log, "retrying events", [sink] { sink->on_retry(); });
}

void ngx_http_referral_sink_push(ngx_log_t *log, std::string &&record) noexcept {
    if (ngx_http_referral_sink == NULL) {
        // No referral_redis: there is nowhere to send events.
        ngx_http_referral_count(NGX_HTTP_REFERRAL_events_dropped);
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log, 0, "referral: event dropped: no referral_redis");
        return;
    }
    bool taken = ngx_http_referral_guard(log, "queueing an event", false, [log, &record] {
        ngx_http_referral_sink->push(log, std::move(record));
        return true;
    });
    if (!taken) {
        ngx_http_referral_count(NGX_HTTP_REFERRAL_events_dropped);
    }
}

ngx_int_t ngx_http_referral_sink_init_process(ngx_cycle_t *cycle) {
    // Cache manager and loader processes run init_process too; only workers deliver events.
    if (ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE) {
        return NGX_OK;
    }
    ngx_http_referral_main_conf_t *conf = ngx_http_referral_sink_conf(cycle);
    if (conf == NULL || conf->redis_name.len == 0) {
        return NGX_OK;
    }
    auto *sink =
        ngx_http_referral_pool_owned(cycle->pool, new ngx_http_referral_sink_t(cycle, conf));
    if (sink == NULL) {
        return NGX_ERROR;
    }
    ngx_http_referral_sink = sink;
    return sink->start(cycle);
}

void ngx_http_referral_sink_exit_process(ngx_cycle_t *cycle) {
    (void)cycle;
    if (ngx_http_referral_sink) {
        ngx_http_referral_sink->exit();
    }
}
