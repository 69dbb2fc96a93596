// Bad input, crashes, several daemons, Redis going away: the books stay exact.
#include <signal.h>

#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::eventually;

// Every code counts, 10% to the referrer.
constexpr char kOpenTenPercent[] = R"(
[programme]
currency = "EUR"
open_enrolment = true

[referrer]
percent = 10
)";

TEST_F(RewarddTest, BadEventsAreRejectedAndAcknowledged) {
    start(R"(
[programme]
currency = "EUR"

[referrer]
percent = 10
)");
    enroll("alice", "ALICE");
    Event good = conversion("e1", "ALICE", "o1", 10000);
    add(without(with(good, "id", "e0"), "order"));
    add(with(without(with(good, "id", "e2"), "amount"), "amount_raw", "12,50"));
    add(with(with(good, "id", "e3"), "amount", "12.50"));
    add(with(with(good, "id", "e4"), "type", "purchase"));
    add(without(good, "id"));
    add(with(with(good, "id", "e5"), "currency", "EURO"));
    add(with(with(good, "id", "e6"), "v", "2"));
    add({{"garbage", "only"}});
    add(good);
    wait_applied();
    EXPECT_TRUE(daemon_.running());
    EXPECT_EQ(rejected_reasons(),
              (std::vector<std::string>{"missing_field", "unparsable_amount", "unparsable_amount",
                                        "unknown_type", "missing_field", "unknown_currency",
                                        "unsupported_version", "missing_field"}));
    std::vector<Entry> r = rejected();
    EXPECT_EQ(r[0].at("detail"), "order");
    EXPECT_EQ(r[1].at("detail"), "12,50");
    EXPECT_EQ(r[4].at("detail"), "id");
    EXPECT_EQ(r[7].at("garbage"), "only");
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
}

// Events written before the daemon starts come in one read and go to Redis in one batch: an
// event whose script fails there is rejected on its own, and the events around it are applied.
TEST_F(RewarddTest, AFailingEventInABatchLeavesTheOthersApplied) {
    redis_.command({"SET", key("stats:BROKEN"), "not a hash"});
    add_all({click("c1", "ALICE"), click("c2", "BROKEN"), click("c3", "ALICE"),
             conversion("e4", "ALICE", "o4", 10000), click("c5", "ALICE")});
    start(kOpenTenPercent);
    wait_applied();
    EXPECT_EQ(hget(key("stats:ALICE"), "clicks"), "3");
    EXPECT_EQ(hget(key("stats:ALICE"), "conversions"), "1");
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"internal_error"});
    std::vector<Entry> r = rejected();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].at("id"), "c2");
    EXPECT_NE(r[0].at("detail").find("WRONGTYPE"), std::string::npos) << r[0].at("detail");
}

// A read of 350 clicks (the default batch = 500) goes to Redis as four batches, two in flight
// at a time: failures in several of them are each rejected once, in the stream's order, and
// every other click counts.
TEST_F(RewarddTest, FailuresInBatchesInFlightAreRejectedInOrder) {
    redis_.command({"SET", key("stats:BROKEN"), "not a hash"});
    std::vector<Event> events;
    for (int i = 0; i < 350; ++i) {
        bool broken = i == 5 || i == 150 || i == 349;
        events.push_back(
            click("c" + std::to_string(i), broken ? "BROKEN" : "ALICE", "ip" + std::to_string(i)));
    }
    add_all(events);
    start(kOpenTenPercent);
    wait_applied();
    EXPECT_EQ(hget(key("stats:ALICE"), "clicks"), "347");
    std::vector<Entry> r = rejected();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].at("id"), "c5");
    EXPECT_EQ(r[1].at("id"), "c150");
    EXPECT_EQ(r[2].at("id"), "c349");
}

