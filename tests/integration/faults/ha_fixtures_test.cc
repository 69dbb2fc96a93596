// The Sentinel and Cluster set-ups the failover tests run on: a forced failover completes and
// the promoted node has what the old master had replicated.
#include <gtest/gtest.h>

#include "redis_cluster.h"
#include "redis_sentinel.h"

namespace faults_test {
namespace {

using testing_support::RedisServer;

TEST(HaFixtures, SentinelFailoverPromotesTheReplica) {
    RedisServer master(testing_support::kPromptReplication);
    std::unique_ptr<RedisServer> replica = testing_support::start_replica(master.port());
    testing_support::RedisSentinel sentinel("shop", master.port());
    ASSERT_EQ(sentinel.master_port(), master.port());
    master.command({"SET", "{referral}:x", "1"});
    ASSERT_EQ(master.replicated(1, 60000), 1);
    EXPECT_EQ(sentinel.failover(master), replica->port());
    EXPECT_EQ(replica->info("replication", "role"), "master");
    EXPECT_EQ(std::string(replica->command({"GET", "{referral}:x"})->str), "1");
}

TEST(HaFixtures, ClusterFailoverMovesTheSlot) {
    testing_support::RedisCluster cluster;
    RedisServer &before = cluster.owner("{referral}:x");
    before.command({"SET", "{referral}:x", "1"});
    cluster.failover("{referral}:x");
    RedisServer &after = cluster.owner("{referral}:x");
    ASSERT_NE(&after, &before);
    EXPECT_EQ(std::string(after.command({"GET", "{referral}:x"})->str), "1");
    EXPECT_EQ(before.command({"GET", "{referral}:x"})->type, REDIS_REPLY_ERROR);  // MOVED
}

}  // namespace
}  // namespace faults_test
