// What operators read: the report, /metrics, and the daemon's answers to bad configuration.
#include <nlohmann/json.hpp>

#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"
hold = "1d"

[referrer]
levels = [10, 5]
)";

class ReportTest : public RewarddTest {
  protected:
    // ALICE: 4 clicks (tg 3, fb 1), 1 conversion of 100.00; BOB (under ALICE): 2 clicks,
    // 1 conversion of 50.00, approved by hand... through trust=request and approve.
    void scenario() {
        enroll("alice", "ALICE");
        enroll("bob", "BOB", "ALICE");
        add(click("c1", "ALICE", "ip1", "tg"));
        add(click("c2", "ALICE", "ip2", "tg"));
        add(click("c3", "ALICE", "ip3", "fb"));
        add(click("c4", "ALICE", "ip4", "tg"));
        add(click("c5", "BOB", "ip5", "fb"));
        add(click("c6", "BOB", "ip6"));
        add(conversion("e1", "ALICE", "o1", 10000, "carol"));
        add(with(conversion("e2", "BOB", "o2", 5000, "dave"), "ts", "1000000000000"));
        add(with(conversion("e3", "ALICE", "o3", 10000, "carol"), "type", "sale"));
        wait_applied();
    }
};

TEST_F(ReportTest, TextAndJson) {
    start(kProgramme);
    scenario();
    // o2's hold ended long ago (its ts is in 2001): approved on the next pass.
    ASSERT_TRUE(
        testing_support::eventually([&] { return balance("code:BOB", "approved") == 500; }));

    std::string out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    nlohmann::json report = nlohmann::json::parse(out);
    EXPECT_EQ(report["clicks"], 6);
    EXPECT_EQ(report["conversions"], 2);
    EXPECT_DOUBLE_EQ(report["viral_coefficient"].get<double>(), 1.0);  // 2 conversions, 2 codes
    ASSERT_EQ(report["codes"].size(), 2u);
    const nlohmann::json &alice = report["codes"][0];
    EXPECT_EQ(alice["code"], "ALICE");
    EXPECT_EQ(alice["clicks"], 4);
    EXPECT_EQ(alice["conversions"], 1);
    EXPECT_DOUBLE_EQ(alice["conversion_rate"].get<double>(), 0.25);
    EXPECT_EQ(alice["revenue"]["EUR"], 10000);
    EXPECT_EQ(alice["rewards"]["EUR"]["pending"], 1000);
    EXPECT_EQ(alice["rewards"]["EUR"]["approved"], 250);  // level 2 of BOB's order
    EXPECT_EQ(alice["rewards"]["EUR"]["paid"], 0);
    EXPECT_EQ(alice["top_source"], "tg");
    EXPECT_EQ(alice["top_source_clicks"], 3);
    const nlohmann::json &bob = report["codes"][1];
    EXPECT_EQ(bob["code"], "BOB");
    EXPECT_EQ(bob["clicks"], 2);
    EXPECT_EQ(bob["revenue"]["EUR"], 5000);
    EXPECT_EQ(bob["rewards"]["EUR"]["approved"], 500);
    EXPECT_EQ(bob["top_source"], "fb");

    ASSERT_EQ(cli({"report"}, &out), 0) << out;
    EXPECT_NE(out.find("code                   clicks conversions     rate  revenue"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("ALICE                       4           1   25.00%  EUR 100.00       "
                       "EUR 10.00        EUR 2.50         EUR 0.00         tg (3)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("BOB                         2           1   50.00%  EUR 50.00        "
                       "EUR 0.00         EUR 5.00         EUR 0.00         fb (1)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("2 codes, 6 clicks, 2 conversions, viral coefficient 1.00"),
              std::string::npos)
        << out;
}

TEST_F(ReportTest, Metrics) {
    start(kProgramme);
    scenario();
    std::string body;
    ASSERT_TRUE(testing_support::eventually([&] {
        testing_support::HttpResponse r = testing_support::http_get(metrics_port_, "/metrics");
        body = r.body;
        // Lag and pending are sampled once a second.
        return r.status == 200 &&
               body.find("referral_rewardd_stream_lag 0\n") != std::string::npos &&
               body.find("referral_rewardd_pending_entries 0\n") != std::string::npos;
    })) << body;
    for (const char *line : {
             "# TYPE referral_rewardd_events_total counter\n",
             "referral_rewardd_events_total{type=\"click\",result=\"applied\"} 6\n",
             "referral_rewardd_events_total{type=\"conversion\",result=\"applied\"} 2\n",
             "referral_rewardd_events_total{type=\"other\",result=\"rejected\"} 1\n",
             "referral_rewardd_rejected_total{reason=\"unknown_type\"} 1\n",
             "# TYPE referral_rewardd_events_per_second gauge\n",
             "referral_rewardd_redis_up 1\n",
         }) {
        EXPECT_NE(body.find(line), std::string::npos) << line << "\nin:\n" << body;
    }
    EXPECT_EQ(testing_support::http_get(metrics_port_, "/nothing").status, 404);
}

TEST_F(RewarddTest, JsonReportOfSourcesThatAreNotUtf8) {
    start(kProgramme);
    enroll("alice", "ALICE");
    add(click("c1", "ALICE", "ip1", "\xff\xfetg"));
    add(click("c2", "ALICE", "ip2", "\xff\xfetg"));
    add(click("c3", "ALICE", "ip3", "fb"));
    wait_applied();
    std::string out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    nlohmann::json report = nlohmann::json::parse(out);
    EXPECT_EQ(report["codes"][0]["top_source"], "\xef\xbf\xbd\xef\xbf\xbdtg");  // U+FFFD twice
    EXPECT_EQ(report["codes"][0]["top_source_clicks"], 2);
    ASSERT_EQ(cli({"report"}, &out), 0) << out;
}

TEST_F(RewarddTest, BadConfigurationExitsNamingTheKey) {
    struct Case {
        std::string toml, message;
    };
    for (const Case &c : std::vector<Case>{
             {"[referrer]\npercent = 10\ncolour = 1\n", "referrer.colour: unknown key"},
             {"[referrer]\npercent = -1\n", "referrer.percent: must not be negative"},
             {"[referrer]\nlevels = [90, 20]\n", "referrer.levels: levels sum to 110.00%"},
         }) {
        configure(c.toml);
        std::string out;
        EXPECT_EQ(cli({"run"}, &out), 2) << c.toml;
        EXPECT_NE(out.find(c.message), std::string::npos) << out;
    }
    std::string out;
    EXPECT_EQ(testing_support::run_command(
                  {REWARDD_BINARY, "run", "--config", dir_.path() + "/missing.toml"}, &out),
              2);
    EXPECT_NE(out.find("missing.toml: cannot read the file"), std::string::npos) << out;
}

TEST_F(RewarddTest, CliUsage) {
    configure("[referrer]\npercent = 10\n");
    std::string out;
    EXPECT_EQ(cli({"check"}, &out), 0) << out;
    // Usage errors exit with 2, as configuration errors do.
    EXPECT_EQ(cli({"nonsense"}, &out), 2);
    EXPECT_EQ(cli({"refund", "o1"}, &out), 2);  // --site is required
    EXPECT_EQ(cli({"refund", "--site", "shop", "o1", "--amount", "12.50"}, &out), 2);
    EXPECT_EQ(cli({"balance"}, &out), 2);
    EXPECT_EQ(cli({"balance", "ALICE", "--customer", "carol"}, &out), 2);
    EXPECT_EQ(cli({"enroll", "alice", "bad code"}, &out), 2);
    EXPECT_NE(out.find("codes are 1-128 of [A-Za-z0-9_.-]"), std::string::npos) << out;
    // Amounts out of range are refused before anything is written.
    EXPECT_EQ(cli({"refund", "--site", "shop", "o1", "--amount", "99999999999999999999"}, &out), 2);
    EXPECT_NE(out.find("--amount: 99999999999999999999 is not a whole number of minor units from 1 "
                       "to 9007199254740991"),
              std::string::npos)
        << out;
    EXPECT_EQ(cli({"refund", "--site", "shop", "o1", "--amount", "9007199254740992"}, &out), 2);
    EXPECT_EQ(cli({"refund", "--site", "shop", "o1", "--amount", "0"}, &out), 2);
    EXPECT_NE(out.find("--amount: 0 refunds nothing: leave --amount out to refund the whole order"),
              std::string::npos)
        << out;
    EXPECT_TRUE(redis_.stream(key("events")).empty());
    // The refund command writes an event in the stream's schema.
    ASSERT_EQ(cli({"refund", "--site", "shop", "o1", "--amount", "1250"}, &out), 0) << out;
    std::vector<Entry> events = redis_.stream(key("events"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["type"], "refund");
    EXPECT_EQ(events[0]["site"], "shop");
    EXPECT_EQ(events[0]["order"], "o1");
    EXPECT_EQ(events[0]["amount"], "1250");
    EXPECT_EQ(events[0]["v"], "1");
    EXPECT_EQ(events[0]["id"].size(), 22u);
}

}  // namespace
}  // namespace rewardd_test
