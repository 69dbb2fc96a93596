#include "rewardd_fixture.h"

#include <algorithm>
#include <chrono>

namespace rewardd_test {

using testing_support::Reply;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Event with(Event event, const std::string &name, const std::string &value) {
    for (auto &[k, v] : event) {
        if (k == name) {
            v = value;
            return event;
        }
    }
    event.emplace_back(name, value);
    return event;
}

Event without(Event event, const std::string &name) {
    event.erase(std::remove_if(event.begin(), event.end(),
                               [&](const auto &kv) { return kv.first == name; }),
                event.end());
    return event;
}

void RewarddTest::configure(const std::string &programme, const std::string &daemon_extra) {
    metrics_port_ = testing_support::free_port();
    config_ = dir_.path() + "/rewards.toml";
    testing_support::write_file(
        config_, "[redis]\naddress = \"127.0.0.1:" + std::to_string(redis_.port()) +
                     "\"\n\n[daemon]\nclaim_idle = \"500ms\"\n" + daemon_extra +
                     "\n[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port_) +
                     "\"\n\n" + programme);
}

void RewarddTest::start(const std::string &programme, const std::string &daemon_extra) {
    configure(programme, daemon_extra);
    daemon_ = spawn();
    ASSERT_TRUE(testing_support::wait_for_port(metrics_port_, std::chrono::seconds(10)))
        << testing_support::read_file(dir_.path() + "/rewardd.log");
}

testing_support::Process RewarddTest::spawn(const std::string &log_name) {
    return testing_support::Process({REWARDD_BINARY, "run", "--config", config_},
                                    dir_.path() + "/" + log_name);
}

int RewarddTest::cli(std::vector<std::string> args, std::string *output) {
    args.insert(args.begin(), REWARDD_BINARY);
    args.insert(args.end(), {"--config", config_});
    return testing_support::run_command(args, output);
}

void RewarddTest::enroll(const std::string &customer, const std::string &code,
                         const std::string &parent) {
    std::vector<std::string> args = {"enroll", customer, code};
    if (!parent.empty()) {
        args.insert(args.end(), {"--parent", parent});
    }
    std::string out;
    ASSERT_EQ(cli(args, &out), 0) << out;
}

Event RewarddTest::conversion(const std::string &id, const std::string &code,
                              const std::string &order, int64_t amount,
                              const std::string &customer) const {
    std::string ts = std::to_string(now_ms());
    Event e = {{"v", "1"},
               {"type", "conversion"},
               {"id", id},
               {"ts", ts},
               {"site", "shop"},
               {"code", code},
               {"click", "click-" + id},
               {"first_ts", std::to_string(now_ms() - 60000)},
               {"ip", "0a0b0c0d0e0f1011"},
               {"ua", "1112131415161718"},
               {"order", order},
               {"amount", std::to_string(amount)},
               {"currency", "EUR"},
               {"trust", "upstream"},
               {"status", "200"}};
    if (!customer.empty()) {
        e.emplace_back("customer", customer);
    }
    return e;
}

Event RewarddTest::click(const std::string &id, const std::string &code, const std::string &ip,
                         const std::string &source) const {
    Event e = {{"v", "1"},
               {"type", "click"},
               {"id", id},
               {"ts", std::to_string(now_ms())},
               {"site", "shop"},
               {"code", code},
               {"click", "c-" + id},
               {"ip", ip},
               {"ua", "1112131415161718"}};
    if (!source.empty()) {
        e.emplace_back("src", source);
    }
    return e;
}

Event RewarddTest::refund(const std::string &id, const std::string &order,
                          std::optional<int64_t> amount) const {
    Event e = {{"v", "1"},       {"type", "refund"}, {"id", id}, {"ts", std::to_string(now_ms())},
               {"site", "shop"}, {"order", order}};
    if (amount) {
        e.emplace_back("amount", std::to_string(*amount));
    }
    return e;
}

std::string RewarddTest::add(const Event &event) {
    std::vector<std::string> argv = {"XADD", key("events"), "*"};
    for (const auto &[k, v] : event) {
        argv.push_back(k);
        argv.push_back(v);
    }
    Reply r = redis_.command(argv);
    EXPECT_EQ(r->type, REDIS_REPLY_STRING) << (r->str ? r->str : "");
    return std::string(r->str, r->len);
}

void RewarddTest::add_all(const std::vector<Event> &events) {
    testing_support::Context c = redis_.connect();
    for (const Event &event : events) {
        std::vector<std::string> argv = {"XADD", key("events"), "*"};
        for (const auto &[k, v] : event) {
            argv.push_back(k);
            argv.push_back(v);
        }
        std::vector<const char *> args;
        std::vector<size_t> lengths;
        for (const auto &a : argv) {
            args.push_back(a.data());
            lengths.push_back(a.size());
        }
        redisAppendCommandArgv(c.get(), static_cast<int>(args.size()), args.data(), lengths.data());
    }
    for (size_t i = 0; i < events.size(); ++i) {
        void *reply = nullptr;
        ASSERT_EQ(redisGetReply(c.get(), &reply), REDIS_OK);
        Reply r(static_cast<redisReply *>(reply));
        ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    }
}

namespace {

std::string info(const redisReply *r, const std::string &name) {
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        if (std::string(r->element[i]->str, r->element[i]->len) == name) {
            const redisReply *v = r->element[i + 1];
            if (v->type == REDIS_REPLY_INTEGER) {
                return std::to_string(v->integer);
            }
            return v->str ? std::string(v->str, v->len) : "";
        }
    }
    return "";
}

}  // namespace

