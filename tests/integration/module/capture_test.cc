// A referral link becomes a signed cookie; the cookie attributes later requests.

#include <ctime>
#include <regex>

#include "module_fixture.h"

namespace module_test {
namespace {

// Variables shown as headers so tests can read what the module decided.
const char kShowVariables[] = R"(
        add_header X-Code $referral_code always;
        add_header X-Source $referral_source always;
        add_header X-Medium $referral_medium always;
        add_header X-Campaign $referral_campaign always;
        add_header X-Click $referral_click_id always;
        add_header X-Status $referral_cookie_status always;
        add_header X-Set $referral_set always;
)";

std::string site(const std::string &server_extra, const std::string &locations = "",
                 const std::string &http_extra = "") {
    return std::string("referral_secret_file @KEYS@;\n") + http_extra +
           "server {\n listen 127.0.0.1:@PORT@;\n server_name shop.example;\n" + kShowVariables +
           server_extra + "\n" +
           (locations.empty() ? " location / { referral on; return 200 \"ok\\n\"; }\n"
                              : locations) +
           "}\n";
}

class CaptureTest : public ModuleTest {};

TEST_F(CaptureTest, ReferralLinkSetsSignedCookieWithExactAttributes) {
    start(site(""));
    auto r = get("/?ref=alice&utm_source=telegram&utm_medium=social&utm_campaign=spring+sale");
    EXPECT_EQ(r.status, 200);
    auto cookies = r.all("set-cookie");
    ASSERT_EQ(cookies.size(), 1u);
    std::regex shape(
        "ref=1\\.k1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}; Path=/; Max-Age=2592000; "
        "Expires=[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT; "
        "HttpOnly; SameSite=Lax");
    EXPECT_TRUE(std::regex_match(cookies[0], shape)) << cookies[0];
    EXPECT_EQ(r.header("cache-control"), "private, no-store");
    EXPECT_EQ(r.header("x-code"), "alice");
    EXPECT_EQ(r.header("x-source"), "telegram");
    EXPECT_EQ(r.header("x-medium"), "social");
    EXPECT_EQ(r.header("x-campaign"), "spring sale");
    EXPECT_EQ(r.header("x-set"), "1");
    EXPECT_EQ(r.header("x-status"), "none");

    Decoded d = decode(cookie_value(cookies[0]));
    EXPECT_EQ(d.status, referral::TokenStatus::valid);
    EXPECT_EQ(d.code, "alice");
    EXPECT_EQ(d.source, "telegram");
    EXPECT_EQ(d.campaign, "spring sale");
    EXPECT_EQ(d.click_id, r.header("x-click"));
    EXPECT_NEAR(d.issued, std::time(nullptr), 5);
}

TEST_F(CaptureTest, CookieAttributesLaterRequests) {
    start(site(""));
    auto first = get("/?ref=alice&utm_source=telegram");
    std::string token = cookie_value(first.header("set-cookie"));

    auto r = get("/other", {"Cookie: theme=dark; ref=" + token});
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.has("set-cookie"));
    EXPECT_EQ(r.header("x-code"), "alice");
    EXPECT_EQ(r.header("x-source"), "telegram");
    EXPECT_EQ(r.header("x-status"), "valid");
    EXPECT_EQ(r.header("x-set"), "0");
    EXPECT_EQ(r.header("x-click"), first.header("x-click"));
}

