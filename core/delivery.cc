#include "delivery.h"

namespace referral::delivery {

Route route(const Sink &s, bool spool_room) {
    bool down = s.redis_failing || s.paused;
    bool memory = !s.spool || (!s.exiting && !down && !s.spool_backlog);
    if (memory && !s.queue_full) {
        return Route::queue;
    }
    if (!s.spool) {
        return Route::lose;
    }
    if (!spool_room) {
        // A full spool leaves memory as the last place for the event, order notwithstanding.
        return !memory && !s.exiting && !s.queue_full ? Route::queue_spool_full : Route::lose;
    }
    return Route::spool;
}

bool may_send(const Sink &s) {
    return s.redis_ready && !s.paused && !(s.exiting && s.spool);
}

Batch on_queued(size_t pending, bool gathering) {
    if (pending >= kBatchMax) {
        return Batch::write;
    }
    return gathering ? Batch::gather : Batch::start;
}

bool write_leftovers(size_t pending, bool gathering) {
    return !gathering || pending >= kBatchMax;
}

Refused refused(const Sink &s, bool from_spool) {
    if (s.exiting && s.spool) {
        return from_spool ? Refused::keep : Refused::spool;
    }
    return Refused::retry;
}

bool spill_on_disconnect(const Sink &s) {
    return s.spool && (s.exiting || s.redis_failing);
}

bool may_spill(const Sink &s, bool room_for_all) {
    return s.exiting || room_for_all;
}

}  // namespace referral::delivery
