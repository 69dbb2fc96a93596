// Checkout responses become conversion events in Redis, with values from the shop's response.

#include <ctime>
#include <map>

#include "module_fixture.h"

namespace module_test {
namespace {

using testing_support::Fields;

class ConversionTest : public ModuleTest {
  public:
    void SetUp() override { start_redis(); }

    // A front server with capture and a checkout location proxying to a "shop" server in the same
    // nginx, which answers with order headers taken from its query string.
    void start_shop(const std::string &checkout_extra = "", const std::string &server_extra = "") {
        start(
            "referral_secret_file @KEYS@;\n"
            "referral_redis 127.0.0.1:" +
            std::to_string(redis->port()) +
            ";\n"
            "server { listen 127.0.0.1:@PORT@; server_name shop.example; referral on;\n" +
            server_extra +
            "  location / { return 200 home; }\n"
            "  location /checkout/ {\n"
            "    referral_conversion on;\n"
            "    referral_conversion_order_id $upstream_http_x_order_id;\n"
            "    referral_conversion_amount $upstream_http_x_order_total;\n"
            "    referral_conversion_currency $upstream_http_x_currency;\n"
            "    referral_conversion_customer $upstream_http_x_customer;\n"
            "    proxy_hide_header X-Order-Id; proxy_hide_header X-Order-Total;\n"
            "    proxy_pass http://127.0.0.1:@PORT@/shop/;\n" +
            checkout_extra +
            "  }\n"
            "  location /shop/ {\n"
            "    referral off;\n"
            "    add_header X-Order-Id $arg_order; add_header X-Order-Total $arg_total;\n"
            "    add_header X-Currency $arg_currency; add_header X-Customer $arg_customer;\n"
            "    add_header X-Coupon $arg_coupon;\n"
            "    if ($arg_status) { return 500; }\n"
            "    return 200 thanks;\n"
            "  }\n"
            "}\n");
    }

    const int64_t issued = std::time(nullptr) - 100;
    std::string cookie_for(const std::string &code) {
        return "Cookie: ref=" + sign(code, issued, "k1", "newsletter");
    }
};

TEST_F(ConversionTest, ClickEventCarriesTheSchemaFields) {
    start_shop();
    auto r = get("/?ref=alice&utm_source=tg&utm_medium=social&utm_campaign=spring",
                 {"User-Agent: Mozilla/5.0 test"});
    ASSERT_EQ(r.status, 200);
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    Fields &e = ev[0];
    EXPECT_EQ(e["v"], "1");
    EXPECT_EQ(e["type"], "click");
    EXPECT_EQ(e["id"].size(), 22u);
    EXPECT_NEAR(std::stoll(e["ts"]) / 1000, std::time(nullptr), 5);
    EXPECT_EQ(e["site"], "shop.example");
    EXPECT_EQ(e["code"], "alice");
    EXPECT_EQ(e["click"], decode(cookie_value(r.header("set-cookie"))).click_id);
    EXPECT_EQ(e["ip"].size(), 16u);
    EXPECT_EQ(e["ua"].size(), 16u);
    EXPECT_EQ(e["src"], "tg");
    EXPECT_EQ(e["med"], "social");
    EXPECT_EQ(e["cmp"], "spring");
    EXPECT_EQ(e.count("order"), 0u);
}

TEST_F(ConversionTest, CheckoutWithValidCookieSendsConversionFromHiddenUpstreamHeaders) {
    start_shop();
    auto r = get("/checkout/done?order=A-1001&total=99.50&currency=EUR&customer=bob",
                 {cookie_for("alice")});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "thanks");
    EXPECT_FALSE(r.has("x-order-id")) << "proxy_hide_header keeps the order from the browser";
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    Fields &e = ev[0];
    EXPECT_EQ(e["type"], "conversion");
    EXPECT_EQ(e["code"], "alice");
    EXPECT_EQ(e["click"], "AAECAwQFBgcICQoLDA0ODw");
    EXPECT_EQ(e["first_ts"], std::to_string(issued * 1000));
    EXPECT_EQ(e["order"], "A-1001");
    EXPECT_EQ(e["amount"], "9950");
    EXPECT_EQ(e["currency"], "EUR");
    EXPECT_EQ(e["customer"], "bob");
    EXPECT_EQ(e["trust"], "upstream");
    EXPECT_EQ(e["status"], "200");
    EXPECT_EQ(e["src"], "newsletter");
}

TEST_F(ConversionTest, NoConversionWithoutValidCookieOrForUnlistedStatus) {
    start_shop();
    get("/checkout/done?order=1&total=5");
    get("/checkout/done?order=2&total=5", {"Cookie: ref=forged"});
    get("/checkout/done?order=3&total=5&status=1", {cookie_for("alice")});  // shop answers 500
    get("/checkout/done?order=4&total=5", {cookie_for("carol")});
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0]["order"], "4");
}

