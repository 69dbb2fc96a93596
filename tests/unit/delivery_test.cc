#include "delivery.h"

#include <gtest/gtest.h>

#include <string>

namespace referral::delivery {
namespace {

// The sink's state, spelled in a table row as the conditions that hold.
enum Condition : unsigned {
    kSpool = 1 << 0,
    kExiting = 1 << 1,
    kReady = 1 << 2,
    kFailing = 1 << 3,
    kPaused = 1 << 4,
    kBacklog = 1 << 5,
    kQueueFull = 1 << 6,
};

Sink sink(unsigned conditions) {
    Sink s;
    s.spool = conditions & kSpool;
    s.exiting = conditions & kExiting;
    s.redis_ready = conditions & kReady;
    s.redis_failing = conditions & kFailing;
    s.paused = conditions & kPaused;
    s.spool_backlog = conditions & kBacklog;
    s.queue_full = conditions & kQueueFull;
    return s;
}

TEST(Route, WhereANewEventGoes) {
    struct Case {
        const char *situation;
        unsigned conditions;
        bool spool_room;
        Route route;
    };
    const Case cases[] = {
        // Redis up or being connected to, nothing spooled: memory, in order.
        {"redis up", kSpool | kReady, true, Route::queue},
        {"connecting", kSpool, true, Route::queue},
        {"redis up, no spool", kReady, true, Route::queue},
        {"redis down, no spool: memory is all there is", kFailing, true, Route::queue},
        {"paused, no spool", kReady | kPaused, true, Route::queue},
        {"exiting, no spool", kExiting | kReady, true, Route::queue},
        // Redis down, paused, a backlog or exiting: behind the spooled events.
        {"redis down", kSpool | kFailing, true, Route::spool},
        {"paused after an error reply", kSpool | kReady | kPaused, true, Route::spool},
        {"spooled events not read back", kSpool | kReady | kBacklog, true, Route::spool},
        {"exiting", kSpool | kReady | kExiting, true, Route::spool},
        {"queue full", kSpool | kReady | kQueueFull, true, Route::spool},
        // Spool full: memory out of order, if it has room and the worker stays.
        {"redis down, spool full", kSpool | kFailing, false, Route::queue_spool_full},
        {"backlog, spool full", kSpool | kReady | kBacklog, false, Route::queue_spool_full},
        {"paused, spool full", kSpool | kReady | kPaused, false, Route::queue_spool_full},
        {"redis up, spool full: memory in order", kSpool | kReady, false, Route::queue},
        // Nowhere left.
        {"queue and spool full", kSpool | kReady | kQueueFull, false, Route::lose},
        {"redis down, queue and spool full", kSpool | kFailing | kQueueFull, false, Route::lose},
        {"exiting, spool full", kSpool | kExiting, false, Route::lose},
        {"queue full, no spool", kReady | kQueueFull, true, Route::lose},
        {"redis down, queue full, no spool", kFailing | kQueueFull, true, Route::lose},
        {"exiting, queue full, no spool", kExiting | kQueueFull, true, Route::lose},
    };
    for (const Case &c : cases) {
        EXPECT_EQ(route(sink(c.conditions), c.spool_room), c.route) << c.situation;
    }
}

TEST(MaySend, OnlyToARedisThatAnsweredAndIsNotPaused) {
    struct Case {
        const char *situation;
        unsigned conditions;
        bool may;
    };
    const Case cases[] = {
        {"ready", kReady, true},
        {"ready, spool", kReady | kSpool, true},
        {"connecting", kSpool, false},
        {"down", kFailing | kSpool, false},
        {"paused", kReady | kPaused, false},
        {"exiting with a spool: to disk instead", kReady | kExiting | kSpool, false},
        {"exiting without a spool: send while the connection lasts", kReady | kExiting, true},
        {"a backlog is no reason to wait", kReady | kSpool | kBacklog, true},
    };
    for (const Case &c : cases) {
        EXPECT_EQ(may_send(sink(c.conditions)), c.may) << c.situation;
    }
}

TEST(Batching, AFullBatchGoesAtOnceOthersWaitForTheirTimer) {
    EXPECT_EQ(on_queued(1, false), Batch::start);
    EXPECT_EQ(on_queued(1, true), Batch::gather);
    EXPECT_EQ(on_queued(kBatchMax - 1, true), Batch::gather);
    EXPECT_EQ(on_queued(kBatchMax, true), Batch::write);
    EXPECT_EQ(on_queued(kBatchMax, false), Batch::write);
    EXPECT_EQ(on_queued(kBatchMax + 100, true), Batch::write);

    EXPECT_TRUE(write_leftovers(0, false));
    EXPECT_TRUE(write_leftovers(10, false));
    EXPECT_FALSE(write_leftovers(10, true));
    EXPECT_TRUE(write_leftovers(kBatchMax, true));
}

TEST(RefusedXadd, RetriedUnlessTheWorkerExitsWithASpool) {
    struct Case {
        const char *situation;
        unsigned conditions;
        bool from_spool;
        Refused what;
    };
    const Case cases[] = {
        {"running", kReady | kSpool, false, Refused::retry},
        {"running, from the spool", kReady | kSpool, true, Refused::retry},
        {"running, no spool", kReady, false, Refused::retry},
        {"exiting", kExiting | kSpool, false, Refused::spool},
        {"exiting, from the spool", kExiting | kSpool, true, Refused::keep},
        {"exiting, no spool", kExiting, false, Refused::retry},
    };
    for (const Case &c : cases) {
        EXPECT_EQ(refused(sink(c.conditions), c.from_spool), c.what) << c.situation;
    }
}

TEST(Spill, MemoryGoesToDiskWhenRedisFailsOrTheWorkerExits) {
    EXPECT_TRUE(spill_on_disconnect(sink(kSpool | kFailing)));
    EXPECT_TRUE(spill_on_disconnect(sink(kSpool | kExiting)));
    EXPECT_FALSE(spill_on_disconnect(sink(kSpool)));  // closed on purpose, not failing
    EXPECT_FALSE(spill_on_disconnect(sink(kFailing)));
    EXPECT_FALSE(spill_on_disconnect(sink(kExiting)));

    EXPECT_TRUE(may_spill(sink(kSpool | kFailing), true));
    EXPECT_FALSE(may_spill(sink(kSpool | kFailing), false));
    EXPECT_TRUE(may_spill(sink(kSpool | kExiting), false));
}

TEST(Backoff, DoublesUpToFiveSecondsAndResets) {
    Backoff b;
    std::string seen;
    for (int i = 0; i < 9; i++) {
        seen += std::to_string(b.next()) + " ";
    }
    EXPECT_EQ(seen, "100 200 400 800 1600 3200 5000 5000 5000 ");
    EXPECT_EQ(b.current(), 5000u);
    b.reset();
    EXPECT_EQ(b.current(), 100u);
    EXPECT_EQ(b.next(), 100u);
    EXPECT_EQ(b.current(), 200u);
}

}  // namespace
}  // namespace referral::delivery
