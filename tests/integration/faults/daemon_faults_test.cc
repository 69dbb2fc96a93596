// referral-rewardd killed at random points while it applies a stream of conversions: each
// event is applied by one atomic script that also acknowledges it, so whatever the instant of
// the kill, the next daemon claims what was pending and the books end exact.
#include <ctime>
#include <random>
#include <thread>

#include "faults_fixture.h"

namespace faults_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

// XADDs the orders as the module would send them, pipelined.
void add_conversions(const testing_support::RedisServer &redis, const std::vector<Order> &orders) {
    testing_support::Context c = redis.connect();
    const std::string ts = std::to_string(std::time(nullptr) * 1000LL);
    for (const Order &o : orders) {
        const std::string amount = std::to_string(o.amount);
        const std::pair<const char *, const char *> fields[] = {{"v", "1"},
                                                                {"type", "conversion"},
                                                                {"id", o.id.c_str()},
                                                                {"ts", ts.c_str()},
                                                                {"site", "shop"},
                                                                {"code", o.code.c_str()},
                                                                {"click", o.id.c_str()},
                                                                {"first_ts", ts.c_str()},
                                                                {"order", o.id.c_str()},
                                                                {"amount", amount.c_str()},
                                                                {"currency", "EUR"},
                                                                {"trust", "upstream"},
                                                                {"status", "200"}};
        std::vector<const char *> argv = {"XADD", "{referral}:events", "*"};
        for (const auto &[name, value] : fields) {
            argv.push_back(name);
            argv.push_back(value);
        }
        redisAppendCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), nullptr);
    }
    for (size_t i = 0; i < orders.size(); ++i) {
        void *reply = nullptr;
        ASSERT_EQ(redisGetReply(c.get(), &reply), REDIS_OK);
        testing_support::Reply r(static_cast<redisReply *>(reply));
        ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    }
}

long long ledger_length(const testing_support::RedisServer &redis) {
    return redis.command({"XLEN", "{referral}:ledger"})->integer;
}

TEST_F(FaultsTest, DaemonKilledTwentyTimesAppliesEachOrderOnce) {
    start_redis();
    start_daemon();
    std::vector<Order> orders = make_orders("daemon", 10000);
    std::mt19937 random(20251123);
    std::uniform_int_distribution<int> pause_ms(0, 150);
    const size_t batch = orders.size() / 20;
    for (size_t i = 0; i < 20; ++i) {
        std::vector<Order> part(orders.begin() + i * batch, orders.begin() + (i + 1) * batch);
        add_conversions(*redis, part);
        // Kill a daemon that is at work, at a random point of its batch.
        ASSERT_TRUE(eventually(
            [&] { return ledger_length(*redis) > static_cast<long long>(i * batch); }, 60s));
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
        kill_daemon();
        start_daemon();
    }
    expect_ledger(orders);
}

}  // namespace
}  // namespace faults_test
