// nginx reloaded over and over, and a worker killed outright, while it takes conversions.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "faults_fixture.h"

namespace faults_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

// Ten rounds of conversions, each with a reload signalled while its requests run.
TEST_F(FaultsTest, ReloadStormLosesAndDoublesNothing) {
    start_redis();
    start_nginx();
    start_daemon();
    std::vector<Order> sent, answered;
    for (int round = 0; round < 10; ++round) {
        std::vector<Order> orders = make_orders("reload" + std::to_string(round), 150);
        sent.insert(sent.end(), orders.begin(), orders.end());
        std::atomic<int> progress{0};
        std::vector<Order> done;
        std::thread load([&] { done = checkout(orders, &progress); });
        eventually([&] { return progress > 30; }, 60s);
        nginx_->reload();
        load.join();
        answered.insert(answered.end(), done.begin(), done.end());
    }
    ASSERT_EQ(answered.size(), sent.size());
    expect_ledger(answered);
}

class WorkerKillTest : public FaultsTest {
  protected:
    // SIGKILLs one of the workers (they take turns) and waits until the master has replaced it.
    void kill_a_worker(size_t turn) {
        std::vector<pid_t> workers = worker_pids();
        ASSERT_FALSE(workers.empty());
        pid_t victim = workers[turn % workers.size()];
        allow_in_log("worker process " + std::to_string(victim) + " exited on signal 9");
        // Killed while it held the queue zone's lock: the master says so and force-unlocks it.
        allow_in_log("shared memory zone \"referral_queue\" was locked by " +
                     std::to_string(victim));
        kill(victim, SIGKILL);
        ASSERT_TRUE(eventually(
            [&] {
                std::vector<pid_t> now = worker_pids();
                return now.size() == workers.size() &&
                       std::find(now.begin(), now.end(), victim) == now.end();
            },
            60s));
    }

    // Orders sent from a thread, round after round, while a worker is killed `kills` times,
    // each after 100 more requests; the load stops only after the last kill, so every kill
    // interrupts it. Returns the orders nginx answered; `sent` gets all of them.
    std::vector<Order> checkout_killing(const std::string &prefix, int kills,
                                        std::vector<Order> *sent) {
        std::atomic<bool> done{false};
        std::atomic<int> progress{0};
        std::vector<Order> answered;
        std::thread load([&] {
            for (int round = 0; !done; ++round) {
                std::vector<Order> orders = make_orders(prefix + std::to_string(round), 60);
                std::vector<Order> got = checkout(orders, &progress);
                sent->insert(sent->end(), orders.begin(), orders.end());
                answered.insert(answered.end(), got.begin(), got.end());
            }
        });
        for (int k = 0; k < kills; ++k) {
            const int target = progress + 100;
            EXPECT_TRUE(eventually([&] { return progress > target; }, 60s));
            kill_a_worker(k);
        }
        done = true;
        load.join();
        return answered;
    }

    // Every answered order reaches the ledger exactly once, whatever the kills interrupted:
    // the events a dead worker held are sent by another. Events Redis had taken before the kill
    // may be in the stream twice, under one event id, which the daemon applies once. Orders
    // nginx did not answer may arrive too (the worker died after making the event).
    void expect_nothing_lost(const std::vector<Order> &orders, const std::vector<Order> &answered,
                             const char *what) {
        std::set<std::string> delivered;
        size_t entries = 0;
        auto all_there = [&] {
            delivered = ledger_orders(&entries);
            for (const Order &o : answered) {
                if (!delivered.count(o.id)) {
                    return false;
                }
            }
            return true;
        };
        bool arrived = eventually(all_there, 120s);
        long long lost = 0;
        for (const Order &o : answered) {
            lost += delivered.count(o.id) ? 0 : 1;
        }
        std::map<std::string, std::set<std::string>> ids_of_order;
        size_t stream_entries = 0;
        for (testing_support::Fields &event : events()) {
            ids_of_order[event["order"]].insert(event["id"]);
            stream_entries++;
        }
        nlohmann::json s = status();
        std::cout << "[ MEASURED ] " << what << ": " << lost << " of " << answered.size()
                  << " answered orders lost, " << stream_entries - ids_of_order.size()
                  << " events in the stream twice, " << s["events_adopted"]
                  << " events taken over, " << orders.size() - answered.size()
                  << " requests unanswered\n";
        EXPECT_TRUE(arrived) << s.dump();
        EXPECT_EQ(lost, 0);
        for (const auto &[order, ids] : ids_of_order) {
            EXPECT_EQ(ids.size(), 1u) << "order " << order << " made more than one event";
        }

        std::vector<Order> kept;
        for (const Order &o : orders) {
            if (ids_of_order.count(o.id)) {
                kept.push_back(o);
            }
        }
        EXPECT_EQ(kept.size(), ids_of_order.size()) << "the stream holds an order never sent";
        expect_ledger(kept);
    }
};

// A healthy Redis: each kill interrupts XADDs in flight and events still gathering a batch.
TEST_F(WorkerKillTest, TwentyKillsUnderLoadLoseNothing) {
    start_redis();
    start_nginx();
    start_daemon();
    std::vector<Order> sent;
    std::vector<Order> answered = checkout_killing("load", 20, &sent);
    expect_nothing_lost(sent, answered, "20 worker SIGKILLs under load");
}

// Redis stalls (stopped: connected, not answering, within the module's timeout) from the start
// of the load, so that events pile up in the worker's queue, the first written to Redis and
// unanswered, while the worker holding them is killed again and again; Redis runs again at the
// end. One worker: only the one the master starts in its place can take its events over.
TEST_F(WorkerKillTest, TwentyKillsWhileRedisStallsLoseNothing) {
    start_redis();
    start_nginx("timeout=60s", "", "worker_processes 1;");
    start_daemon();
    redis->freeze();
    std::vector<Order> sent;
    std::vector<Order> answered = checkout_killing("stall", 20, &sent);
    redis->thaw();
    expect_nothing_lost(sent, answered, "20 worker SIGKILLs with Redis stalled");
}

}  // namespace
}  // namespace faults_test
