// Delivery of events to Redis: the queue, the spool, outages, reload and stop, status.

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "module_fixture.h"

namespace module_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

class SinkTest : public ModuleTest {
  protected:
    // A capturing location answering with the request's click id, and both status formats.
    std::string site(const std::string &redis_params = "", const std::string &spool_params = "",
                     const std::string &address = "", const std::string &http_extra = "") {
        return "referral_secret_file @KEYS@;\n" + http_extra + "referral_redis " +
               (address.empty() ? "127.0.0.1:" + std::to_string(redis->port()) : address) + " " +
               redis_params +
               ";\n"
               "referral_spool @PREFIX@/spool " +
               spool_params +
               ";\n"
               "server {\n"
               "  listen 127.0.0.1:@PORT@; server_name shop.example;\n"
               "  location / { referral on; add_header X-Click $referral_click_id; return 200 ok; "
               "}\n"
               "  location = /status { referral_status; }\n"
               "  location = /metrics { referral_status prometheus; }\n"
               "}\n";
    }

    // Sends n capturing requests from several threads; returns the click ids of those answered
    // (all of them, unless nginx stops taking connections meanwhile).
    std::set<std::string> clicks(int n, int threads = 8, std::atomic<int> *progress = nullptr) {
        std::set<std::string> ids;
        std::mutex m;
        std::vector<std::thread> pool;
        std::atomic<int> next{0};
        for (int t = 0; t < threads; t++) {
            pool.emplace_back([&] {
                for (int i; (i = next++) < n;) {
                    testing_support::HttpResponse r;
                    try {
                        r = get("/?ref=u" + std::to_string(i) + "&utm_source=s" +
                                std::to_string(i));
                    } catch (const std::exception &) {
                        continue;  // nginx is stopping
                    }
                    if (progress)
                        ++*progress;
                    EXPECT_EQ(r.status, 200);
                    std::lock_guard<std::mutex> lock(m);
                    EXPECT_TRUE(ids.insert(r.header("x-click")).second);
                }
            });
        }
        for (auto &t : pool)
            t.join();
        return ids;
    }

    long long stream_length() {
        auto r = redis->command({"XLEN", "{referral}:events"});
        return r->integer;
    }

    // Waits until the stream holds every click (and the spool is empty), then checks that it
    // holds each exactly once.
    void expect_delivered_once(const std::set<std::string> &sent) {
        ASSERT_TRUE(eventually(
            [&] {
                return stream_length() >= static_cast<long long>(sent.size()) && spool_files() == 0;
            },
            20s))
            << stream_length() << " of " << sent.size() << ", spool files: " << spool_files()
            << "\n"
            << status().dump() << "\n"
            << nginx_->error_log();
        std::multiset<std::string> ids, click_ids;
        for (auto &e : events()) {
            ids.insert(e["id"]);
            click_ids.insert(e["click"]);
        }
        EXPECT_EQ(ids.size(), sent.size());
        EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicates";
        EXPECT_EQ(std::set<std::string>(click_ids.begin(), click_ids.end()), sent);
    }

    size_t spool_files() const {
        size_t n = 0;
        std::error_code ec;
        for (auto &e : std::filesystem::directory_iterator(nginx_->prefix() + "/spool", ec)) {
            if (e.path().extension() == ".spool")
                n++;
        }
        return n;
    }
};

TEST_F(SinkTest, ClickEventReachesTheStreamWithSchemaFields) {
    start_redis();
    start(site());
    auto r = get("/?ref=alice&utm_source=tg&utm_medium=social&utm_campaign=spring",
                 {"User-Agent: Mozilla/5.0 test"});
    ASSERT_EQ(r.status, 200);
    ASSERT_TRUE(eventually([&] { return stream_length() == 1; }));
    auto e = events().at(0);
    EXPECT_EQ(e["v"], "1");
    EXPECT_EQ(e["type"], "click");
    EXPECT_TRUE(std::regex_match(e["id"], std::regex("[A-Za-z0-9_-]{22}"))) << e["id"];
    EXPECT_NEAR(std::stoll(e["ts"]) / 1000.0, std::time(nullptr), 5);
    EXPECT_EQ(e["site"], "shop.example");
    EXPECT_EQ(e["code"], "alice");
    EXPECT_EQ(e["click"], r.header("x-click"));
    EXPECT_TRUE(std::regex_match(e["ip"], std::regex("[0-9a-f]{16}"))) << e["ip"];
    EXPECT_TRUE(std::regex_match(e["ua"], std::regex("[0-9a-f]{16}"))) << e["ua"];
    EXPECT_EQ(e["src"], "tg");
    EXPECT_EQ(e["med"], "social");
    EXPECT_EQ(e["cmp"], "spring");
}

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