TEST_F(CaptureTest, TamperedCookiesAttributeNothing) {
    start(site(""));
    std::string token = sign("alice", std::time(nullptr));
    std::string other_code = sign("mallory", std::time(nullptr));
    size_t tag = token.rfind('.');
    std::vector<std::string> forged = {
        token.substr(0, token.size() - 1),                                // cut tag
        other_code.substr(0, other_code.rfind('.')) + token.substr(tag),  // swapped payload
        "1.k9" + token.substr(4),                                         // unknown kid
        "2" + token.substr(1),                                            // version
        token + ".x",                                                     // extra dot
        "%%%garbage%%%",
        "",
    };
    token[6] = token[6] == 'A' ? 'B' : 'A';
    forged.push_back(token);  // one payload character changed
    for (const auto &f : forged) {
        auto r = get("/", {"Cookie: ref=" + f});
        EXPECT_EQ(r.status, 200) << f;
        EXPECT_EQ(r.header("x-status"), "invalid") << f;
        EXPECT_EQ(r.header("x-code"), "") << f;
        EXPECT_FALSE(r.has("set-cookie")) << f;
    }
}

TEST_F(CaptureTest, OldCookieIsExpiredAndRotatedKeyStillVerifies) {
    start(site(""));
    auto r = get("/", {"Cookie: ref=" + sign("alice", std::time(nullptr) - 31 * 86400)});
    EXPECT_EQ(r.header("x-status"), "expired");
    EXPECT_EQ(r.header("x-code"), "");

    r = get("/", {"Cookie: ref=" + sign("bob", std::time(nullptr) - 60, "k2")});
    EXPECT_EQ(r.header("x-status"), "valid");
    EXPECT_EQ(r.header("x-code"), "bob");
}

TEST_F(CaptureTest, SeveralCookiesOfTheNameUseTheValidOneTheRulePrefers) {
    start(site("",
               " location / { referral on; return 200; }\n"
               " location /first/ { referral on; referral_attribution first; return 200; }\n"));
    long now = std::time(nullptr);
    std::string older = sign("old", now - 1000), newer = sign("new", now - 10);
    auto r = get("/", {"Cookie: ref=broken; ref=" + older + "; ref=" + newer});
    EXPECT_EQ(r.header("x-code"), "new");
    EXPECT_EQ(r.header("x-status"), "valid");
    r = get("/first/", {"Cookie: ref=" + newer, "Cookie: ref=" + older});
    EXPECT_EQ(r.header("x-code"), "old");
}

TEST_F(CaptureTest, LastAttributionReplacesFirstKeeps) {
    start(site("",
               " location / { referral on; return 200; }\n"
               " location /first/ { referral on; referral_attribution first; return 200; }\n"));
    std::string alice = sign("alice", std::time(nullptr) - 100);

    auto r = get("/?ref=bob", {"Cookie: ref=" + alice});
    EXPECT_EQ(r.header("x-code"), "bob");
    EXPECT_EQ(decode(cookie_value(r.header("set-cookie"))).code, "bob");

    r = get("/?ref=alice", {"Cookie: ref=" + alice});  // same code: keeps click and time
    EXPECT_FALSE(r.has("set-cookie"));
    EXPECT_EQ(r.header("x-click"), "AAECAwQFBgcICQoLDA0ODw");

    r = get("/first/?ref=bob", {"Cookie: ref=" + alice});
    EXPECT_FALSE(r.has("set-cookie"));
    EXPECT_EQ(r.header("x-code"), "alice");

    r = get("/first/?ref=bob", {"Cookie: ref=" + sign("alice", std::time(nullptr) - 40 * 86400)});
    EXPECT_EQ(r.header("x-code"), "bob") << "an expired cookie does not hold first attribution";
}

TEST_F(CaptureTest, RedirectDropsReferralArgsAndKeepsOthersInOrder) {
    start(site("referral_redirect on;", " location / { referral on; return 200; }\n"));
    auto r = get("/page?x=1&ref=alice&utm_source=tg&y=2&UTM_MEDIUM=m&z");
    EXPECT_EQ(r.status, 302);
    EXPECT_TRUE(r.has("set-cookie"));
    EXPECT_EQ(r.header("cache-control"), "private, no-store");
    std::string location = r.header("location");
    EXPECT_EQ(location.substr(location.find("/page")), "/page?x=1&y=2&z") << location;

    r = get("/page?ref=alice");
    EXPECT_EQ(r.status, 302);
    location = r.header("location");
    EXPECT_EQ(location.substr(location.find("/page")), "/page");

    r = get("/page?ref=bad%zz");
    EXPECT_EQ(r.status, 200) << "an invalid code is not a referral link";
}

