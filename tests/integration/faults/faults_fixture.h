// The whole pipeline under faults: conversions sent through the real nginx and module, delivered
// to a real redis-server, applied by the real referral-rewardd. The programme pays 10% of each
// order to its code at once, so a correct ledger is an exact sum the test can compute.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "module_fixture.h"
#include "process.h"

namespace faults_test {

struct Order {
    std::string id;
    std::string code;
    int64_t amount = 0;  // euro cents
    int64_t reward() const { return amount / 10; }
};

// count orders, spread over three codes, with amounts that differ.
std::vector<Order> make_orders(const std::string &prefix, int count);
// Expected code balances for these orders.
std::map<std::string, int64_t> rewards_of(const std::vector<Order> &orders);

class FaultsTest : public module_test::ModuleTest {
  protected:
    void TearDown() override;

    void kill_redis();  // SIGKILL: no chance to write anything more

    // nginx with a checkout location taking the order from its arguments (trust=request, which
    // the daemon's programme accepts). redis_params go on referral_redis after its address
    // (redis_address(), or none when they name sentinels), spool_params on referral_spool,
    // http_extra into http {}.
    void start_nginx(const std::string &redis_params = "", const std::string &spool_params = "",
                     const std::string &main_extra = "worker_processes 2;",
                     const std::string &http_extra = "");
    // Where nginx and the daemon find Redis: "127.0.0.1:<redis' port>" unless a test says.
    virtual std::string redis_address() const;
    // The server holding the books, which balances() and ledger_orders() read: redis unless a
    // test says.
    virtual testing_support::RedisServer &books() const { return *redis; }
    std::vector<pid_t> worker_pids() const;

    // [redis] is redis_section, or else address = redis_address().
    void start_daemon(const std::string &redis_section = "");
    void kill_daemon();  // SIGKILL, reaped

    // Sends each order's checkout from several threads with a cookie for its code; returns the
    // orders nginx answered with 200. progress counts requests done.
    std::vector<Order> checkout(const std::vector<Order> &orders,
                                std::atomic<int> *progress = nullptr);

    // Waits until the books hold exactly these orders' rewards, then checks that every order
    // has one ledger entry and no other entry exists.
    void expect_ledger(const std::vector<Order> &orders);
    std::map<std::string, int64_t> balances();
    // The orders of the ledger entries that move money, and how many such entries there are.
    std::set<std::string> ledger_orders(size_t *entries);

    testing_support::TempDir daemon_dir;
    testing_support::Process daemon;
};

}  // namespace faults_test
