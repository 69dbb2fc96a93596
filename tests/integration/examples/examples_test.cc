// Every nginx configuration the project ships passes `nginx -t` with the built module, and the
// examples whose point is a request flow (reverse proxy, page cache, payment gateway, consent)
// serve that flow in front of the demo shop.

#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "example_prefix.h"
#include "http_client.h"
#include "nginx_server.h"
#include "redis_server.h"

namespace examples_test {
namespace {

using testing_support::HttpResponse;

const std::string kShop = DOCKER_DIR "/shop.conf";

std::string example(const std::string &name) {
    return EXAMPLES_DIR "/" + name + ".conf";
}

// Every http-level configuration: the examples (all but the main nginx.conf they go into) and
// the compose demo's.
std::vector<std::string> shipped_configs() {
    std::vector<std::string> out;
    for (const std::string dir : {EXAMPLES_DIR, DOCKER_DIR}) {
        DIR *d = opendir(dir.c_str());
        if (!d)
            continue;
        while (dirent *e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".conf") == 0 &&
                name != "nginx.conf") {
                out.push_back(dir + "/" + name);
            }
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// A counter from referral_status's JSON ({"clicks":1,"conversions":0,...}).
long counter(const std::string &json, const std::string &name) {
    std::string key = "\"" + name + "\":";
    size_t pos = json.find(key);
    if (pos == std::string::npos)
        return -1;
    return std::stol(json.substr(pos + key.size()));
}

void expect_clean_log(const ExamplePrefix &nginx) {
    std::string log = nginx.error_log();
    EXPECT_EQ(testing_support::serious_lines(log), std::vector<std::string>{}) << log;
}

class ShippedConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedConfig, PassesNginxT) {
    ExamplePrefix nginx({GetParam()});
    std::string output;
    EXPECT_EQ(nginx.test_config(&output), 0) << output;
    EXPECT_NE(output.find("test is successful"), std::string::npos) << output;
    // A shipped example shows no warning an operator would have to think about.
    EXPECT_EQ(output.find("[warn]"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(Examples, ShippedConfig, ::testing::ValuesIn(shipped_configs()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                             std::string path = info.param;
                             std::string name = path.substr(path.rfind('/') + 1);
                             name = path.find(DOCKER_DIR) == 0 ? "docker_" + name : name;
                             name.resize(name.size() - 5);
                             std::replace_if(
                                 name.begin(), name.end(), [](char c) { return !isalnum(c); }, '_');
                             return name;
                         });

TEST(ShippedConfigs, AreAllFound) {
    // The parameterised test above would silently run nothing if the directory moved.
    EXPECT_GE(shipped_configs().size(), 9u);
}

class RunningExample : public ::testing::Test {
  public:
    void start(const std::string &name) { start_config(example(name)); }
    void start_config(const std::string &path) {
        nginx_ = std::make_unique<ExamplePrefix>(std::vector<std::string>{path, kShop},
                                                 std::map<int, int>{{6379, redis_.port()}});
        nginx_->start();
    }
    // The events the module delivered to the stream, once there are `expected` of them, clicks
    // first: the example runs several workers, so a click and the conversion that follows it
    // may reach the stream in either order.
    std::vector<testing_support::Fields> events(size_t expected) {
        std::vector<testing_support::Fields> ev = redis_.stream("{referral}:events", expected);
        std::stable_sort(ev.begin(), ev.end(),
                         [](const auto &a, const auto &b) { return a.at("type") < b.at("type"); });
        return ev;
    }
    HttpResponse get(const std::string &target, const std::vector<std::string> &headers = {}) {
        return testing_support::http_get(nginx_->port(80), target, headers);
    }
    long status(const std::string &name) {
        return counter(testing_support::http_get(nginx_->port(8081), "/referral-status").body,
                       name);
    }
    void TearDown() override {
        if (!nginx_)
            return;
        nginx_->stop();
        expect_clean_log(*nginx_);
    }

    testing_support::RedisServer redis_;
    std::unique_ptr<ExamplePrefix> nginx_;
};

TEST_F(RunningExample, StaticSiteRedirectsToTheCleanAddress) {
    start("static-site");
    HttpResponse landing = get("/index.html?ref=alice&utm_source=mastodon&lang=en");
    ASSERT_EQ(landing.status, 302);
    EXPECT_NE(landing.header("location").find("/index.html?lang=en"), std::string::npos)
        << landing.header("location");
    ASSERT_EQ(landing.header("set-cookie").rfind("ref=1.", 0), 0u);
    EXPECT_EQ(landing.header("cache-control"), "private, no-store");

    HttpResponse page = get("/index.html?lang=en", {cookie_header(landing.header("set-cookie"))});
    EXPECT_EQ(page.status, 200);
    EXPECT_FALSE(page.has("set-cookie"));
    EXPECT_NE(page.body.find("example.org"), std::string::npos);
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0]["site"], "www.example.org");
    EXPECT_EQ(ev[0]["src"], "mastodon");
}

TEST_F(RunningExample, ReverseProxyPassesTheCodeAndHidesTheOrder) {
    start("reverse-proxy");
    HttpResponse landing = get("/shoes?ref=alice&utm_source=tg");
    ASSERT_EQ(landing.status, 200);
    ASSERT_EQ(landing.header("set-cookie").rfind("ref=1.", 0), 0u) << landing.header("set-cookie");
    EXPECT_EQ(landing.header("cache-control"), "private, no-store");
    EXPECT_NE(landing.body.find("Referred by: alice"), std::string::npos) << landing.body;

    HttpResponse done = get("/checkout/done?order=1001&total=49.90&customer=c-7",
                            {cookie_header(landing.header("set-cookie"))});
    ASSERT_EQ(done.status, 200);
    EXPECT_FALSE(done.has("x-order-id"));
    EXPECT_FALSE(done.has("x-order-total"));
    EXPECT_FALSE(done.has("x-customer-id"));
    EXPECT_FALSE(done.has("set-cookie"));
    EXPECT_EQ(status("clicks"), 1);
    EXPECT_EQ(status("conversions"), 1);

    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0]["type"], "click");
    EXPECT_EQ(ev[0]["src"], "tg");
    EXPECT_EQ(ev[1]["type"], "conversion");
    EXPECT_EQ(ev[1]["order"], "1001");
    EXPECT_EQ(ev[1]["amount"], "4990");
    EXPECT_EQ(ev[1]["customer"], "c-7");
}

TEST_F(RunningExample, ProxyCacheNeverHandsOneVisitorsCookieToAnother) {
    start("proxy-cache");
    HttpResponse alice = get("/shoes?ref=alice");
    ASSERT_EQ(alice.status, 200);
    EXPECT_EQ(alice.header("x-cache-status"), "BYPASS");
    ASSERT_TRUE(alice.has("set-cookie"));
    EXPECT_EQ(alice.header("cache-control"), "private, no-store");

    // The referred visitor browses on: the page is fetched and cached, without a cookie.
    HttpResponse again = get("/shoes", {cookie_header(alice.header("set-cookie"))});
    EXPECT_EQ(again.header("x-cache-status"), "MISS");
    EXPECT_FALSE(again.has("set-cookie"));

    // Another visitor gets the cached copy: no cookie, the shop's own cache header.
    HttpResponse other = get("/shoes");
    EXPECT_EQ(other.header("x-cache-status"), "HIT");
    EXPECT_FALSE(other.has("set-cookie"));
    EXPECT_EQ(other.header("cache-control"), "public, max-age=60");

    // A second referred visitor gets a cookie of their own, never the first one's.
    HttpResponse bob = get("/shoes?ref=alice");
    EXPECT_EQ(bob.header("x-cache-status"), "BYPASS");
    ASSERT_TRUE(bob.has("set-cookie"));
    EXPECT_NE(bob.header("set-cookie"), alice.header("set-cookie"));
    EXPECT_EQ(status("cookies_set"), 2);
}

TEST_F(RunningExample, PaymentGatewayPostBecomesAnAttributedGet) {
    start("payment-gateway");
    HttpResponse landing = get("/?ref=alice");
    ASSERT_TRUE(landing.has("set-cookie"));

    // The gateway's cross-site POST: the browser sends no Lax cookie with it.
    HttpResponse back = testing_support::http_request(
        nginx_->port(80), "POST", "/payment/return?order=1001&total=49.90",
        {"Content-Type: application/x-www-form-urlencoded"}, "status=paid");
    ASSERT_EQ(back.status, 303);
    std::string location = back.header("location");
    size_t path = location.find("/checkout/done?");
    ASSERT_NE(path, std::string::npos) << location;
    EXPECT_EQ(location.substr(path), "/checkout/done?order=1001&total=49.90");
    EXPECT_EQ(status("conversions"), 0);

    // The GET the browser follows with is a top-level navigation: the Lax cookie comes along.
    HttpResponse done = get(location.substr(path), {cookie_header(landing.header("set-cookie"))});
    ASSERT_EQ(done.status, 200);
    EXPECT_FALSE(done.has("x-order-id"));
    EXPECT_EQ(status("conversions"), 1);
    EXPECT_EQ(status("conversions_unattributed"), 0);

    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1]["type"], "conversion");
    EXPECT_EQ(ev[1]["code"], "alice");
    EXPECT_EQ(ev[1]["click"], ev[0]["click"]);
    EXPECT_EQ(ev[1]["site"], "shop.example");
    EXPECT_EQ(ev[1]["order"], "1001");
    EXPECT_EQ(ev[1]["amount"], "4990");
    EXPECT_EQ(ev[1]["currency"], "EUR");
    EXPECT_EQ(ev[1]["trust"], "upstream");
}