// A replayed event is applied once: in the same batch, in a later one, and when it was applied
// before the seen flags became fields of a hash per hour (its own seen:<id> key). An event
// without a ts of its own (a refund without ts, a refused event without ts) keeps a key of its
// own.
TEST_F(RewarddTest, ReplaysAreAppliedOnce) {
    int64_t ts = now_ms();
    std::string hour = key("seen_hour:" + std::to_string(ts / 3600000));
    Event c1 = with(click("c1", "ALICE"), "ts", std::to_string(ts));
    Event c2 = with(click("c2", "ALICE"), "ts", std::to_string(ts));
    Event refund_without_ts = without(refund("r1", "no-such-order", 100), "ts");
    Event unknown_type = without(with(click("u1", "ALICE"), "type", "purchase"), "ts");
    redis_.command({"SET", key("seen:c2"), "1", "PX", "600000"});  // applied before the upgrade
    add_all({c1, c1, c2, refund_without_ts, refund_without_ts, unknown_type});
    start(kOpenTenPercent);
    wait_applied();
    add_all({c1, c2, refund_without_ts, unknown_type});
    wait_applied();
    EXPECT_EQ(hget(key("stats:ALICE"), "clicks"), "1");
    EXPECT_EQ(hget(hour, "c1"), "1");
    EXPECT_EQ(hget(hour, "c2"), "");
    EXPECT_GT(redis_.command({"PTTL", hour})->integer, 0);
    EXPECT_EQ(redis_.command({"EXISTS", key("seen:r1")})->integer, 1);
    EXPECT_EQ(redis_.command({"EXISTS", key("seen:u1")})->integer, 1);
    EXPECT_EQ(rejected_reasons(), std::vector<std::string>{"unknown_type"});
}

constexpr char kOpenProgramme[] = R"(
[programme]
currency = "EUR"
open_enrolment = true

[referrer]
percent = 12.5

[friend]
fixed = "1.00"
)";

// Conversions through 20 codes with amounts that floor differently, and what they must add up
// to under kOpenProgramme.
class LoadTest : public RewarddTest {
  protected:
    void make_load(int n) {
        int64_t ts = now_ms();
        for (int i = 0; i < n; ++i) {
            std::string code = "code" + std::to_string(i % 20);
            int64_t amount = 1000 + (i * 7919) % 90001;
            Event e = conversion("e" + std::to_string(i), code, "o" + std::to_string(i), amount,
                                 "buyer" + std::to_string(i));
            events_.push_back(with(e, "ts", std::to_string(ts)));
            expected_[code] += amount * 1250 / 10000;
        }
    }

    void expect_books() {
        for (const auto &[code, amount] : expected_) {
            EXPECT_EQ(balance("code:" + code, "approved"), amount) << code;
        }
        int64_t friends = 0;
        for (size_t i = 0; i < events_.size(); ++i) {
            friends += balance("customer:buyer" + std::to_string(i), "approved");
        }
        EXPECT_EQ(friends, 100 * static_cast<int64_t>(events_.size()));
        // Exactly one ledger entry per reward: nothing doubled, nothing lost.
        EXPECT_EQ(redis_.command({"XLEN", key("ledger")})->integer,
                  2 * static_cast<int64_t>(events_.size()));
        EXPECT_EQ(redis_.command({"XLEN", key("rejected")})->integer, 0);
    }

    std::vector<Event> events_;
    std::map<std::string, int64_t> expected_;  // code → approved minor units
};

TEST_F(LoadTest, KillDuringApplicationThenRestart) {
    configure(kOpenProgramme, "batch = 50\n");
    make_load(5000);
    add_all(events_);
    daemon_ = spawn("first.log");
    ASSERT_TRUE(eventually([&] { return redis_.command({"XLEN", key("ledger")})->integer > 0; }));
    daemon_.signal(SIGKILL);
    daemon_.wait(std::chrono::seconds(5));
    int64_t before = redis_.command({"XLEN", key("ledger")})->integer;
    RecordProperty("ledger_entries_at_kill", std::to_string(before));

    daemon_ = spawn("second.log");  // a new consumer: it claims what the first left pending
    wait_applied();
    expect_books();
}

TEST_F(LoadTest, TwoDaemonsOnOneStream) {
    configure(kOpenProgramme, "batch = 20\n");
    testing_support::Process second = spawn("second.log");
    daemon_ = spawn();
    make_load(2000);
    // Every event twice, as a retried XADD would: still applied once.
    std::vector<Event> doubled;
    for (const Event &e : events_) {
        doubled.push_back(e);
        doubled.push_back(e);
    }
    add_all(doubled);
    wait_applied();
    expect_books();
}

