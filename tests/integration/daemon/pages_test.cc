// GET /dashboard and GET /p/<token> against a scripted programme: the figures shown are the
// ledger's, markup from visitors is shown as text, and bad requests are refused.
#include <openssl/hmac.h>

#include <cstdio>

#include "base64url.h"
#include "pages_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::http_get;

constexpr char kCsp[] = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

TEST_F(PagesTest, DashboardFiguresAreTheLedgers) {
    start_pages();
    scenario();
    testing_support::HttpResponse r = http_get(metrics_port_, "/dashboard");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-security-policy"), kCsp);
    EXPECT_EQ(r.header("cache-control"), "no-store");

    std::string out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    EXPECT_EQ(figure(r.body, "clicks"), "6");  // the unknown code's click is rejected
    EXPECT_EQ(figure(r.body, "conversions"), "2");
    EXPECT_EQ(figure(r.body, "conversion rate"), "33.3%");
    EXPECT_EQ(figure(r.body, "revenue"), "160.00 EUR");
    // 10% + 5% of o2 (BOB under ALICE), 10% of o1, 2.00 to each friend.
    EXPECT_EQ(ledger_rewards(), 1200 + 400 + 200 + 200 + 200);
    EXPECT_EQ(figure(r.body, "rewards"), "22.00 EUR");
    EXPECT_EQ(figure(r.body, "viral coefficient"), "1.00");  // 2 conversions, 2 codes

    EXPECT_NE(r.body.find("<td><code>ALICE</code></td><td class=\"n\">4</td><td class=\"n\">1"
                          "</td><td class=\"n\">25.0%</td><td class=\"n\">120.00 EUR</td><td "
                          "class=\"n\">14.00 EUR</td>"),
              std::string::npos)
        << "ALICE earns 12.00 on o1 and 2.00 on BOB's o2";
    EXPECT_NE(r.body.find("<td><code>instagram</code></td><td class=\"n\">2</td><td "
                          "class=\"n\">1</td><td class=\"n\">50.0%</td><td class=\"n\">40.00 EUR"),
              std::string::npos);
    EXPECT_NE(r.body.find("<text x=\"8\" y=\"18.0\">below_min_order</text>"), std::string::npos);
    EXPECT_NE(r.body.find("unknown_code"), std::string::npos);
}