// A reload while a worker replays its spool: XADDs it wrote are held by Redis (CLIENT PAUSE),
// the exiting worker waits for their replies, records how far the file was acknowledged, and
// the new worker goes on from there.
TEST_F(SinkTest, ReloadMidReplayNeitherLosesNorDoubles) {
    start_redis();
    start(site("timeout=10s"));
    redis->stop();
    auto sent = clicks(3000);
    ASSERT_EQ(sent.size(), 3000u);
    redis->start();
    redis->command({"CLIENT", "PAUSE", "2000", "WRITE"});
    ASSERT_TRUE(eventually([&] { return status()["events_sent"].get<long long>() > 0; }));
    EXPECT_EQ(stream_length(), 0);
    nginx_->reload();
    expect_delivered_once(sent);
    EXPECT_NE(nginx_->error_log().find("replaying spool file"), std::string::npos);
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

TEST_F(SinkTest, StatusJsonAndPrometheusAgree) {
    start_redis();
    start(site());
    auto sent = clicks(40, 4);
    nlohmann::json s;
    ASSERT_TRUE(eventually([&] {
        s = status();
        return s["events_acked"] == 40 && s["redis"]["connected_workers"] == 1;
    })) << s.dump();
    EXPECT_EQ(s["clicks"], 40);
    EXPECT_EQ(s["cookies_set"], 40);
    EXPECT_EQ(s["events_queued"], 40);
    EXPECT_EQ(s["events_sent"], 40);
    EXPECT_EQ(s["events_spooled"], 0);
    EXPECT_EQ(s["events_dropped"], 0);
    EXPECT_EQ(s["redis_errors"], 0);
    EXPECT_EQ(get("/status").header("content-type"), "application/json");

    auto m = get("/metrics");
    EXPECT_EQ(m.header("content-type"), "text/plain; version=0.0.4");
    std::map<std::string, long long> values;
    std::map<std::string, std::string> types;
    std::regex sample("([a-z_]+) ([0-9]+)"), type("# TYPE ([a-z_]+) (counter|gauge)");
    std::istringstream lines(m.body);
    for (std::string line; std::getline(lines, line);) {
        std::smatch g;
        if (std::regex_match(line, g, sample))
            values[g[1]] = std::stoll(g[2]);
        if (std::regex_match(line, g, type))
            types[g[1]] = g[2];
    }
    for (auto &[name, value] : s.items()) {
        if (name == "redis")
            continue;
        std::string metric = "referral_" + name + "_total";
        EXPECT_EQ(types[metric], "counter") << metric;
        EXPECT_EQ(values.count(metric), 1u) << metric;
        EXPECT_EQ(values[metric], value.get<long long>()) << metric;
    }
    EXPECT_EQ(types["referral_redis_connected_workers"], "gauge");
    EXPECT_EQ(values["referral_redis_connected_workers"], 1);
    EXPECT_EQ(values["referral_events_acked_total"], 40);
}

TEST_F(SinkTest, AuthenticatesWithUserAndPasswordFileAndSelectsTheDatabase) {
    start_redis();
    redis->command({"ACL", "SETUSER", "nginx", "on", ">s3cret pass", "~*", "+@all"});
    redis->command({"ACL", "SETUSER", "default", "off"});
    testing_support::TempDir dir;
    testing_support::write_file(dir.path() + "/redis.password", "  s3cret pass \r\n# ignored\n");
    start(site("db=3 user=nginx password_file=" + dir.path() + "/redis.password"));
    auto sent = clicks(10, 2);

    auto c = redis->connect();
    testing_support::Reply auth(
        static_cast<redisReply *>(redisCommand(c.get(), "AUTH nginx %s", "s3cret pass")));
    ASSERT_EQ(auth->type, REDIS_REPLY_STATUS);
    testing_support::Reply select(static_cast<redisReply *>(redisCommand(c.get(), "SELECT 3")));
    auto selected_events = [&] {
        return testing_support::read_stream(c.get(), "{referral}:events");
    };
    ASSERT_TRUE(eventually([&] { return selected_events().size() == 10; }));
    std::set<std::string> seen;
    for (auto &e : selected_events())
        seen.insert(e["click"]);
    EXPECT_EQ(seen, sent);
    testing_support::Reply db0(static_cast<redisReply *>(redisCommand(c.get(), "SELECT 0")));
    EXPECT_TRUE(selected_events().empty());
}

TEST_F(SinkTest, WrongPasswordIsLoggedAndEventsWait) {
    start_redis();
    redis->command({"CONFIG", "SET", "requirepass", "right"});
    testing_support::TempDir dir;
    testing_support::write_file(dir.path() + "/pw", "wrong\n");
    start(site("password_file=" + dir.path() + "/pw"));
    clicks(3, 1);
    ASSERT_TRUE(eventually([&] { return status()["redis_errors"].get<long long>() > 0; }));
    auto s = status();
    EXPECT_EQ(s["redis"]["connected_workers"], 0);
    EXPECT_EQ(s["events_dropped"], 0);
    EXPECT_NE(nginx_->error_log().find("AUTH refused"), std::string::npos);
}

TEST_F(SinkTest, UnixSocketAddress) {
    testing_support::TempDir dir;
    std::string sock = dir.path() + "/redis.sock";
    start_redis({"--unixsocket", sock, "--unixsocketperm", "777"});
    start(site("", "", "unix:" + sock));
    auto sent = clicks(20, 2);
    expect_delivered_once(sent);
}

// nginx -t names the directive and what is wrong with it.
TEST_F(SinkTest, ConfigurationMistakesFailTheTest) {
    testing_support::TempDir dir;
    testing_support::write_file(dir.path() + "/empty", "\n");
    struct Case {
        std::string directives, message;
    };
    const std::vector<Case> cases = {
        {"referral_redis 127.0.0.1:6379 password_file=" + dir.path() + "/missing;",
         "cannot open the password_file"},
        {"referral_redis 127.0.0.1:6379 password_file=" + dir.path() + "/empty;",
         "password_file \"" + dir.path() + "/empty\" of \"referral_redis\" is empty"},
        {"referral_redis 127.0.0.1:6379 user=nginx;", "has user= but no password_file="},
        {"referral_redis 127.0.0.1:6379 tmeout=1s;", "invalid parameter \"tmeout=1s\""},
        {"referral_redis 127.0.0.1:6379 db=x;", "invalid parameter \"db=x\""},
        {"referral_redis 127.0.0.1:6379 timeout=0;", "invalid parameter \"timeout=0\""},
        {"referral_redis 127.0.0.1:99999;", "invalid port"},
        {"referral_redis 127.0.0.1:6379; referral_redis 127.0.0.1:6380;",
         "\"referral_redis\" directive is duplicate"},
        {"referral_queue_size 0;", "invalid value \"0\" in \"referral_queue_size\""},
        {"referral_spool " + dir.path() + "/spool max_size=lots;",
         "invalid parameter \"max_size=lots\" in \"referral_spool\""},
    };
    for (const auto &c : cases) {
        std::string out;
        EXPECT_NE(test_config("referral_secret_file @KEYS@;\n" + c.directives +
                                  "\nserver { listen 127.0.0.1:@PORT@; server_name s; }\n",
                              &out),
                  0)
            << c.directives;
        EXPECT_NE(out.find(c.message), std::string::npos) << c.directives << "\n" << out;
    }
    std::string out;
    EXPECT_EQ(
        test_config("referral_secret_file @KEYS@;\n"
                    "referral_redis unix:/run/redis.sock db=2 \"prefix={shop}\" timeout=250ms;\n"
                    "referral_queue_size 50000;\n"
                    "referral_spool " +
                        dir.path() +
                        "/spool max_size=64m;\n"
                        "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                        "  location = /s { referral_status; } location = /m { referral_status "
                        "prometheus; } }\n",
                    &out),
        0)
        << out;
}

TEST_F(SinkTest, CustomPrefixNamesTheStream) {
    start_redis();
    start(site("\"prefix={shop2}\""));
    auto sent = clicks(3, 1);
    ASSERT_TRUE(eventually([&] {
        return redis->command({"XLEN", "{shop2}:events"})->integer == 3;
    }));
    EXPECT_EQ(stream_length(), 0);
}

}  // namespace
}  // namespace module_test