// With absolute_redirect off the Location goes out as built: it must stay a path on this site
// whatever the request line held.
TEST_F(CaptureTest, RedirectNeverLeavesTheSite) {
    start(site("referral_redirect on; absolute_redirect off;",
               " location / { referral on; return 200; }\n"));
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"//evil.example/?ref=alice", "/evil.example/"},
        {"/\\evil.example/?ref=alice", "/evil.example/"},
        {"/\\/\\//evil.example/x?ref=alice&y=1", "/evil.example/x?y=1"},
        {"/a//b/?ref=alice", "/a//b/"},
        {"http://shop.example?ref=alice", "/"},
        {"http://shop.example?y=1&ref=alice", "/?y=1"},
        {"http://shop.example//evil.example/?ref=alice", "/evil.example/"},
    };
    for (const auto &[target, location] : cases) {
        auto r = get(target);
        EXPECT_EQ(r.status, 302) << target;
        EXPECT_EQ(r.header("location"), location) << target;
    }
}

// A referral the server's own rewrite put into the args is captured, but the visitor is only
// redirected when the URL they asked for carries referral args: otherwise the redirect would
// lead back to that same URL forever.
TEST_F(CaptureTest, RedirectDecidesOnTheVisitorsUrlNotTheRewrittenArgs) {
    start(site("referral_redirect on; absolute_redirect off;\n rewrite ^/r/(.*)$ /?ref=$1 last;",
               " location / { referral on; return 200; }\n"));
    auto r = get("/r/alice");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("x-code"), "alice");
    EXPECT_TRUE(r.has("set-cookie"));

    r = get("/r/alice?x=1&utm_source=tg");
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.header("location"), "/r/alice?x=1");
    r = get(r.header("location"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("x-code"), "alice");
}

TEST_F(CaptureTest, CrawlersPrefetchesAndEmbeddedRequestsAreSkipped) {
    start(site(""));
    const std::vector<std::vector<std::string>> skipped = {
        {"User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent: facebookexternalhit/1.1"},
        {"Sec-Purpose: prefetch"},
        {"Purpose: prefetch"},
        {"Sec-Fetch-Dest: iframe"},
        {"Sec-Fetch-Dest: image"},
        {"Sec-Fetch-Dest: script"},
        {"Sec-Fetch-Dest: style"},
    };
    for (const auto &h : skipped) {
        auto r = get("/?ref=alice", h);
        EXPECT_EQ(r.status, 200);
        EXPECT_FALSE(r.has("set-cookie")) << h[0];
    }
    for (const char *ua : {"curl/7.88.1", "Wget/1.21.3",
                           "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0"}) {
        auto r = get("/?ref=alice", {std::string("User-Agent: ") + ua, "Sec-Fetch-Dest: document"});
        EXPECT_TRUE(r.has("set-cookie")) << ua;
    }
}

TEST_F(CaptureTest, SkipBotsOffCapturesCrawlers) {
    start(site("referral_skip_bots off;"));
    EXPECT_TRUE(get("/?ref=alice", {"User-Agent: Googlebot"}).has("set-cookie"));
}

TEST_F(CaptureTest, ReferralSkipExcludesByRule) {
    start(site("", " location / { referral on; referral_skip $arg_internal; return 200; }\n"));
    EXPECT_FALSE(get("/?ref=alice&internal=1").has("set-cookie"));
    EXPECT_TRUE(get("/?ref=alice&internal=0").has("set-cookie"));
    EXPECT_TRUE(get("/?ref=alice").has("set-cookie"));
}

