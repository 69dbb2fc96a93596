// The dashboard and partner pages without a server: escaping, dates, query parameters, the
// per-day fields, partner tokens, the bearer check and the [http] configuration.
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "config.h"
#include "config_error.h"
#include "daily_stats.h"
#include "dashboard_page.h"
#include "html.h"
#include "page_routes.h"
#include "partner_page.h"
#include "partner_token.h"
#include "process.h"
#include "svg_chart.h"

namespace referral::rewardd {
namespace {

constexpr char kSecret[] = "0123456789abcdef0123";

TEST(Pages, EscapeReplacesEveryMarkupCharacter) {
    EXPECT_EQ(escape("<a href=\"x\" title='y'>&</a>"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    EXPECT_EQ(escape("plain"), "plain");
}

TEST(Pages, DaysAreStrictDates) {
    EXPECT_EQ(parse_day("1970-01-01"), 0);
    EXPECT_EQ(parse_day("2001-09-09"), 11574);
    EXPECT_EQ(format_day(11574), "2001-09-09");
    EXPECT_EQ(format_day(20454), "2026-01-01");
    for (const char *bad : {"2026-02-29", "2026-13-01", "2026-1-01", "20260101", "1969-12-31",
                            "2026-01-01 ", "２026-01-01", ""}) {
        EXPECT_FALSE(parse_day(bad)) << bad;
    }
    EXPECT_EQ(parse_day("2024-02-29"), 19782);
}

std::string query_error(std::multimap<std::string, std::string> params, int64_t today = 20454) {
    auto q = parse_dashboard_query(params, today);
    return std::holds_alternative<std::string>(q) ? std::get<std::string>(q) : "";
}

TEST(Pages, DashboardQuery) {
    auto q = std::get<DashboardQuery>(parse_dashboard_query({}, 20454));
    EXPECT_EQ(q.last, 20454);
    EXPECT_EQ(q.last - q.first + 1, kDefaultDays);
    EXPECT_EQ(q.currency, "");
    q = std::get<DashboardQuery>(parse_dashboard_query(
        {{"from", "2025-12-01"}, {"to", "2025-12-31"}, {"currency", "JPY"}}, 20454));
    EXPECT_EQ(format_day(q.first), "2025-12-01");
    EXPECT_EQ(format_day(q.last), "2025-12-31");
    EXPECT_EQ(q.currency, "JPY");

    EXPECT_EQ(query_error({{"from", "yesterday"}}), "from must be a date as YYYY-MM-DD");
    EXPECT_EQ(query_error({{"to", "2026-01-03"}}), "to is in the future");
    EXPECT_EQ(query_error({{"from", "2025-12-02"}, {"to", "2025-12-01"}}), "from is after to");
    EXPECT_EQ(query_error({{"from", "2024-01-01"}}), "the range spans more than 400 days");
    EXPECT_EQ(query_error({{"currency", "<b>"}}),
              "currency must be an ISO 4217 code such as EUR, or points");
    EXPECT_EQ(query_error({{"to", "2025-12-01"}, {"to", "2025-12-02"}}),
              "to is given more than once");
    EXPECT_NE(query_error({{"x", "1"}}).find("unknown parameter x"), std::string::npos);
    EXPECT_EQ(query_error({{"from", "2024-11-28"}}), "");  // 400 days exactly
}

TEST(Pages, DayFieldsAddUpInTheChosenCurrency) {
    DailyStats stats;
    DayTotals day;
    add_day_fields({{"k", 5},
                    {"k:c:A", 3},
                    {"k:c:B:x", 2},
                    {"k:s:tg", 4},
                    {"v", 2},
                    {"v:c:A", 2},
                    {"v:s:tg", 1},
                    {"r:EUR", 300},
                    {"r:USD", 900},
                    {"r:EUR:c:A", 300},
                    {"r:EUR:s:tg", 100},
                    {"w:EUR", 30},
                    {"w:EUR:c:A", 25},
                    {"w:USD:c:A", 90},
                    {"x:click_limit", 7},
                    {"h", 1},
                    {"f", 1}},
                   "EUR", 0, &day, &stats);
    EXPECT_EQ(day.clicks, 5);
    EXPECT_EQ(day.conversions, 2);
    EXPECT_EQ(day.revenue, 300);
    EXPECT_EQ(day.rewards, 30);
    EXPECT_EQ(day.held, 1);
    EXPECT_EQ(day.refunds, 1);
    EXPECT_EQ(stats.codes_per_week, std::vector<int64_t>{2});  // A and B:x
    EXPECT_EQ(stats.codes["B:x"].clicks, 2);
    EXPECT_EQ(stats.codes["A"].clicks, 3);
    EXPECT_EQ(stats.codes["A"].conversions, 2);
    EXPECT_EQ(stats.codes["A"].revenue, 300);
    EXPECT_EQ(stats.codes["A"].earnings, 25);
    EXPECT_EQ(stats.sources["tg"].clicks, 4);
    EXPECT_EQ(stats.sources["tg"].revenue, 100);
    EXPECT_EQ(stats.rejections["click_limit"], 7);
    EXPECT_EQ(stats.currencies, (std::set<std::string, std::less<>>{"EUR", "USD"}));
}

TEST(Pages, DashboardShowsMarkupAsText) {
    DashboardView view;
    view.query = {20000, 20001, "EUR"};
    DayTotals day;
    day.day = 20000;
    add_day_fields({{"k", 1}, {"k:c:<i>c</i>", 1}, {"k:s:<script>x</script>", 1}, {"x:<r>", 1}},
                   "EUR", 0, &day, &view.stats);
    view.stats.days = {day};
    std::string html = render_dashboard(view);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<i>"), std::string::npos);
    EXPECT_EQ(html.find("<r>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("&lt;i&gt;c&lt;/i&gt;"), std::string::npos);
}

TEST(Pages, DashboardEconomicsOnceThereAreSignupsOrNewCustomers) {
    DashboardView view;
    view.query = {20000, 20000, "EUR"};
    DayTotals day;
    day.day = 20000;
    add_day_fields({{"k", 10}, {"v", 2}, {"r:EUR", 9000}, {"w:EUR", 1500}}, "EUR", 0, &day,
                   &view.stats);
    view.stats.days = {day};
    EXPECT_EQ(render_dashboard(view).find("<div class=\"muted\">new customers</div>"),
              std::string::npos);

    day = DayTotals{};
    day.day = 20000;
    add_day_fields({{"k", 10},
                    {"s", 4},
                    {"v", 2},
                    {"b", 2},
                    {"r:EUR", 9000},
                    {"w:EUR", 1500},
                    {"s:s:tg", 3},
                    {"b:s:tg", 1},
                    {"w:EUR:s:tg", 700}},
                   "EUR", 0, &day, &view.stats);
    EXPECT_EQ(day.signups, 4);
    EXPECT_EQ(day.buyers, 2);
    EXPECT_EQ(view.stats.sources["tg"].signups, 3);
    EXPECT_EQ(view.stats.sources["tg"].buyers, 1);
    EXPECT_EQ(view.stats.sources["tg"].earnings, 700);
    view.stats.days = {day};
    std::string html = render_dashboard(view);
    auto figure = [&html](const std::string &label) {
        std::string open = "<div class=\"muted\">" + label + "</div><div class=\"figure\">";
        size_t at = html.find(open);
        return at == std::string::npos
                   ? std::string()
                   : html.substr(at + open.size(),
                                 html.find("</div>", at + open.size()) - at - open.size());
    };
    EXPECT_EQ(figure("signups"), "4");
    EXPECT_EQ(figure("signups who bought"), "50.0%");
    EXPECT_EQ(figure("new customers"), "2");
    EXPECT_EQ(figure("average order"), "45.00 EUR");
    EXPECT_EQ(figure("revenue per new customer (LTV)"), "45.00 EUR");
    EXPECT_EQ(figure("rewards per new customer (CAC)"), "7.50 EUR");
    EXPECT_EQ(figure("ROI"), "500.0%");  // (90 - 15) / 15
}

TEST(Pages, ChartsEscapeLabels) {
    std::string svg = bar_list("t<", {{"<b>", 1, "1&"}});
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
    EXPECT_NE(svg.find("t&lt;"), std::string::npos);
    EXPECT_NE(svg.find("1&amp;"), std::string::npos);
    EXPECT_NE(column_chart("empty", {}).find("no data"), std::string::npos);
    // Long labels are cut at 32 bytes, never inside a UTF-8 sequence.
    std::string long_label = bar_list("t", {{std::string(31, 'a') + "\xc3\xa9z", 1, "1"}});
    EXPECT_NE(long_label.find(">" + std::string(31, 'a') + "</text>"), std::string::npos);
}

TEST(Pages, PartnerPageEscapesWhatVisitorsSent) {
    PartnerView view;
    view.code = "A";
    view.link = "https://shop.example/?ref=A&x=\"";
    view.recent.push_back({"1000-0", "rejected", "EUR", "<o>", "<why>", 100});
    std::string html = render_partner(view);
    EXPECT_EQ(html.find("<o>"), std::string::npos);
    EXPECT_EQ(html.find("<why>"), std::string::npos);
    EXPECT_NE(html.find("ref=A&amp;x=&quot;"), std::string::npos);
    EXPECT_NE(html.find("<svg"), std::string::npos) << "the QR code";
}

TEST(Pages, PartnerTokens) {
    std::string token = make_partner_token(kSecret, "ALICE", 2000);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
              std::string::npos);
    EXPECT_EQ(verify_partner_token(kSecret, token, 1999), "ALICE");
    EXPECT_FALSE(verify_partner_token(kSecret, token, 2000)) << "expired";
    EXPECT_FALSE(verify_partner_token("another secret of some length", token, 1999));
    std::string forged = token;
    forged[3] = forged[3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_partner_token(kSecret, forged, 1999));
    EXPECT_FALSE(verify_partner_token(kSecret, token.substr(0, token.size() - 1), 1999));
    EXPECT_FALSE(verify_partner_token(kSecret, "", 0));
    // A signed value that is no code (made by hand with the key) is refused all the same.
    EXPECT_FALSE(verify_partner_token(kSecret, make_partner_token(kSecret, "a b", 2000), 1));
}

TEST(Pages, Bearer) {
    EXPECT_TRUE(bearer_matches("Bearer 0123456789abcdef", "0123456789abcdef"));
    EXPECT_FALSE(bearer_matches("Bearer 0123456789abcdeF", "0123456789abcdef"));
    EXPECT_FALSE(bearer_matches("Bearer 0123456789abcdef0", "0123456789abcdef"));
    EXPECT_FALSE(bearer_matches("Basic 0123456789abcdef", "0123456789abcdef"));
    EXPECT_FALSE(bearer_matches("", "0123456789abcdef"));
}

// Pages settings beside a programme that rewards someone.
std::string http_error(const std::string &toml) {
    return config_error(toml + "[referrer]\npercent = 10\n");
}

// A listener others can reach, without a token: the dashboard is refused before any Redis
// connection is made.
TEST(Pages, DashboardWithoutTokenOffLoopbackIs403) {
    Config config =
        parse_config("[metrics]\nlisten = \"0.0.0.0:9187\"\n[referrer]\npercent = 10\n", "x");
    for (const HttpRoute &route : page_routes(config)) {
        if (route.pattern.find("dashboard") != std::string::npos) {
            HttpResponse r = route.handler(HttpRequest{"/dashboard", {}, ""});
            EXPECT_EQ(r.status, 403);
            EXPECT_NE(r.body.find("dashboard_token_file"), std::string::npos) << r.body;
            return;
        }
    }
    ADD_FAILURE() << "no /dashboard route";
}

TEST(Pages, HttpConfig) {
    testing_support::TempDir dir;
    std::string token = dir.path() + "/token", short_secret = dir.path() + "/short";
    testing_support::write_file(token, "0123456789abcdef-token\n");
    testing_support::write_file(short_secret, "short\n");
    Config c =
        parse_config("[metrics]\nlisten = \"0.0.0.0:9187\"\n[http]\ndashboard_token_file = \"" +
                         token + "\"\nsecret_file = \"" + token +
                         "\"\npublic_url = \"https://rewards.example\"\n"
                         "link = \"https://shop.example/?ref={code}\"\n"
                         "[referrer]\npercent = 10\n",
                     "x");
    EXPECT_EQ(c.http.dashboard_token, "0123456789abcdef-token");
    EXPECT_EQ(c.http.secret, "0123456789abcdef-token");
    EXPECT_EQ(c.http.public_url, "https://rewards.example");
    EXPECT_EQ(parse_config("[referrer]\npercent = 10\n", "x").daemon.daily_ttl_ms,
              400LL * 86400 * 1000);

    // Without a token a listener that is not loopback still serves /metrics; the dashboard
    // answers 403 there (PagesTest).
    EXPECT_EQ(http_error("[metrics]\nlisten = \"0.0.0.0:9187\"\n"), "");
    EXPECT_EQ(http_error("[metrics]\nlisten = \"127.0.0.1:9187\"\n"), "");
    EXPECT_NE(
        http_error("[http]\nsecret_file = \"" + short_secret + "\"\n").find("http.secret_file"),
        std::string::npos);
    EXPECT_NE(http_error("[http]\npublic_url = \"https://x.example/\"\n").find("http.public_url"),
              std::string::npos);
    EXPECT_NE(http_error("[http]\nlink = \"https://x.example/\"\n").find("http.link"),
              std::string::npos);
    EXPECT_NE(http_error("[daemon]\ndaily_ttl = \"0s\"\n").find("daemon.daily_ttl"),
              std::string::npos);
}

}  // namespace
}  // namespace referral::rewardd
