// A real redis-server and the real referral-rewardd for each test, events written with XADD
// in the event schema (docs/design.md#event-schema), and helpers reading the books back.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_client.h"
#include "process.h"
#include "redis_server.h"

namespace rewardd_test {

using Event = std::vector<std::pair<std::string, std::string>>;
using Entry = testing_support::Fields;

int64_t now_ms();
// Sets (or adds) a field of an event.
Event with(Event event, const std::string &name, const std::string &value);
Event without(Event event, const std::string &name);

class RewarddTest : public ::testing::Test {
  protected:
    // Writes rewards.toml: [redis] and [metrics] for this test's servers, [daemon] with
    // daemon_extra, then the programme's own tables.
    void configure(const std::string &programme, const std::string &daemon_extra = "");
    // configure() and start one daemon; it is stopped at teardown.
    void start(const std::string &programme, const std::string &daemon_extra = "");
    testing_support::Process spawn(const std::string &log_name = "rewardd.log");

    // referral-rewardd <args...> --config rewards.toml; returns the exit code.
    int cli(std::vector<std::string> args, std::string *output = nullptr);
    void enroll(const std::string &customer, const std::string &code,
                const std::string &parent = "");

    // Events in the event schema, site "shop", EUR, ts now.
    Event conversion(const std::string &id, const std::string &code, const std::string &order,
                     int64_t amount, const std::string &customer = "") const;
    Event click(const std::string &id, const std::string &code, const std::string &ip = "ip1",
                const std::string &source = "") const;
    Event refund(const std::string &id, const std::string &order,
                 std::optional<int64_t> amount = std::nullopt) const;
    std::string add(const Event &event);             // XADD, returns the entry id
    void add_all(const std::vector<Event> &events);  // pipelined

    // Waits until the group has been given every entry and acknowledged all of them.
    void wait_applied();

    int64_t balance(const std::string &account, const std::string &bucket,
                    const std::string &currency = "EUR");
    std::vector<Entry> ledger();
    // The ledger entries that move money: without the conversions held or rejected.
    std::vector<Entry> movements();
    // The kind of each ledger entry, oldest first.
    std::vector<std::string> ledger_kinds();
    std::vector<Entry> rejected();
    std::vector<std::string> rejected_reasons();
    std::string hget(const std::string &key, const std::string &field);
    std::string key(const std::string &name) const { return "{referral}:" + name; }

    testing_support::RedisServer redis_;
    testing_support::TempDir dir_;
    std::string config_;
    int metrics_port_ = 0;
    testing_support::Process daemon_;
};

}  // namespace rewardd_test