// The economics shown are the sums of what was sent and of the ledger: carol and dave are new
// customers, erin's order was below the minimum.
TEST_F(PagesTest, EconomicsAreTheLedgersAndTheStreams) {
    start_pages();
    scenario();
    int64_t revenue = 12000 + 4000, rewards = ledger_rewards(), buyers = 2;
    testing_support::HttpResponse r = http_get(metrics_port_, "/dashboard");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(figure(r.body, "new customers"), std::to_string(buyers));
    EXPECT_EQ(figure(r.body, "average order"), "80.00 EUR");
    auto eur = [](int64_t minor) {
        char text[32];
        std::snprintf(text, sizeof text, "%lld.%02lld EUR", static_cast<long long>(minor / 100),
                      static_cast<long long>(minor % 100));
        return std::string(text);
    };
    EXPECT_EQ(figure(r.body, "revenue per new customer (LTV)"), eur(revenue / buyers));
    EXPECT_EQ(figure(r.body, "rewards per new customer (CAC)"), eur(rewards / buyers));
    char roi[32];
    std::snprintf(roi, sizeof roi, "%.1f%%",
                  100.0 * static_cast<double>(revenue - rewards) / static_cast<double>(rewards));
    EXPECT_EQ(figure(r.body, "ROI"), roi);
    // instagram: BOB's o2 of 40.00, no signups, rewards 4.00 + 2.00 to ALICE and 2.00 to dave.
    EXPECT_NE(r.body.find("<td class=\"n\">40.00 EUR</td><td class=\"n\">0</td><td "
                          "class=\"n\">1</td><td class=\"n\">8.00 EUR</td><td "
                          "class=\"n\">400.0%</td>"),
              std::string::npos)
        << r.body;

    r = http_get(metrics_port_, partner_link("ALICE"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(figure(r.body, "new customers"), "1");
    EXPECT_EQ(figure(r.body, "average order"), "120.00 EUR");
    EXPECT_EQ(figure(r.body, "signups"), "") << "shown once there are some";
}

TEST_F(PagesTest, MarkupFromVisitorsIsShownAsText) {
    start_pages();
    scenario();
    testing_support::HttpResponse r = http_get(metrics_port_, "/dashboard");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("<script"), std::string::npos);
    EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST_F(PagesTest, BadParametersGet400WithTheReason) {
    start_pages();
    for (const auto &[query, message] : std::vector<std::pair<std::string, std::string>>{
             {"from=2026-02-30", "from must be a date as YYYY-MM-DD"},
             {"from=2020-01-01&to=2021-12-31", "the range spans more than 400 days"},
             {"to=2999-01-01", "to is in the future"},
             {"from=2021-01-02&to=2021-01-01", "from is after to"},
             {"currency=%3Cb%3E", "currency must be an ISO 4217 code"},
             {"days=7", "unknown parameter days"}}) {
        testing_support::HttpResponse r = http_get(metrics_port_, "/dashboard?" + query);
        EXPECT_EQ(r.status, 400) << query;
        EXPECT_NE(r.body.find(message), std::string::npos) << query << ": " << r.body;
        EXPECT_EQ(r.header("content-security-policy"), kCsp);
    }
    EXPECT_EQ(
        http_get(metrics_port_, "/dashboard?from=2021-01-01&to=2021-03-31&currency=USD").status,
        200);
}

TEST_F(PagesTest, TokenRequiredWhenConfigured) {
    std::string token_file = dir_.path() + "/token";
    testing_support::write_file(token_file, "dashboard-token-0123456789\n");
    start_pages("dashboard_token_file = \"" + token_file + "\"\n");
    testing_support::HttpResponse r = http_get(metrics_port_, "/dashboard");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("www-authenticate"), "Bearer");
    EXPECT_EQ(http_get(metrics_port_, "/dashboard", {"Authorization: Bearer wrong"}).status, 401);
    EXPECT_EQ(
        http_get(metrics_port_, "/dashboard", {"Authorization: Bearer dashboard-token-0123456789"})
            .status,
        200);
    EXPECT_EQ(http_get(metrics_port_, "/metrics").status, 200) << "scrapers need no token";
}

TEST_F(PagesTest, PartnerPageShowsTheirBooks) {
    start_pages();
    scenario();
    std::string path = partner_link("ALICE");
    ASSERT_FALSE(path.empty());
    testing_support::HttpResponse r = http_get(metrics_port_, path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-security-policy"), kCsp);
    EXPECT_EQ(figure(r.body, "clicks"), "4");
    EXPECT_EQ(figure(r.body, "conversions"), "1");
    EXPECT_EQ(balance("code:ALICE", "pending"), 1400);
    EXPECT_NE(r.body.find("<td>EUR</td><td class=\"n\">14.00 EUR</td><td class=\"n\">0.00 EUR"
                          "</td><td class=\"n\">0.00 EUR</td>"),
              std::string::npos);
    EXPECT_NE(r.body.find("https://shop.example/?ref=ALICE"), std::string::npos);
    EXPECT_NE(r.body.find("aria-label=\"QR code of your referral link\""), std::string::npos);
    // Recent entries: ALICE's two rewards (o1 level 1, o2 level 2) and o3 rejected.
    EXPECT_NE(r.body.find("<code>o1</code>"), std::string::npos);
    EXPECT_NE(r.body.find("<code>o2</code>"), std::string::npos);
    EXPECT_NE(r.body.find("order rejected (below_min_order)"), std::string::npos);
    EXPECT_EQ(r.body.find("dave"), std::string::npos) << "other customers are not shown";
}

// base64url(expiry, code, HMAC) as the daemon signs it, here with any expiry.
std::string signed_token(const std::string &secret, const std::string &code, uint64_t expires) {
    auto hmac = [](const std::string &key, const std::string &message) {
        unsigned char out[32];
        unsigned int n = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char *>(message.data()), message.size(), out, &n);
        return std::string(reinterpret_cast<char *>(out), n);
    };
    std::string payload(8, '\0');
    for (int i = 0; i < 8; ++i) {
        payload[7 - i] = static_cast<char>(expires >> (8 * i));
    }
    payload += code;
    std::string key = hmac(secret, "referral-rewardd partner page v1");
    return referral::b64url_encode(payload + hmac(key, payload));
}

TEST_F(PagesTest, ForgedOrExpiredTokensGet404WithNoHint) {
    start_pages();
    scenario();
    const uint64_t later = static_cast<uint64_t>(now_ms() / 1000 + 3600);
    ASSERT_EQ(http_get(metrics_port_, "/p/" + signed_token(kSecret, "ALICE", later)).status, 200)
        << "the test signs as the daemon does";
    testing_support::HttpResponse expired =
        http_get(metrics_port_, "/p/" + signed_token(kSecret, "ALICE", later - 7200));
    testing_support::HttpResponse forged =
        http_get(metrics_port_, "/p/" + signed_token("another-secret-0123456789", "ALICE", later));
    std::string path = partner_link("ALICE");
    path[5] = path[5] == 'A' ? 'B' : 'A';
    testing_support::HttpResponse altered = http_get(metrics_port_, path);
    for (const auto *r : {&expired, &forged, &altered}) {
        EXPECT_EQ(r->status, 404);
        EXPECT_EQ(r->body, expired.body) << "all alike";
        EXPECT_EQ(r->body.find("ALICE"), std::string::npos);
    }
    EXPECT_EQ(http_get(metrics_port_, "/p/").status, 404);
    EXPECT_EQ(http_get(metrics_port_, "/p/%3Cb%3E").status, 404);
}

}  // namespace
}  // namespace rewardd_test
