// Registration responses become signup events: the click's fields plus the customer and trust,
// judged on the final status once per request.

#include <ctime>

#include "module_fixture.h"

namespace module_test {
namespace {

using testing_support::Fields;

class SignupTest : public ModuleTest {
  public:
    void SetUp() override { start_redis(); }

    const int64_t issued = std::time(nullptr) - 100;
    std::string cookie_for(const std::string &code) {
        return "Cookie: ref=" + sign(code, issued, "k1", "newsletter");
    }
    std::string redis_line() {
        return "referral_redis 127.0.0.1:" + std::to_string(redis->port()) + ";\n";
    }
};

TEST_F(SignupTest, SignupRequiresACustomer) {
    std::string out;
    EXPECT_NE(test_config("referral_secret_file @KEYS@;\n"
                          "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                          "  location /joined { referral_signup on; return 200; } }\n",
                          &out),
              0);
    EXPECT_NE(out.find("\"referral_signup\" is on without \"referral_signup_customer\""),
              std::string::npos)
        << out;
    EXPECT_NE(test_config("server { listen 127.0.0.1:@PORT@; server_name s;\n"
                          "  location /joined { referral_signup on;\n"
                          "    referral_signup_customer $upstream_http_x_customer_id;"
                          " return 200; } }\n",
                          &out),
              0);
    EXPECT_NE(out.find("\"referral_signup\" is on but no \"referral_secret_file\""),
              std::string::npos)
        << out;
    EXPECT_NE(
        test_config("referral_secret_file @KEYS@;\n"
                    "server { listen 127.0.0.1:@PORT@; server_name s; referral_signup on; }\n",
                    &out),
        0);
    EXPECT_NE(out.find("\"referral_signup\" directive is not allowed here"), std::string::npos)
        << out;
}

TEST_F(SignupTest, SignupCarriesTheClickFieldsTheCustomerAndTrust) {
    start("referral_secret_file @KEYS@;\n" + redis_line() +
          "server { listen 127.0.0.1:@PORT@; server_name shop.example;\n"
          "  location = /joined {\n"
          "    referral_signup on;\n"
          "    referral_signup_customer $upstream_http_x_customer_id;\n"
          "    proxy_hide_header X-Customer-Id;\n"
          "    proxy_pass http://127.0.0.1:@PORT@/shop/joined$is_args$args;\n"
          "  }\n"
          "  location = /joined-next { rewrite ^ /joined last; }\n"
          "  location /shop/ {\n"
          "    add_header X-Customer-Id $arg_customer;\n"
          "    if ($arg_status) { return 500; }\n"
          "    return 200 welcome;\n"
          "  }\n"
          "  location = /status { referral_status; }\n"
          "}\n");
    auto r = get("/joined?customer=bob", {cookie_for("alice")});
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.has("x-customer-id"));
    get("/joined?customer=carol&status=1", {cookie_for("alice")});  // the shop failed: 500
    get("/joined?customer=" + std::string(200, 'c'), {cookie_for("alice")});
    get("/joined-next?customer=dave", {cookie_for("alice")});  // an internal redirect: once
    auto ev = events(3);
    ASSERT_EQ(ev.size(), 3u);
    Decoded d = decode(sign("alice", issued, "k1", "newsletter"));
    EXPECT_EQ(ev[0]["type"], "signup");
    EXPECT_EQ(ev[0]["code"], "alice");
    EXPECT_EQ(ev[0]["click"], d.click_id);
    EXPECT_EQ(ev[0]["src"], "newsletter");
    EXPECT_EQ(ev[0]["site"], "shop.example");
    EXPECT_EQ(ev[0]["customer"], "bob");
    EXPECT_EQ(ev[0]["trust"], "upstream");
    EXPECT_EQ(ev[0]["ip"].size(), 16u);
    EXPECT_EQ(ev[0].count("order"), 0u);
    EXPECT_EQ(ev[1].count("customer"), 0u);
    EXPECT_EQ(ev[1]["customer_raw"], std::string(128, 'c'));
    EXPECT_EQ(ev[2]["customer"], "dave");
    EXPECT_EQ(status()["signups"], 3);
}

TEST_F(SignupTest, RequestSourcedCustomerIsMarkedAndWarned) {
    std::string conf = "referral_secret_file @KEYS@;\n" + redis_line() +
                       "server { listen 127.0.0.1:@PORT@; server_name s;\n"
                       "  location /joined { referral_signup on;\n"
                       "    referral_signup_customer $cookie_uid; return 200; } }\n";
    std::string out;
    EXPECT_EQ(test_config(conf, &out), 0) << out;
    EXPECT_NE(out.find("[warn]"), std::string::npos) << out;
    EXPECT_NE(out.find("referral_signup_customer"), std::string::npos) << out;
    start(conf);
    get("/joined", {cookie_for("alice") + "; uid=u-1"});
    auto ev = events(1);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0]["customer"], "u-1");
    EXPECT_EQ(ev[0]["trust"], "request");
}

}  // namespace
}  // namespace module_test