TEST_F(CaptureTest, ConsentGatesCaptureAndWithdrawalExpiresTheCookie) {
    start(site("referral_consent $cookie_consent;"));
    auto r = get("/?ref=alice");
    EXPECT_FALSE(r.has("set-cookie"));
    r = get("/?ref=alice", {"Cookie: consent=1"});
    EXPECT_TRUE(r.has("set-cookie"));

    std::string token = sign("alice", std::time(nullptr));
    r = get("/", {"Cookie: consent=0; ref=" + token});
    EXPECT_EQ(
        r.header("set-cookie"),
        "ref=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:01 GMT; HttpOnly; SameSite=Lax");
    EXPECT_EQ(r.header("cache-control"), "private, no-store");
    EXPECT_EQ(r.header("x-code"), "");
    EXPECT_EQ(r.header("x-set"), "0");
}

TEST_F(CaptureTest, CookieSetOnStaticFilesAndProxiedResponsesNotOnServerErrors) {
    start(site("",
               " location / { referral on; root @PREFIX@/html; }\n"
               " location /shop/ { referral on; proxy_pass http://127.0.0.1:@PORT@/upstream/; }\n"
               " location /upstream/ { add_header Cache-Control \"public, max-age=600\"; return "
               "200 up; }\n"
               " location /broken { referral on; return 502; }\n"));
    auto r = get("/index.html?ref=alice");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello\n");
    EXPECT_TRUE(r.has("set-cookie"));

    r = get("/shop/cart?ref=alice");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "up");
    EXPECT_EQ(r.all("set-cookie").size(), 1u);
    EXPECT_EQ(r.all("cache-control"), std::vector<std::string>{"private, no-store"});

    r = get("/broken?ref=alice");
    EXPECT_EQ(r.status, 502);
    EXPECT_FALSE(r.has("set-cookie"));
}

TEST_F(CaptureTest, InternalRedirectsSetOneCookieMatchingTheClickId) {
    start(
        site("",
             " location / { referral on; try_files $uri @fallback; }\n"
             " location @fallback { return 200 fallback; }\n"
             " location /missing { referral on; error_page 404 = /handled; root @PREFIX@/none; }\n"
             " location = /handled { referral on; return 200 handled; }\n"
             " location /rw { referral on; rewrite ^ /final last; }\n"
             " location = /final { referral on; return 200 final; }\n"));
    for (const char *target : {"/nowhere?ref=alice", "/missing/x?ref=alice", "/rw?ref=alice"}) {
        auto r = get(target);
        EXPECT_EQ(r.status, 200) << target;
        auto cookies = r.all("set-cookie");
        ASSERT_EQ(cookies.size(), 1u) << target;
        EXPECT_EQ(decode(cookie_value(cookies[0])).click_id, r.header("x-click")) << target;
    }
}

TEST_F(CaptureTest, HostPrefixedAndSameSiteNoneCookiesAreSecure) {
    start(site("", "", "referral_cookie __Host-ref max_age=7d samesite=none httponly=off;\n"));
    auto r = get("/?ref=alice");
    std::string c = r.header("set-cookie");
    EXPECT_EQ(c.rfind("__Host-ref=1.k1.", 0), 0u) << c;
    EXPECT_NE(c.find("; Path=/; Max-Age=604800; Expires="), std::string::npos) << c;
    EXPECT_EQ(c.substr(c.find(" GMT") + 4), "; Secure; SameSite=None");
    EXPECT_EQ(c.find("Domain"), std::string::npos);
}

TEST_F(CaptureTest, ServerOverridesOnlyTheCookieAttributesItNames) {
    start(
        "referral_secret_file @KEYS@;\n"
        "referral_cookie rc domain=example.com max_age=1h;\n"
        "server { listen 127.0.0.1:@PORT@; server_name a.example;\n"
        "  referral_cookie rc secure;\n"
        "  location / { referral on; return 200; } }\n");
    std::string c = get("/?ref=alice").header("set-cookie");
    EXPECT_EQ(c.rfind("rc=", 0), 0u) << c;
    EXPECT_NE(c.find("; Path=/; Domain=example.com; Max-Age=3600; Expires="), std::string::npos)
        << c;
    EXPECT_EQ(c.substr(c.find(" GMT") + 4), "; Secure; HttpOnly; SameSite=Lax");
}

