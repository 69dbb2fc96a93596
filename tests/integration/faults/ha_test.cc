// Redis that fails over under the pipeline: a Sentinel promoting the replica of the master, a
// Redis Cluster moving the events' slot to its replica. The final ledger is checked to the cent.
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

size_t ledger_size(const RedisServer &server) {
    try {
        return static_cast<size_t>(server.command({"XLEN", "{referral}:ledger"})->integer);
    } catch (const std::runtime_error &) {
        return 0;
    }
}

// A master, its replica and one Sentinel (SENTINEL FAILOVER needs no quorum). redis is always
// the current master.
class SentinelTest : public FaultsTest {
  protected:
    void SetUp() override {
        start_redis();
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
    void failover() {
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
    redis->command({"WAIT", "1", "10000"});
    start_daemon(daemon_redis());
    ASSERT_TRUE(eventually([&] { return ledger_size(*redis) > 100; }, 60s));
    failover();
    expect_ledger(answered);
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
}

}  // namespace
}  // namespace faults_test