TEST_F(RewarddTest, TwoDaemonsHoldLimitsAndCapsExactly) {
    configure(R"(
[programme]
currency = "EUR"
open_enrolment = true

[referrer]
percent = 15

[limits]
conversions_per_referrer_per_day = 30
reward_cap_per_referrer_per_month = "100.00"
)",
              "batch = 7\n");
    testing_support::Process second = spawn("second.log");
    daemon_ = spawn();
    std::vector<Event> events;
    for (int i = 0; i < 1000; ++i) {
        std::string code = "code" + std::to_string(i % 20);
        events.push_back(conversion("e" + std::to_string(i), code, "o" + std::to_string(i), 10000));
    }
    add_all(events);
    wait_applied();
    // Per code: 50 orders, 30 accepted; 15.00 each up to the 100.00 cap.
    int limited = 0, capped = 0;
    for (const std::string &reason : rejected_reasons()) {
        limited += reason == "conversion_limit";
        capped += reason == "reward_cap";
    }
    for (int c = 0; c < 20; ++c) {
        std::string code = "code" + std::to_string(c);
        EXPECT_EQ(balance("code:" + code, "approved"), 10000) << code;
        EXPECT_EQ(hget(key("stats:" + code), "conversions"), "30") << code;
    }
    EXPECT_EQ(limited, 20 * 20);
    EXPECT_EQ(capped, 20 * (30 - 6));  // the 7th is cut to 10.00, the rest to nothing
}

TEST_F(RewarddTest, RedisRestartIsSurvived) {
    start(R"(
[programme]
open_enrolment = true

[referrer]
percent = 10
)");
    add(conversion("e1", "ALICE", "o1", 10000));
    wait_applied();
    redis_.stop();
    // Without persistence the restarted Redis is empty: the daemon reconnects, creates its
    // group again and carries on.
    redis_.start();
    add(conversion("e2", "ALICE", "o2", 20000));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
    EXPECT_TRUE(daemon_.running());
    std::string metrics = testing_support::http_get(metrics_port_, "/metrics").body;
    EXPECT_NE(metrics.find("referral_rewardd_redis_reconnects_total 1"), std::string::npos)
        << metrics;
}

TEST_F(RewarddTest, ScriptCacheFlushIsSurvived) {
    start(R"(
[programme]
open_enrolment = true

[referrer]
percent = 10
)");
    add(conversion("e1", "ALICE", "o1", 10000));
    wait_applied();
    redis_.command({"SCRIPT", "FLUSH"});
    add(conversion("e2", "ALICE", "o2", 10000));
    wait_applied();
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
}

TEST_F(RewarddTest, TrimsOnlyWhatEveryGroupIsDoneWith) {
    start(R"(
[programme]
open_enrolment = true

[referrer]
percent = 10
)",
          "event_retention = \"0s\"\n");
    // Another group that has read nothing yet keeps every entry alive...
    redis_.command({"XGROUP", "CREATE", key("events"), "audit", "0", "MKSTREAM"});
    for (int i = 0; i < 10; ++i) {
        add(click("c" + std::to_string(i), "ALICE"));
    }
    ASSERT_TRUE(eventually([&] { return hget(key("stats:ALICE"), "clicks") == "10"; }));
    EXPECT_EQ(redis_.command({"XLEN", key("events")})->integer, 10);
    // ...until it has read and acknowledged them (the newest is kept as the trim point).
    testing_support::Reply read = redis_.command(
        {"XREADGROUP", "GROUP", "audit", "a", "COUNT", "100", "STREAMS", key("events"), ">"});
    const redisReply *entries = read->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply *id = entries->element[i]->element[0];
        redis_.command({"XACK", key("events"), "audit", std::string(id->str, id->len)});
    }
    ASSERT_TRUE(eventually([&] { return redis_.command({"XLEN", key("events")})->integer == 1; }));
}

}  // namespace
}  // namespace rewardd_test
