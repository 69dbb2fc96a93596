// Redis that fails over under the pipeline: a Sentinel promoting the replica of the master, a
// Redis Cluster moving the events' slot to its replica or resharding it to another master. The
// final ledger is checked to the cent.
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "faults_fixture.h"
#include "redis_cluster.h"
#include "redis_sentinel.h"

namespace faults_test {
namespace {

using testing_support::eventually;
using testing_support::RedisServer;
using namespace std::chrono_literals;

const std::string kEvents = "{referral}:events";
const std::string kLedger = "{referral}:ledger";

// Minor units as the daemon prints them: "12.34".
std::string money(int64_t cents) {
    char text[32];
    snprintf(text, sizeof text, "%lld.%02lld", static_cast<long long>(cents / 100),
             static_cast<long long>(cents % 100));
    return text;
}

size_t ledger_size(const RedisServer &server) {
    try {
        return static_cast<size_t>(server.command({"XLEN", kLedger})->integer);
    } catch (const std::runtime_error &) {
        return 0;
    }
}

// XLEN on a node importing the key's slot, which answers only after ASKING.
size_t asking_xlen(const RedisServer &server, const std::string &key) {
    testing_support::Context c = server.connect();
    testing_support::Reply ok(static_cast<redisReply *>(redisCommand(c.get(), "ASKING")));
    testing_support::Reply n(
        static_cast<redisReply *>(redisCommand(c.get(), "XLEN %b", key.data(), key.size())));
    return n && n->type == REDIS_REPLY_INTEGER ? static_cast<size_t>(n->integer) : 0;
}

// Conversions at about 1,000 a second (or as many as the machine gives), in batches of 100,
// until `faulted` says the fault is over and another second's worth went through; answered
// collects what nginx answered with 200. Prints the rate reached.
class Load {
  public:
    using Checkout =
        std::function<std::vector<Order>(const std::vector<Order> &, std::atomic<int> *)>;
    Load(Checkout checkout, const std::string &prefix) : start_(Clock::now()) {
        thread_ = std::thread([this, checkout, prefix] {
            for (int batch = 0, after = 0; after < 10; ++batch) {
                after += faulted ? 1 : 0;
                // Pacing, so that the books settle in a bounded time: the fault waits on
                // progress, not on this.
                std::this_thread::sleep_until(start_ + batch * 100ms);
                std::vector<Order> got =
                    checkout(make_orders(prefix + std::to_string(batch), 100), &progress);
                std::lock_guard<std::mutex> lock(mutex_);
                answered.insert(answered.end(), got.begin(), got.end());
            }
        });
    }
    // A test that stopped early still waits for the load it started.
    ~Load() {
        faulted = true;
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    // Waits for the last batches; returns what nginx answered.
    std::vector<Order> finish() {
        faulted = true;
        thread_.join();
        double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        std::cout << "[ MEASURED ] " << progress << " conversions in " << seconds
                  << " s: " << progress / seconds << " a second\n";
        return answered;
    }

    std::atomic<int> progress{0};
    std::atomic<bool> faulted{false};

  private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point start_;
    std::mutex mutex_;
    std::vector<Order> answered;
    std::thread thread_;
};

// What the fault cost, for the record (docs/operations.md): events sent twice, the module's
// counters of connection errors and spooled events.
void report(const std::string &what, const RedisServer &books, const std::vector<Order> &answered,
            const nlohmann::json &status) {
    long long stream = books.command({"XLEN", kEvents})->integer;
    std::cout << "[ MEASURED ] " << what << ": " << answered.size() << " answered, " << stream
              << " events in the stream (" << stream - static_cast<long long>(answered.size())
              << " sent twice), redis_errors " << status["redis_errors"] << ", events_spooled "
              << status["events_spooled"] << "\n";
}

// A master, its replica and one Sentinel (SENTINEL FAILOVER needs no quorum). redis is always
// the current master.
class SentinelTest : public FaultsTest {
  protected:
    void SetUp() override {
        start_redis(testing_support::kPromptReplication);
        replica = testing_support::start_replica(redis->port());
        sentinel = std::make_unique<testing_support::RedisSentinel>("shop", redis->port());
        // First in the lists: a Sentinel that is down, which the others stand in for.
        down_sentinel = "127.0.0.1:" + std::to_string(testing_support::free_port());
    }
    void TearDown() override {
        FaultsTest::TearDown();
        sentinel.reset();
    }

    std::string daemon_redis() const {
        return "sentinels = [\"" + down_sentinel +
               "\", \"127.0.0.1:" + std::to_string(sentinel->port()) +
               "\"]\nmaster_name = \"shop\"\n";
    }
    // The replica has everything written so far when the failover starts, however far a busy
    // machine let it fall behind: what the test measures is the failover, not a lagging link.
    void failover() {
        ASSERT_EQ(redis->replicated(1, 60000), 1);
        sentinel->failover(*redis);
        std::swap(redis, replica);
    }

    std::unique_ptr<RedisServer> replica;
    std::unique_ptr<testing_support::RedisSentinel> sentinel;
    std::string down_sentinel;
};

// Three masters with a replica each; redis is left unset: books() is the master serving the
// {referral} slot at the time.
class ClusterTest : public FaultsTest {
  protected:
    RedisServer &books() const override { return cluster.owner(kEvents); }
    std::string redis_address() const override { return address; }

