// Redis killed, frozen, restarted empty, and gone long enough to fill the spool, while nginx
// takes conversions: the final ledger is checked to the cent.
#include <iostream>
#include <thread>

#include "faults_fixture.h"

namespace faults_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

const std::vector<std::string> kAof = {"--appendonly", "yes", "--appendfsync", "always"};

// SIGKILL while the workers pipeline XADDs: replies lost with the connection make the module
// send those events again, and the daemon counts each order once.
TEST_F(FaultsTest, RedisKilledMidBatchWithAofLosesAndDoublesNothing) {
    start_redis(kAof);
    start_nginx();
    start_daemon();
    std::atomic<int> progress{0};
    std::vector<Order> answered;
    std::thread load([&] { answered = checkout(make_orders("kill", 600), &progress); });
    ASSERT_TRUE(eventually([&] { return progress > 200; }, 60s));
    kill_redis();
    ASSERT_TRUE(eventually([&] { return progress > 400; }, 60s));
    redis->start();
    load.join();
    ASSERT_EQ(answered.size(), 600u);
    expect_ledger(answered);
}

// Frozen for longer than the module's reply timeout: the worker gives up on the connection
// and spools; the frozen Redis still executes what it had read once it runs again.
TEST_F(FaultsTest, RedisFrozenPastTheTimeoutLosesAndDoublesNothing) {
    start_redis();
    start_nginx("timeout=300ms");
    start_daemon();
    std::atomic<int> progress{0};
    std::vector<Order> answered;
    std::thread load([&] { answered = checkout(make_orders("freeze", 300), &progress); });
    ASSERT_TRUE(eventually([&] { return progress > 150; }, 60s));
    redis->freeze();
    // Orders made while Redis is frozen, so the module has events waiting for it however fast
    // the first load went.
    std::vector<Order> frozen = checkout(make_orders("frozen", 300));
    bool timed_out = eventually([&] { return status()["redis_errors"].get<long long>() > 0; }, 30s);
    redis->thaw();
    load.join();
    ASSERT_TRUE(timed_out) << status().dump();
    ASSERT_EQ(answered.size(), 300u);
    ASSERT_EQ(frozen.size(), 300u);
    answered.insert(answered.end(), frozen.begin(), frozen.end());
    expect_ledger(answered);
}

// A Redis that comes back empty has lost everything it held: the stream, the ledger, the
// balances, the consumer group and the order keys. What the module still held (its queues and
// spool files) arrives, and the daemon starts the books afresh from it.
TEST_F(FaultsTest, RedisRestartedEmptyKeepsOnlyWhatTheModuleHeld) {
    start_redis();
    start_nginx();
    start_daemon();
    std::vector<Order> before = checkout(make_orders("before", 150));
    ASSERT_EQ(before.size(), 150u);
    expect_ledger(before);

    kill_redis();
    std::vector<Order> during = checkout(make_orders("during", 300));
    ASSERT_EQ(during.size(), 300u);
    EXPECT_GT(status()["events_spooled"].get<long long>(), 0);
    redis->start();
    expect_ledger(during);  // "before" is gone with Redis' memory
}

// A spool too small for the outage, then a full queue: what fits in neither is dropped and
// counted, nginx keeps serving, and everything kept arrives once Redis is back.
TEST_F(FaultsTest, FullSpoolDropsAreCountedAndTheRestArrives) {
    start_redis();
    start_nginx("", "max_size=8k", "worker_processes 2;", "referral_queue_size 10;\n");
    start_daemon();
    kill_redis();
    std::vector<Order> answered = checkout(make_orders("full", 300));
    ASSERT_EQ(answered.size(), 300u);
    nlohmann::json s;
    ASSERT_TRUE(eventually([&] {
        s = status();
        return s["events_spooled"].get<long long>() + s["events_queued"].get<long long>() +
                   s["events_dropped"].get<long long>() ==
               300;
    })) << s.dump();
    const long long dropped = s["events_dropped"].get<long long>();
    EXPECT_GT(dropped, 0);
    EXPECT_GT(s["events_spooled"].get<long long>(), 0);

    redis->start();
    size_t entries = 0;
    std::set<std::string> delivered;
    ASSERT_TRUE(eventually(
        [&] {
            delivered = ledger_orders(&entries);
            return entries == 300 - static_cast<size_t>(dropped);
        },
        60s))
        << entries << " ledger entries, " << dropped << " dropped, " << status().dump();
    EXPECT_EQ(status()["events_dropped"], dropped);
    std::vector<Order> kept;
    for (const Order &o : answered) {
        if (delivered.count(o.id)) {
            kept.push_back(o);
        }
    }
    EXPECT_EQ(kept.size(), delivered.size()) << "the ledger holds an order never sent";
    std::cout << "[ MEASURED ] spool full: " << dropped << " of 300 dropped and counted, "
              << kept.size() << " delivered\n";
    expect_ledger(kept);
}

}  // namespace
}  // namespace faults_test
