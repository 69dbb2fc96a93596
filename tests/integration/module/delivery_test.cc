// Delivery to Redis: the click event as it reaches the stream, the address, authentication,
// database and key prefix of the connection, and the sink's configuration mistakes.

#include <ctime>
#include <regex>
#include <set>

#include "sink_fixture.h"

namespace module_test {
namespace {

using testing_support::eventually;

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

TEST_F(SinkTest, CustomPrefixNamesTheStream) {
    start_redis();
    start(site("\"prefix={shop2}\""));
    auto sent = clicks(3, 1);
    ASSERT_TRUE(eventually([&] {
        return redis->command({"XLEN", "{shop2}:events"})->integer == 3;
    }));
    EXPECT_EQ(stream_length(), 0);
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
        {"referral_redis sentinel=127.0.0.1:26379;",
         "\"referral_redis\" has sentinel= but no master="},
        {"referral_redis 127.0.0.1:6379 master=shop;",
         "\"referral_redis\" has master= but no sentinel="},
        {"referral_redis 127.0.0.1:6379 sentinel=127.0.0.1:26379 master=shop;",
         "\"referral_redis\" takes an address or sentinel=, not both"},
        {"referral_redis sentinel=127.0.0.1:26379,,127.0.0.1:26380 master=shop;",
         "empty address in \"sentinel=127.0.0.1:26379,,127.0.0.1:26380\" of \"referral_redis\""},
        {"referral_redis sentinel=127.0.0.1:99999 master=shop;", "invalid port"},
        {"referral_redis sentinel=127.0.0.1:26379 master=;", "invalid parameter \"master=\""},
        {"referral_redis 127.0.0.1:6379 replicas=x;", "invalid parameter \"replicas=x\""},
        {"referral_queue_size 0;", "invalid value \"0\" in \"referral_queue_size\""},
        {"referral_redis 127.0.0.1:6379; referral_queue_zone 64k;",
         "\"referral_queue_zone\" of 65536 bytes is too small"},
        {"referral_queue_zone lots;", "\"referral_queue_zone\" directive invalid value"},
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
                    "referral_queue_zone 1m;\n"
                    "referral_spool " +
                        dir.path() +
                        "/spool max_size=64m;\n"
                        "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                        "  location = /s { referral_status; } location = /m { referral_status "
                        "prometheus; } }\n",
                    &out),
        0)
        << out;
    EXPECT_EQ(test_config("referral_secret_file @KEYS@;\n"
                          "referral_redis sentinel=127.0.0.1:26379,localhost master=shop "
                          "replicas=2 db=1;\n"
                          "server { listen 127.0.0.1:@PORT@; server_name s; }\n",
                          &out),
              0)
        << out;
}

}  // namespace
}  // namespace module_test
