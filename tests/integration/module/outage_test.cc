// Redis down, frozen or answering errors: events wait in the queue and the spool and arrive
// once; what fits in neither is lost, counted and logged.

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include "sink_fixture.h"

namespace module_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

TEST_F(SinkTest, OutageIsSpooledAndReplayedOnce) {
    start_redis();
    start(site(), "worker_processes 2;");
    redis->stop();
    auto sent = clicks(2000);
    ASSERT_EQ(sent.size(), 2000u);
    EXPECT_GT(status()["events_spooled"].get<long long>(), 0);
    redis->start();
    expect_delivered_once(sent);
    auto s = status();
    EXPECT_EQ(s["events_dropped"], 0);
    EXPECT_EQ(s["events_acked"], 2000);
}

TEST_F(SinkTest, FrozenRedisDoesNotHoldRequestsAndLosesNothing) {
    start_redis();
    start(site("timeout=300ms"));
    auto before = clicks(50);
    ASSERT_TRUE(eventually([&] { return stream_length() == 50; }));
    redis->freeze();
    auto during = clicks(300);
    EXPECT_EQ(during.size(), 300u);
    // Replies time out: the worker gives up on the connection and spools what comes next.
    ASSERT_TRUE(eventually([&] { return status()["redis_errors"].get<long long>() > 0; }));
    auto after = clicks(100);
    EXPECT_EQ(after.size(), 100u);
    EXPECT_GT(status()["events_spooled"].get<long long>(), 0)
        << status().dump() << nginx_->error_log();
    redis->thaw();
    // A reply lost to the timeout may duplicate an event here; none may be missing.
    before.insert(during.begin(), during.end());
    before.insert(after.begin(), after.end());
    ASSERT_TRUE(eventually(
        [&] {
            std::set<std::string> seen;
            for (auto &e : events())
                seen.insert(e["click"]);
            return seen == before && spool_files() == 0;
        },
        20s))
        << status().dump() << nginx_->error_log();
}

TEST_F(SinkTest, ConversionsMadeDuringAnOutageArriveOnce) {
    start_redis();
    start(
        "referral_secret_file @KEYS@;\n"
        "referral_redis 127.0.0.1:" +
        std::to_string(redis->port()) +
        ";\n"
        "referral_spool @PREFIX@/spool;\n"
        "server { listen 127.0.0.1:@PORT@; server_name shop.example;\n"
        "  location /done { referral_conversion on; referral_conversion_order_id $arg_o;\n"
        "    referral_conversion_amount $arg_total; return 200 thanks; } }\n");
    redis->stop();
    std::string cookie = "Cookie: ref=" + sign("alice", std::time(nullptr) - 60);
    for (int i = 0; i < 20; i++) {
        ASSERT_EQ(get("/done?o=order-" + std::to_string(i) + "&total=9.99", {cookie}).status, 200);
    }
    redis->start();
    ASSERT_TRUE(eventually([&] { return stream_length() == 20 && spool_files() == 0; }, 20s));
    std::map<std::string, int> orders;
    for (auto &e : events()) {
        EXPECT_EQ(e["type"], "conversion");
        EXPECT_EQ(e["code"], "alice");
        EXPECT_EQ(e["amount"], "999");
        orders[e["order"]]++;
    }
    EXPECT_EQ(orders.size(), 20u);
    for (auto &[order, n] : orders)
        EXPECT_EQ(n, 1) << order;
}

// Redis stalls with a queue zone too small for what is made meanwhile: the zone holds what it
// can, the rest goes to the spool, as when the queue is full, and everything arrives once.
TEST_F(SinkTest, FullQueueZoneSpoolsTheRest) {
    start_redis();
    redis->freeze();
    start(site("timeout=60s", "", "", "referral_queue_zone 128k;\n"));
    auto sent = clicks(600);
    ASSERT_EQ(sent.size(), 600u);
    nlohmann::json s;
    ASSERT_TRUE(eventually([&] {
        s = status();
        return s["events_spooled"].get<long long>() + s["events_queued"].get<long long>() == 600;
    })) << s.dump();
    EXPECT_GT(s["events_spooled"].get<long long>(), 0) << s.dump();
    EXPECT_EQ(s["events_dropped"], 0);
    redis->thaw();
    expect_delivered_once(sent);
}

