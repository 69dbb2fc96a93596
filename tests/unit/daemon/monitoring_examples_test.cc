// The Grafana dashboard and the Prometheus alert rules in config-examples/ name only metrics that
// exist: the daemon's as it renders them, the module's as docs/status.md lists them.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics.h"
#include "webhook_delivery.h"

namespace referral::rewardd {
namespace {

std::string read(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::set<std::string> names_in(const std::string &text) {
    static const std::regex name(R"(\breferral_[a-z_]+[a-z]\b)");
    std::set<std::string> out;
    for (std::sregex_iterator m(text.begin(), text.end(), name), end; m != end; ++m) {
        out.insert(m->str());
    }
    return out;
}

// Every metric the module and the daemon expose.
std::set<std::string> known_metrics() {
    std::set<std::string> known;
    Metrics metrics;
    WebhookMetrics webhooks;
    webhooks.dead("receiver");
    static const std::regex typed(R"(# TYPE (\S+) )");
    std::string rendered = metrics.render() + webhooks.render();
    for (std::sregex_iterator m(rendered.begin(), rendered.end(), typed), end; m != end; ++m) {
        known.insert((*m)[1]);
    }
    // docs/status.md: the table of JSON members, each a referral_<member>_total counter, and
    // the one gauge.
    std::string status = read(std::string(DOCS_DIR) + "/status.md");
    static const std::regex member(R"(\n\| `([a-z_]+)` \|)");
    for (std::sregex_iterator m(status.begin(), status.end(), member), end; m != end; ++m) {
        known.insert("referral_" + (*m)[1].str() + "_total");
    }
    known.insert("referral_redis_connected_workers");
    EXPECT_GT(known.size(), 30u);
    return known;
}

TEST(MonitoringExamples, GrafanaDashboardIsValidAndNamesRealMetrics) {
    nlohmann::json dashboard = nlohmann::json::parse(
        read(std::string(MONITORING_EXAMPLES) + "/grafana/referral-dashboard.json"));
    std::set<std::string> known = known_metrics();
    std::set<int> ids;
    size_t queries = 0;
    for (const nlohmann::json &panel : dashboard.at("panels")) {
        EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "panel ids are unique";
        for (const nlohmann::json &target : panel.value("targets", nlohmann::json::array())) {
            std::string expr = target.at("expr");
            ++queries;
            std::set<std::string> names = names_in(expr);
            EXPECT_FALSE(names.empty()) << expr;
            for (const std::string &name : names) {
                EXPECT_TRUE(known.count(name)) << name << " in " << expr;
            }
        }
    }
    EXPECT_GT(queries, 20u);
}

TEST(MonitoringExamples, AlertRulesNameRealMetrics) {
    std::string rules = read(std::string(MONITORING_EXAMPLES) + "/prometheus/referral-alerts.yml");
    std::set<std::string> known = known_metrics();
    // The expressions: an "expr:" line, with the indented lines of a folded block after it.
    std::istringstream lines(rules);
    std::string expressions;
    bool in_expr = false;
    size_t alerts = 0;
    for (std::string line; std::getline(lines, line);) {
        alerts += line.find("- alert: ") != std::string::npos;
        if (line.find("expr:") != std::string::npos) {
            in_expr = true;
            expressions += line.substr(line.find("expr:") + 5) + "\n";
        } else if (in_expr && line.find_first_not_of(' ') >= 10) {
            expressions += line + "\n";
        } else {
            in_expr = false;
        }
    }
    std::set<std::string> names = names_in(expressions);
    for (const std::string &name : names) {
        EXPECT_TRUE(known.count(name)) << name;
    }
    for (const char *needed :
         {"referral_redis_connected_workers", "referral_rewardd_redis_up",
          "referral_events_spooled_total", "referral_events_dropped_total",
          "referral_rewardd_stream_lag", "referral_rewardd_webhook_dead_total"}) {
        EXPECT_TRUE(names.count(needed)) << "an alert on " << needed;
    }
    EXPECT_EQ(alerts, 8u);
    EXPECT_EQ(rules.find('\t'), std::string::npos) << "YAML indents with spaces";
}

}  // namespace
}  // namespace referral::rewardd
