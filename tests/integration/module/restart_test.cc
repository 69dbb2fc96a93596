// nginx reloaded, quit or stopped while events are on their way to Redis: none is lost and none
// doubled.

#include <atomic>
#include <set>
#include <thread>

#include "sink_fixture.h"

namespace module_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

TEST_F(SinkTest, ReloadMidStreamNeitherLosesNorDoubles) {
    start_redis();
    start(site(), "worker_processes 2;");
    std::atomic<int> progress{0};
    std::set<std::string> sent;
    std::thread load([&] { sent = clicks(1500, 8, &progress); });
    eventually([&] { return progress > 300; });
    nginx_->reload();
    eventually([&] { return progress > 900; });
    nginx_->reload();
    load.join();
    EXPECT_EQ(sent.size(), 1500u);
    expect_delivered_once(sent);
    EXPECT_EQ(status()["events_acked"], 1500);
}

TEST_F(SinkTest, QuitMidStreamThenRestartNeitherLosesNorDoubles) {
    start_redis();
    start(site(), "worker_processes 2;");
    std::atomic<int> progress{0};
    std::set<std::string> sent;
    std::thread load([&] { sent = clicks(1500, 8, &progress); });
    eventually([&] { return progress > 500; });
    nginx_->stop();  // SIGQUIT
    load.join();
    nginx_->start();
    expect_delivered_once(sent);
}

// A reload while a worker replays its spool: XADDs it wrote are held by Redis (CLIENT PAUSE),
// the exiting worker waits for their replies, records how far the file was acknowledged, and
// the new worker goes on from there. The worker's Redis user stays disabled until the pause is
// in place, so no XADD can slip through before it, however fast the worker reconnects.
TEST_F(SinkTest, ReloadMidReplayNeitherLosesNorDoubles) {
    start_redis({"--user", "nginx", "off", ">s3cret", "~*", "&*", "+@all"});
    testing_support::TempDir dir;
    testing_support::write_file(dir.path() + "/pw", "s3cret\n");
    redis->command({"ACL", "SETUSER", "nginx", "on"});
    start(site("timeout=10s user=nginx password_file=" + dir.path() + "/pw"));
    redis->stop();
    auto sent = clicks(3000);
    ASSERT_EQ(sent.size(), 3000u);
    redis->start();  // with the user disabled again, as configured
    redis->command({"CLIENT", "PAUSE", "600000", "WRITE"});
    redis->command({"ACL", "SETUSER", "nginx", "on"});
    ASSERT_TRUE(eventually([&] { return status()["events_sent"].get<long long>() > 0; }));
    EXPECT_EQ(stream_length(), 0);
    nginx_->reload();
    // Paused until the old worker is exiting, however long it takes to see the reload: the
    // replies it waits for then come while it exits.
    ASSERT_TRUE(eventually(
        [&] { return nginx_->error_log().find("referral: exiting") != std::string::npos; }));
    redis->command({"CLIENT", "UNPAUSE"});
    expect_delivered_once(sent);
    EXPECT_NE(nginx_->error_log().find("replaying spool file"), std::string::npos)
        << nginx_->error_log();
}

// Events made while Redis is down go to the spool; the next nginx replays them.
TEST_F(SinkTest, StopWithRedisDownKeepsEventsForTheNextStart) {
    start_redis();
    redis->stop();
    start(site(), "worker_processes 2;");
    auto sent = clicks(100);
    nginx_->stop();
    EXPECT_GT(spool_files(), 0u);
    redis->start();
    nginx_->start();
    expect_delivered_once(sent);
}

// A Redis that accepts connections but does not answer yet: events wait in memory, and the
// worker spools them when told to quit (SIGQUIT) or to stop (SIGTERM).
// Without a spool a reload hands the old workers' queues to the new workers through the queue
// zone: with Redis down throughout, nothing is lost.
TEST_F(SinkTest, ReloadWithoutSpoolHandsTheQueueOver) {
    start_redis();
    redis->stop();
    std::string conf = site();
    size_t spool = conf.find("referral_spool");
    conf.erase(spool, conf.find('\n', spool) + 1 - spool);
    start(conf, "worker_processes 2;");
    auto sent = clicks(200);
    ASSERT_EQ(sent.size(), 200u);
    nginx_->reload();
    ASSERT_TRUE(eventually([&] { return status()["events_adopted"] == 200; }, 30s))
        << status().dump() << nginx_->error_log();
    redis->start();
    expect_delivered_once(sent);
    EXPECT_EQ(status()["events_dropped"], 0);
}

TEST_F(SinkTest, QuitSpoolsTheQueue) {
    start_redis();
    redis->freeze();
    start(site("timeout=60s"), "worker_processes 2;");
    auto sent = clicks(100);
    nginx_->stop();
    EXPECT_GT(spool_files(), 0u);
    redis->thaw();
    nginx_->start();
    expect_delivered_once(sent);
}

TEST_F(SinkTest, FastStopSpoolsTheQueue) {
    start_redis();
    redis->freeze();
    start(site("timeout=60s"), "worker_processes 2;");
    auto sent = clicks(100);
    nginx_->stop_fast();
    EXPECT_GT(spool_files(), 0u);
    redis->thaw();
    nginx_->start();
    expect_delivered_once(sent);
}

}  // namespace
}  // namespace module_test