    testing_support::RedisCluster cluster;
    std::string address;  // for nginx and, unless the test says, the daemon
};

// The module's events, all on the replica too, are applied by a daemon that finds the master
// through the Sentinels: the failover in the middle of it costs nothing and doubles nothing.
TEST_F(SentinelTest, DaemonAppliesThroughAFailover) {
    start_nginx();
    std::vector<Order> answered = checkout(make_orders("backlog", 3000));
    ASSERT_EQ(answered.size(), 3000u);
    events(answered.size());
    ASSERT_EQ(redis->replicated(1, 60000), 1);
    start_daemon(daemon_redis());
    ASSERT_TRUE(eventually([&] { return ledger_size(*redis) > 100; }, 60s));
    failover();
    expect_ledger(answered);
}

// nginx and the daemon find the master through the Sentinels (the first one listed is down).
// Conversions keep coming while the replica is promoted and the old master demoted: the module
// counts an event delivered once the replica has it too (WAIT), so nothing the old master alone
// took is lost, and whatever it sends twice the ledger counts once.
TEST_F(SentinelTest, FailoverUnderLoadLosesAndDoublesNothing) {
    start_nginx("sentinel=" + down_sentinel + ",127.0.0.1:" + std::to_string(sentinel->port()) +
                " master=shop");
    start_daemon(daemon_redis());
    Load load([this](const auto &o, auto *p) { return checkout(o, p); }, "sentinel");
    ASSERT_TRUE(eventually([&] { return load.progress > 1000; }, 60s));
    failover();
    std::vector<Order> answered = load.finish();
    ASSERT_GT(answered.size(), 0u);
    EXPECT_EQ(answered.size(), static_cast<size_t>(load.progress.load()));
    expect_ledger(answered);
    report("Sentinel failover", *redis, answered, status());
}

// nginx is given a node that does not serve the {referral} slot and follows MOVED to the one
// that does; a manual failover under load moves the slot to its replica, and the module follows
// the next MOVED there.
TEST_F(ClusterTest, FailoverUnderLoadLosesAndDoublesNothing) {
    address = "127.0.0.1:" + std::to_string(cluster.other_than_owner(kEvents).port());
    start_nginx();
    start_daemon();
    Load load([this](const auto &o, auto *p) { return checkout(o, p); }, "cluster");
    ASSERT_TRUE(eventually([&] { return load.progress > 1000; }, 60s));
    cluster.failover(kEvents);
    std::vector<Order> answered = load.finish();
    ASSERT_GT(answered.size(), 0u);
    EXPECT_EQ(answered.size(), static_cast<size_t>(load.progress.load()));
    expect_ledger(answered);
    report("Cluster failover", books(), answered, status());
}

// The {referral} slot is resharded to another master under load: once its keys have moved, the
// old master answers ASK, and the module sends its XADDs to the new one after ASKING; once the
// slot is settled, MOVED.
TEST_F(ClusterTest, SlotMigrationUnderLoadLosesAndDoublesNothing) {
    address = "127.0.0.1:" + std::to_string(cluster.owner(kEvents).port());
    start_nginx();
    start_daemon();
    Load load([this](const auto &o, auto *p) { return checkout(o, p); }, "reshard");
    ASSERT_TRUE(eventually([&] { return load.progress > 1000; }, 60s));
    cluster.migrate(kEvents, [&](RedisServer &to) {
        // Before the slot is given to it, the new master takes only the events of those that
        // followed an ASK. (The daemon follows it too, but Redis refuses its multi-key scripts
        // with TRYAGAIN until the slot is settled: it applies them afterwards.)
        size_t events = asking_xlen(to, kEvents);
        EXPECT_TRUE(eventually([&] { return asking_xlen(to, kEvents) > events + 100; }, 60s))
            << events << " events before";
    });
    std::vector<Order> answered = load.finish();
    ASSERT_GT(answered.size(), 0u);
    EXPECT_EQ(answered.size(), static_cast<size_t>(load.progress.load()));
    expect_ledger(answered);
    report("Cluster slot migration", books(), answered, status());
}

// The daemon is given a node that does not serve the slot: it follows MOVED to the master,
// then, after a manual failover, to the promoted replica.
TEST_F(ClusterTest, DaemonAppliesThroughAFailover) {
    RedisServer &master = cluster.owner(kEvents);
    address = "127.0.0.1:" + std::to_string(master.port());
    start_nginx();
    std::vector<Order> answered = checkout(make_orders("backlog", 3000));
    ASSERT_EQ(answered.size(), 3000u);
    master.stream(kEvents, answered.size());
    start_daemon("address = \"127.0.0.1:" +
                 std::to_string(cluster.other_than_owner(kEvents).port()) + "\"\n");
    ASSERT_TRUE(eventually([&] { return ledger_size(master) > 100; }, 60s));
    cluster.failover(kEvents);
    expect_ledger(answered);

    // A one-shot command, given the same node, reads the books where they are.
    std::string out;
    EXPECT_EQ(testing_support::run_command({REWARDD_BINARY, "balance", "alice", "--config",
                                            daemon_dir.path() + "/rewards.toml"},
                                           &out),
              0)
        << out;
    EXPECT_NE(out.find("EUR pending 0.00 approved " + money(rewards_of(answered)["alice"])),
              std::string::npos)
        << out;
}

}  // namespace
}  // namespace faults_test