// The spool full, events wait in the queue; the queue full too, they are lost, counted and
// logged. Everything not counted as lost is delivered once Redis is back.
TEST_F(SinkTest, FullSpoolThenFullQueueDropsAreCountedAndLogged) {
    start_redis();
    redis->stop();
    start(site("", "max_size=2k", "", "referral_queue_size 10;\n"));
    auto sent = clicks(100, 2);
    ASSERT_EQ(sent.size(), 100u);
    nlohmann::json s;
    ASSERT_TRUE(eventually([&] {
        s = status();
        return s["events_spooled"].get<long long>() + s["events_queued"].get<long long>() +
                   s["events_dropped"].get<long long>() ==
               100;
    })) << s.dump();
    EXPECT_EQ(s["events_queued"], 10);
    EXPECT_GT(s["events_spooled"].get<long long>(), 0);
    long long dropped = s["events_dropped"].get<long long>();
    EXPECT_GT(dropped, 50);
    EXPECT_NE(nginx_->error_log().find("is full"), std::string::npos);

    redis->start();
    ASSERT_TRUE(
        eventually([&] { return stream_length() == 100 - dropped && spool_files() == 0; }, 20s))
        << stream_length() << " " << status().dump();
    std::set<std::string> ids;
    for (auto &e : events())
        ids.insert(e["id"]);
    EXPECT_EQ(ids.size(), static_cast<size_t>(100 - dropped));
}

// A full disk: writes to the spool fail, and the events wait in memory while it has room, as
// when the spool is full; none is lost, and all arrive once Redis is back. The spool is a 64 KiB
// tmpfs: mounting one needs root (CAP_SYS_ADMIN), so elsewhere the test is skipped.
TEST_F(SinkTest, FullDiskKeepsEventsInMemory) {
    testing_support::TempDir dir;
    const std::string spool = dir.path() + "/spool";
    ASSERT_EQ(mkdir(spool.c_str(), 0700), 0);
    if (mount("tmpfs", spool.c_str(), "tmpfs", 0, "size=64k,mode=0700") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs: " << strerror(errno);
    }
    struct Unmount {
        std::string path;
        ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
    } unmount{spool};

    start_redis();
    redis->stop();
    std::string conf = site("", "", "", "referral_queue_size 1000;\n");
    conf.replace(conf.find("@PREFIX@/spool"), sizeof("@PREFIX@/spool") - 1, spool);
    start(conf);
    auto sent = clicks(600, 2);
    ASSERT_EQ(sent.size(), 600u);
    nlohmann::json s;
    ASSERT_TRUE(eventually([&] {
        s = status();
        return s["events_spooled"].get<long long>() + s["events_queued"].get<long long>() +
                   s["events_dropped"].get<long long>() >=
               600;
    })) << s.dump();
    EXPECT_GT(s["events_spooled"].get<long long>(), 0) << s.dump();
    EXPECT_GT(s["events_queued"].get<long long>(), 0) << s.dump();
    EXPECT_EQ(s["events_dropped"], 0) << s.dump();
    EXPECT_NE(nginx_->error_log().find("spool file"), std::string::npos) << nginx_->error_log();

    redis->start();
    std::set<std::string> ids;
    ASSERT_TRUE(eventually(
        [&] {
            ids.clear();
            for (auto &e : events())
                ids.insert(e["id"]);
            return ids.size() >= sent.size();
        },
        30s))
        << ids.size() << " of " << sent.size() << "\n"
        << status().dump();
    EXPECT_EQ(stream_length(), 600);
    EXPECT_EQ(status()["events_dropped"], 0);
}

TEST_F(SinkTest, ErrorRepliesKeepEventsUntilRedisTakesThem) {
    start_redis();
    redis->command({"SET", "{referral}:events", "not a stream"});
    start(site());
    auto sent = clicks(5, 1);
    ASSERT_TRUE(eventually([&] { return status()["redis_errors"].get<long long>() >= 5; }));
    EXPECT_NE(nginx_->error_log().find("WRONGTYPE"), std::string::npos);
    redis->command({"DEL", "{referral}:events"});
    expect_delivered_once(sent);
}

}  // namespace
}  // namespace module_test
