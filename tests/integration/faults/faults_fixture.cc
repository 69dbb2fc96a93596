#include "faults_fixture.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <sstream>
#include <thread>

namespace faults_test {

using testing_support::eventually;
using testing_support::Reply;
using namespace std::chrono_literals;

std::vector<Order> make_orders(const std::string &prefix, int count) {
    static const char *const codes[] = {"alice", "bob", "carol"};
    std::vector<Order> orders;
    for (int i = 0; i < count; ++i) {
        orders.push_back({prefix + "-" + std::to_string(i), codes[i % 3], 1000 + 37 * i});
    }
    return orders;
}

std::map<std::string, int64_t> rewards_of(const std::vector<Order> &orders) {
    std::map<std::string, int64_t> sums;
    for (const Order &o : orders) {
        sums[o.code] += o.reward();
    }
    return sums;
}

void FaultsTest::TearDown() {
    ModuleTest::TearDown();
    std::string log = testing_support::read_file(daemon_dir.path() + "/rewardd.log");
    daemon.stop();
    // The daemon is killed on purpose in some tests; a sanitizer report is never on purpose.
    EXPECT_EQ(log.find("Sanitizer"), std::string::npos) << log;
}

void FaultsTest::kill_redis() {
    kill(redis->pid(), SIGKILL);
    redis->stop();  // reaps it
}

void FaultsTest::start_nginx(const std::string &redis_params, const std::string &spool_params,
                             const std::string &main_extra, const std::string &http_extra) {
    start(http_extra +
              "referral_secret_file @KEYS@;\n"
              "referral_site shop;\n"
              "referral_redis " +
              (redis_params.rfind("sentinel=", 0) == 0 ? "" : redis_address() + " ") +
              redis_params +
              ";\n"
              "referral_spool @PREFIX@/spool " +
              spool_params +
              ";\n"
              "server {\n"
              "  listen 127.0.0.1:@PORT@;\n"
              "  location /checkout {\n"
              "    referral_conversion on;\n"
              "    referral_conversion_order_id $arg_order;\n"
              "    referral_conversion_amount $arg_total;\n"
              "    referral_conversion_currency EUR;\n"
              "    return 200 thanks;\n"
              "  }\n"
              "  location = /status { referral_status; }\n"
              "}\n",
          main_extra);
}

std::string FaultsTest::redis_address() const {
    return "127.0.0.1:" + std::to_string(redis->port());
}

std::vector<pid_t> FaultsTest::worker_pids() const {
    std::string out;
    testing_support::run_command({"/usr/bin/pgrep", "-P", std::to_string(nginx_->master_pid())},
                                 &out);
    std::vector<pid_t> pids;
    std::istringstream in(out);
    for (pid_t pid; in >> pid;) {
        pids.push_back(pid);
    }
    return pids;
}

void FaultsTest::start_daemon(const std::string &redis_section) {
    std::string config = daemon_dir.path() + "/rewards.toml";
    testing_support::write_file(
        config,
        "[redis]\n" +
            (redis_section.empty() ? "address = \"" + redis_address() + "\"\n" : redis_section) +
            "timeout = \"1s\"\n\n"
            "[daemon]\nclaim_idle = \"500ms\"\n\n"
            "[programme]\ncurrency = \"EUR\"\ntrust_request = \"accept\"\n"
            "open_enrolment = true\n\n"
            "[referrer]\npercent = 10\n");
    daemon = testing_support::Process({REWARDD_BINARY, "run", "--config", config},
                                      daemon_dir.path() + "/rewardd.log");
}

void FaultsTest::kill_daemon() {
    daemon.signal(SIGKILL);
    daemon.stop();
}

std::vector<Order> FaultsTest::checkout(const std::vector<Order> &orders,
                                        std::atomic<int> *progress) {
    const int64_t issued = std::time(nullptr) - 100;
    std::map<std::string, std::string> cookies;
    for (const char *code : {"alice", "bob", "carol"}) {
        cookies[code] = "Cookie: ref=" + module_test::sign(code, issued);
    }
    std::vector<Order> answered;
    std::mutex m;
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 6; ++t) {
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < orders.size();) {
                const Order &o = orders[i];
                char total[32];
                snprintf(total, sizeof total, "%lld.%02lld", static_cast<long long>(o.amount / 100),
                         static_cast<long long>(o.amount % 100));
                int code = 0;
                try {
                    code = get("/checkout?order=" + o.id + "&total=" + total, {cookies[o.code]})
                               .status;
                } catch (const std::exception &) {
                    // A killed worker drops its connections: the shop saw no answer.
                }
                if (progress) {
                    ++*progress;
                }
                if (code == 200) {
                    std::lock_guard<std::mutex> lock(m);
                    answered.push_back(o);
                }
            }
        });
    }
    for (auto &t : pool) {
        t.join();
    }
    return answered;
}

std::map<std::string, int64_t> FaultsTest::balances() {
    std::map<std::string, int64_t> out;
    Reply r = books().command({"HGETALL", "{referral}:balance:EUR"});
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        std::string name(r->element[i]->str, r->element[i]->len);
        const std::string prefix = "code:", suffix = ":approved";
        if (name.compare(0, prefix.size(), prefix) == 0 && name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            std::string code =
                name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
            out[code] = std::stoll(std::string(r->element[i + 1]->str, r->element[i + 1]->len));
        }
    }
    return out;
}

std::set<std::string> FaultsTest::ledger_orders(size_t *entries) {
    std::set<std::string> orders;
    std::vector<testing_support::Fields> ledger = books().stream("{referral}:ledger");
    *entries = 0;
    for (testing_support::Fields &entry : ledger) {
        // A conversion held or rejected is noted in the ledger but moves nothing.
        if (!entry["from"].empty() || !entry["to"].empty()) {
            orders.insert(entry["order"]);
            ++*entries;
        }
    }
    return orders;
}

void FaultsTest::expect_ledger(const std::vector<Order> &orders) {
    const std::map<std::string, int64_t> expected = rewards_of(orders);
    std::map<std::string, int64_t> seen;
    bool settled = eventually(
        [&] {
            try {
                seen = balances();
            } catch (const std::exception &) {
                return false;  // Redis is still coming back
            }
            return seen == expected;
        },
        90s);
    std::ostringstream diff;
    for (const auto &[code, sum] : expected) {
        diff << code << ": expected " << sum << ", got " << seen[code] << "\n";
    }
    ASSERT_TRUE(settled) << diff.str() << status().dump() << "\n"
                         << testing_support::read_file(daemon_dir.path() + "/rewardd.log");
    std::set<std::string> want;
    for (const Order &o : orders) {
        want.insert(o.id);
    }
    size_t entries = 0;
    EXPECT_EQ(ledger_orders(&entries), want);
    EXPECT_EQ(entries, orders.size()) << "an order was rewarded twice";
}

}  // namespace faults_test