void RewarddTest::wait_applied() {
    bool applied = testing_support::eventually(
        [&] {
            // Both in one transaction: read one after the other, the daemon could apply an
            // entry in between that adds another (a conversion re-queues an early refund), and
            // the stream's old last id would match the group's new one while the added entry
            // is still waiting.
            testing_support::Context c = redis_.connect();
            const std::string events = key("events");
            auto run = [&](const char *format, const char *arg = nullptr) {
                return Reply(static_cast<redisReply *>(redisCommand(c.get(), format, arg)));
            };
            run("MULTI");
            run("XINFO STREAM %s", events.c_str());
            run("XINFO GROUPS %s", events.c_str());
            Reply both = run("EXEC");
            if (!both || both->type != REDIS_REPLY_ARRAY || both->elements != 2) {
                return false;
            }
            const redisReply *stream = both->element[0];
            const redisReply *groups = both->element[1];
            if (stream->type != REDIS_REPLY_ARRAY || groups->type != REDIS_REPLY_ARRAY ||
                groups->elements == 0) {
                return false;
            }
            for (size_t i = 0; i < groups->elements; ++i) {
                const redisReply *g = groups->element[i];
                if (info(g, "last-delivered-id") != info(stream, "last-generated-id") ||
                    info(g, "pending") != "0") {
                    return false;
                }
            }
            return true;
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(applied) << testing_support::read_file(dir_.path() + "/rewardd.log");
}

int64_t RewarddTest::balance(const std::string &account, const std::string &bucket,
                             const std::string &currency) {
    std::string v = hget(key("balance:" + currency), account + ":" + bucket);
    return v.empty() ? 0 : std::stoll(v);
}

std::string RewarddTest::hget(const std::string &k, const std::string &field) {
    Reply r = redis_.command({"HGET", k, field});
    return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
}

std::vector<Entry> RewarddTest::ledger() {
    return redis_.stream(key("ledger"));
}

std::vector<Entry> RewarddTest::movements() {
    std::vector<Entry> out;
    for (Entry &e : ledger()) {
        if (!e.at("from").empty() || !e.at("to").empty()) {
            out.push_back(std::move(e));
        }
    }
    return out;
}

std::vector<std::string> RewarddTest::ledger_kinds() {
    std::vector<std::string> out;
    for (const Entry &e : ledger()) {
        out.push_back(e.at("kind"));
    }
    return out;
}

std::vector<Entry> RewarddTest::rejected() {
    return redis_.stream(key("rejected"));
}

std::vector<std::string> RewarddTest::rejected_reasons() {
    std::vector<std::string> reasons;
    for (const Entry &e : rejected()) {
        reasons.push_back(e.at("reason"));
    }
    return reasons;
}

}  // namespace rewardd_test