TEST_F(ConversionTest, ACustomerIdWithoutCookieIsSentWithoutCode) {
    start_shop("", "  location = /status { referral_status; }\n");
    // Only the daemon knows whether a registration bound this customer to a referrer.
    get("/checkout/done?order=K-1&total=10.00&currency=EUR&customer=bob");
    // An id over 128 bytes binds nobody: nothing to send.
    get("/checkout/done?order=K-2&total=10.00&currency=EUR&customer=" + std::string(129, 'c'));
    get("/checkout/done?order=K-3&total=10.00&currency=EUR&customer=bob", {cookie_for("alice")});
    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0]["order"], "K-1");
    EXPECT_EQ(ev[0]["customer"], "bob");
    EXPECT_EQ(ev[0].count("code"), 0u);
    EXPECT_EQ(ev[0].count("click"), 0u);
    EXPECT_EQ(ev[0].count("first_ts"), 0u);
    EXPECT_EQ(ev[1]["order"], "K-3");
    EXPECT_EQ(ev[1]["code"], "alice");
    EXPECT_EQ(status()["conversions_unattributed"], 1);
}

TEST_F(ConversionTest, CouponThatIsACodeIsSentEvenWithoutCookie) {
    start_shop("    referral_conversion_coupon $upstream_http_x_coupon;\n");
    get("/checkout/done?order=C-1&total=10.00&currency=EUR&coupon=BOB10");
    get("/checkout/done?order=C-2&total=10.00&currency=EUR&coupon=not%20a%20code");
    get("/checkout/done?order=C-3&total=10.00&currency=EUR&coupon=BOB10", {cookie_for("alice")});
    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0]["order"], "C-1");
    EXPECT_EQ(ev[0]["coupon"], "BOB10");
    EXPECT_EQ(ev[0].count("code"), 0u);
    EXPECT_EQ(ev[0].count("click"), 0u);
    EXPECT_EQ(ev[0].count("first_ts"), 0u);
    EXPECT_EQ(ev[0]["trust"], "upstream");
    EXPECT_EQ(ev[1]["order"], "C-3");
    EXPECT_EQ(ev[1]["code"], "alice");
    EXPECT_EQ(ev[1]["coupon"], "BOB10");
    EXPECT_EQ(ev[1]["first_ts"], std::to_string(issued * 1000));
}

TEST_F(ConversionTest, AmountsAreParsedExactlyOrSentRaw) {
    start_shop();
    struct Case {
        std::string total, currency, amount, raw;
    };
    const std::vector<Case> cases = {
        {"0.5", "EUR", "50", ""},  {"10", "", "1000", ""},          {"1e3", "EUR", "", "1e3"},
        {"-5", "EUR", "", "-5"},   {"12.345", "EUR", "", "12.345"}, {"12.345", "KWD", "12345", ""},
        {"100", "JPY", "100", ""}, {"1.5", "JPY", "", "1.5"},       {"", "EUR", "", ""},
        {"1,5", "EUR", "", "1,5"},
    };
    for (size_t i = 0; i < cases.size(); i++) {
        get("/checkout/done?order=o" + std::to_string(i) + "&total=" + cases[i].total +
                "&currency=" + cases[i].currency,
            {cookie_for("alice")});
    }
    auto ev = events(cases.size());
    ASSERT_EQ(ev.size(), cases.size());
    for (size_t i = 0; i < cases.size(); i++) {
        Fields &e = ev[i];
        ASSERT_EQ(e["order"], "o" + std::to_string(i));
        EXPECT_EQ(e["amount"], cases[i].amount) << cases[i].total << " " << cases[i].currency;
        EXPECT_EQ(e["amount_raw"], cases[i].raw) << cases[i].total << " " << cases[i].currency;
    }
}