TEST_F(CaptureTest, CustomParamsAndLengthLimit) {
    start(site("",
               " location / { referral on; referral_param r invite; referral_code_max_length 5;"
               " referral_utm off; return 200; }\n"));
    EXPECT_EQ(get("/?INVITE=bob").header("x-code"), "bob");
    EXPECT_EQ(get("/?r=toolong&invite=carol&utm_source=x").header("x-code"), "carol");
    EXPECT_EQ(get("/?invite=carol&utm_source=x").header("x-source"), "");
    EXPECT_FALSE(get("/?ref=alice").has("set-cookie"));
}

TEST_F(CaptureTest, BadInputIsServedNormally) {
    start(site(""));
    std::string big(8000, 'a');
    const std::vector<std::string> targets = {
        "/?ref=",
        "/?ref=%zz",
        "/?ref=%00",
        "/?ref=a%",
        "/?ref=a%20b",
        "/?ref=%E2%98%83",
        "/?ref=" + std::string(200, 'x'),
        "/?ref=a&ref=b&ref=c",
        "/?" + big + "&ref=ok",
        "/?ref=bad!&ref=good",
        "/?&&&=&ref",
        "/?utm_source=%ff&ref=x",
    };
    for (const auto &t : targets) {
        auto r = get(t);
        EXPECT_EQ(r.status, 200) << t.substr(0, 60);
    }
    EXPECT_EQ(get("/?ref=bad!&ref=good").header("x-code"), "good");
    EXPECT_EQ(get("/?" + big + "&ref=ok").header("x-code"), "ok");
    EXPECT_EQ(get("/?ref=a&ref=b&ref=c").header("x-code"), "a");
    EXPECT_EQ(get("/?utm_source=%ff&ref=x").header("x-source"), "");
    EXPECT_NE(nginx_->error_log().find("referral: ignored referral args"), std::string::npos);
}

TEST_F(CaptureTest, ReferralOffOnlyVerifies) {
    start(site("", " location / { return 200; }\n"));
    auto r = get("/?ref=alice");
    EXPECT_FALSE(r.has("set-cookie"));
    r = get("/", {"Cookie: ref=" + sign("alice", std::time(nullptr))});
    EXPECT_EQ(r.header("x-code"), "alice");
}

// A page that only carries the cookie costs no HMAC: it is verified when something reads the
// attribution, here a variable.
TEST_F(CaptureTest, CookieIsVerifiedOnlyWhenTheAttributionIsRead) {
    start(
        "referral_secret_file @KEYS@;\n"
        "server {\n listen 127.0.0.1:@PORT@;\n server_name shop.example;\n"
        " location / { referral on; return 200 \"ok\\n\"; }\n"
        " location = /code { referral on; return 200 \"$referral_code\\n\"; }\n"
        " location = /status { referral_status; }\n"
        "}\n");
    std::string valid = "Cookie: ref=" + sign("alice", std::time(nullptr));
    std::string forged = "Cookie: ref=1.k1.YWxpY2U.AAAAAAAAAAAAAAAAAAAAAA";
    EXPECT_EQ(get("/", {valid}).status, 200);
    EXPECT_EQ(get("/", {forged}).status, 200);
    auto counters = status();
    EXPECT_EQ(counters["cookies_valid"], 0);
    EXPECT_EQ(counters["cookies_invalid"], 0);

    EXPECT_EQ(get("/code", {valid}).body, "alice\n");
    EXPECT_EQ(get("/code", {forged}).body, "\n");
    counters = status();
    EXPECT_EQ(counters["cookies_valid"], 1);
    EXPECT_EQ(counters["cookies_invalid"], 1);
}

}  // namespace
}  // namespace module_test
