// referral_status: the counters of delivery in JSON and in Prometheus' text format.

#include <map>
#include <regex>
#include <sstream>

#include "sink_fixture.h"

namespace module_test {
namespace {

using testing_support::eventually;

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

}  // namespace
}  // namespace module_test