TEST_F(ConversionTest, OddOrderIdsAreSentRaw) {
    // $arg_ values stay percent-encoded, so the space comes from the configuration.
    start_shop("",
               "  location /odd { referral_conversion on;"
               " referral_conversion_order_id \"has $arg_o\"; return 200; }\n");
    get("/odd?o=space", {cookie_for("alice")});
    get("/checkout/done?order=" + std::string(200, 'x') + "&total=1", {cookie_for("alice")});
    auto ev = events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0]["order_raw"], "has space");
    EXPECT_EQ(ev[0].count("order"), 0u);
    EXPECT_EQ(ev[1]["order_raw"], std::string(128, 'x'));
}

TEST_F(ConversionTest, RequestSourcedValuesAreMarkedAndWarned) {
    std::string conf =
        "referral_secret_file @KEYS@;\n"
        "server { listen 127.0.0.1:@PORT@; server_name s;\n"
        "  location /done { referral_conversion on;\n"
        "    referral_conversion_order_id $arg_order; return 200; } }\n";
    std::string out;
    EXPECT_EQ(test_config(conf, &out), 0) << out;
    EXPECT_NE(out.find("[warn]"), std::string::npos) << out;
    EXPECT_NE(out.find("referral_conversion_order_id"), std::string::npos) << out;
    EXPECT_NE(out.find("$arg_order"), std::string::npos) << out;

    start(
        "referral_secret_file @KEYS@;\n"
        "referral_redis 127.0.0.1:" +
        std::to_string(redis->port()) +
        ";\n"
        "server { listen 127.0.0.1:@PORT@; server_name s;\n"
        "  location /done { referral_conversion on;\n"
        "    referral_conversion_order_id $arg_order; referral_conversion_amount $arg_total;\n"
        "    return 200; } }\n");
    get("/done?order=9&total=3", {cookie_for("alice")});
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0]["trust"], "request");
    EXPECT_EQ(ev[0]["amount"], "300");
}

TEST_F(ConversionTest, InternalRedirectsYieldOneClickAndOneConversion) {
    start(
        "referral_secret_file @KEYS@;\n"
        "referral_redis 127.0.0.1:" +
        std::to_string(redis->port()) +
        ";\n"
        "server { listen 127.0.0.1:@PORT@; server_name s; referral on;\n"
        "  location / { try_files $uri @app; }\n"
        "  location @app { return 200 app; }\n"
        "  location /pay { referral_conversion on; referral_conversion_order_id 76;\n"
        "    error_page 404 = /thanks; root @PREFIX@/none; }\n"
        "  location = /thanks { referral_conversion on; referral_conversion_order_id 77;\n"
        "    return 200 thanks; }\n"
        "}\n");
    get("/x?ref=alice");
    get("/pay/x?ref=bob");  // 404, then error_page: /thanks converts
    auto ev = events(3);
    std::map<std::string, int> types;
    for (auto &e : ev)
        types[e["type"]]++;
    EXPECT_EQ(types["click"], 2);
    EXPECT_EQ(types["conversion"], 1);
    for (auto &e : ev) {
        if (e["type"] == "conversion") {
            EXPECT_EQ(e["code"], "bob");
            EXPECT_EQ(e["order"], "77");
        }
    }
}

TEST_F(ConversionTest, ConversionRequiresAnOrderId) {
    std::string out;
    EXPECT_NE(test_config("referral_secret_file @KEYS@;\n"
                          "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                          "  location /done { referral_conversion on; return 200; } }\n",
                          &out),
              0);
    EXPECT_NE(out.find("referral_conversion_order_id"), std::string::npos) << out;
    EXPECT_NE(
        test_config("referral_secret_file @KEYS@;\n"
                    "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                    "  location /done { referral_conversion on; referral_conversion_order_id 1;"
                    " referral_conversion_currency EURO; return 200; } }\n",
                    &out),
        0);
    EXPECT_NE(out.find("referral_conversion_currency"), std::string::npos) << out;
}

}  // namespace
}  // namespace module_test