TEST_F(RunningExample, ComposeDemoConvertsAfterTheGatewayReturn) {
    start_config(DOCKER_DIR "/referral.conf");
    HttpResponse landing = get("/?ref=alice");
    ASSERT_TRUE(landing.has("set-cookie"));
    HttpResponse back = testing_support::http_request(nginx_->port(80), "POST",
                                                      "/payment/return?order=7&total=10.00");
    ASSERT_EQ(back.status, 303);
    // Relative, so that it holds behind compose's published port.
    EXPECT_EQ(back.header("location"), "/checkout/done?order=7&total=10.00");
    HttpResponse done = get(back.header("location"), {cookie_header(landing.header("set-cookie"))});
    EXPECT_EQ(done.status, 200);
    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1]["order"], "7");
    EXPECT_EQ(ev[1]["amount"], "1000");
}

TEST_F(RunningExample, ConsentBannerCookieGatesCapture) {
    start("consent");
    HttpResponse before = get("/?ref=alice");
    EXPECT_EQ(before.status, 200);
    EXPECT_FALSE(before.has("set-cookie"));

    HttpResponse declined = get("/?ref=alice", {"Cookie: consent=necessary,analytics"});
    EXPECT_FALSE(declined.has("set-cookie"));

    HttpResponse accepted = get("/?ref=alice", {"Cookie: consent=necessary,marketing"});
    ASSERT_EQ(accepted.header("set-cookie").rfind("ref=1.", 0), 0u);

    // Consent withdrawn later: the referral cookie is deleted.
    HttpResponse withdrawn = get("/", {"Cookie: consent=necessary; " +
                                       cookie_header(accepted.header("set-cookie")).substr(8)});
    EXPECT_NE(withdrawn.header("set-cookie").find("Max-Age=0"), std::string::npos)
        << withdrawn.header("set-cookie");
}

}  // namespace
}  // namespace examples_test
