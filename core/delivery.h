// The decisions of a worker's event sink, apart from nginx so that each is tested on its own:
// where a new event goes, when events are written to Redis, what becomes of one Redis refused,
// and how long to wait after a failure. The sink (module/ngx_http_referral_sink.cc) reads its
// state into a Sink and does what these functions say (docs/design.md#delivery).
//
// Where an event goes (FIFO per worker):
//   - Redis up, or being connected to, and nothing spooled: the queue, at most
//     referral_queue_size events in memory (queued, in flight, or waiting to be retried), and
//     as many as referral_queue_zone holds: the sink counts a full zone as a full queue.
//   - Redis down (a connection attempt, a reply or the connection failed, or sending paused
//     after an error reply), the queue full, spooled events not yet read back, or the worker
//     exiting: the spool, so that newer events never overtake older ones. Without a spool,
//     events wait in the queue until it is full.
//   - Spool full, or unwritable (a write failed since the last scan: a full disk), and an event
//     the spool took but could not write: the queue if it has room and the worker is not
//     exiting, out of order; otherwise lost, as when the queue is full without a spool.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace referral::delivery {

// A batch is written at once when this many events wait, otherwise kBatchDelayMs after it
// started gathering: one write and one read of replies per batch, not per event.
inline constexpr size_t kBatchMax = 512;
inline constexpr uint64_t kBatchDelayMs = 5;

// What the sink knows of itself when it decides.
struct Sink {
    bool spool = false;          // referral_spool is set
    bool exiting = false;        // the worker is to quit (reload or stop)
    bool redis_ready = false;    // connected, and the handshake answered
    bool redis_failing = false;  // the last attempt failed: Redis is down, not just connecting
    bool paused = false;         // Redis refused an XADD: sending waits for the retry
    bool spool_backlog = false;  // spooled events wait to be read back
    bool queue_full = false;     // referral_queue_size events are in memory
};

enum class Route {
    queue,             // the in-memory queue, behind the events before it
    queue_spool_full,  // the queue, possibly ahead of older spooled events
    spool,             // the spool, behind the events before it
    lose,              // nowhere: counted and logged as lost
};

// Where a new event goes; spool_room says whether the spool has room for it and can be written.
// route(s, false) also places an event whose spool write failed.
Route route(const Sink &s, bool spool_room);

// Whether events may be written to Redis now. An exiting worker with a spool writes no more:
// what it holds goes to disk.
bool may_send(const Sink &s);

enum class Batch {
    write,   // a full batch waits: write it once the events at hand are handled
    start,   // start gathering a batch: arm its timer
    gather,  // a batch is gathering: its timer writes it
};

// An event joined the queue with Redis ready; gathering says the batch timer is armed.
Batch on_queued(size_t pending, bool gathering);

// Redis can take more (replies came, or the connection is new): whether the events left over,
// for want of room in the pipeline or of a connection, are written now. A batch still
// gathering waits for its time.
bool write_leftovers(size_t pending, bool gathering);

enum class Refused {
    retry,  // keep it in memory and send it again after a pause
    spool,  // the worker is exiting: to the spool
    keep,   // the worker is exiting and the event was read from the spool: it is still there
};

// What becomes of an event whose XADD Redis answered with an error.
Refused refused(const Sink &s, bool from_spool);

// The connection is gone: whether the events in memory move to the spool now.
bool spill_on_disconnect(const Sink &s);

// Whether events in memory move to the spool: all of them when the worker exits; while Redis is
// merely down only if all of them fit, for they may yet be sent from memory.
bool may_spill(const Sink &s, bool room_for_all);

// The pause after a failure (a refused XADD, a failed connection): 100 ms, doubling up to 5 s,
// back to 100 ms after a success.
class Backoff {
  public:
    static constexpr uint64_t kMinMs = 100;
    static constexpr uint64_t kMaxMs = 5000;

    uint64_t current() const { return ms_; }
    // The pause to wait now; the next one is twice as long.
    uint64_t next() {
        uint64_t ms = ms_;
        ms_ = std::min(ms_ * 2, kMaxMs);
        return ms;
    }
    void reset() { ms_ = kMinMs; }

  private:
    uint64_t ms_ = kMinMs;
};

}  // namespace referral::delivery
