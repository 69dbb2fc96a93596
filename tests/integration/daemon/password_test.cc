// The daemon against a Redis that requires a password, read from a file written on Windows (a
// CRLF line end), as nginx's module reads the same file.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::Context;
using testing_support::Reply;

constexpr char kPassword[] = "s3cret pass";

TEST_F(RewarddTest, CrlfPasswordFileAgainstRequirepass) {
    const std::string password_file = dir_.path() + "/redis.password";
    testing_support::write_file(password_file, std::string(kPassword) + "\r\n");
    metrics_port_ = testing_support::free_port();
    config_ = dir_.path() + "/rewards.toml";
    testing_support::write_file(
        config_, "[redis]\naddress = \"127.0.0.1:" + std::to_string(redis_.port()) +
                     "\"\npassword_file = \"" + password_file +
                     "\"\n\n[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port_) +
                     "\"\n\n[programme]\ncurrency = \"EUR\"\n\n[referrer]\npercent = 10\n");
    Reply set = redis_.command({"CONFIG", "SET", "requirepass", kPassword});
    ASSERT_EQ(set->type, REDIS_REPLY_STATUS);

    daemon_ = spawn();
    ASSERT_TRUE(testing_support::wait_for_port(metrics_port_, std::chrono::seconds(10)));
    enroll("alice", "ALICE");

    Context c = redis_.connect();
    Reply auth(static_cast<redisReply *>(redisCommand(c.get(), "AUTH %s", kPassword)));
    ASSERT_EQ(auth->type, REDIS_REPLY_STATUS);
    std::vector<std::string> argv = {"XADD", key("events"), "*"};
    for (const auto &[name, value] : conversion("e1", "ALICE", "o1", 10000)) {
        argv.push_back(name);
        argv.push_back(value);
    }
    std::vector<const char *> args;
    std::vector<size_t> lengths;
    for (const std::string &a : argv) {
        args.push_back(a.data());
        lengths.push_back(a.size());
    }
    Reply added(static_cast<redisReply *>(
        redisCommandArgv(c.get(), static_cast<int>(args.size()), args.data(), lengths.data())));
    ASSERT_EQ(added->type, REDIS_REPLY_STRING);

    std::string out;
    EXPECT_TRUE(testing_support::eventually(
        [&] {
            return cli({"balance", "ALICE"}, &out) == 0 &&
                   out == "EUR pending 0.00 approved 10.00 paid 0.00\n";
        },
        std::chrono::seconds(30)))
        << out << testing_support::read_file(dir_.path() + "/rewardd.log");
}

}  // namespace
}  // namespace rewardd_test
