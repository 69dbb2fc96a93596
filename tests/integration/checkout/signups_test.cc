// Registrations end to end: the shop's registration page through the real nginx and module (the
// new customer's id in a response header the browser never sees), the real referral-rewardd
// binding the customer to the referrer, and a later purchase without the cookie credited
// through that binding.
#include <chrono>
#include <ctime>
#include <algorithm>
#include <map>

#include "module_fixture.h"
#include "process.h"

namespace {

using testing_support::Fields;
using testing_support::Reply;

class SignupsTest : public module_test::ModuleTest {
  protected:
    void SetUp() override {
        start_redis();
        // /register and /checkout are the shop's pages behind nginx: /shop/ plays the shop,
        // answering with the customer, order and total in headers.
        start(
            "referral_secret_file @KEYS@;\n"
            "referral_site shop;\n"
            "referral_redis 127.0.0.1:" +
            std::to_string(redis->port()) +
            ";\n"
            "server {\n"
            "  listen 127.0.0.1:@PORT@;\n"
            "  location = /register {\n"
            "    referral_signup on;\n"
            "    referral_signup_customer $upstream_http_x_customer_id;\n"
            "    proxy_hide_header X-Customer-Id;\n"
            "    proxy_pass http://127.0.0.1:@PORT@/shop/register$is_args$args;\n"
            "  }\n"
            "  location = /checkout {\n"
            "    referral_conversion on;\n"
            "    referral_conversion_order_id $upstream_http_x_order_id;\n"
            "    referral_conversion_amount $upstream_http_x_order_total;\n"
            "    referral_conversion_currency EUR;\n"
            "    referral_conversion_customer $upstream_http_x_customer_id;\n"
            "    proxy_hide_header X-Customer-Id;\n"
            "    proxy_hide_header X-Order-Id;\n"
            "    proxy_hide_header X-Order-Total;\n"
            "    proxy_pass http://127.0.0.1:@PORT@/shop/checkout$is_args$args;\n"
            "  }\n"
            "  location /shop/ {\n"
            "    add_header X-Customer-Id $arg_customer;\n"
            "    add_header X-Order-Id $arg_order;\n"
            "    add_header X-Order-Total $arg_total;\n"
            "    return 200 ok;\n"
            "  }\n"
            "  location = /status { referral_status; }\n"
            "}\n");
    }

    // Enrolls alice and carol, then runs the daemon with the programme's tables.
    void start_daemon(const std::string &programme) {
        config_ = dir_.path() + "/rewards.toml";
        testing_support::write_file(
            config_, "[redis]\naddress = \"127.0.0.1:" + std::to_string(redis->port()) + "\"\n\n" +
                         programme);
        for (const char *code : {"alice", "carol"}) {
            std::string out;
            ASSERT_EQ(testing_support::run_command(
                          {REWARDD_BINARY, "enroll", std::string(code) + "-customer", code,
                           "--config", config_},
                          &out),
                      0)
                << out;
        }
        daemon_ = testing_support::Process({REWARDD_BINARY, "run", "--config", config_},
                                           dir_.path() + "/rewardd.log");
    }

    std::string cookie(const std::string &code) {
        return "Cookie: ref=" + module_test::sign(code, std::time(nullptr) - 60);
    }

    std::string hget(const std::string &key, const std::string &field) {
        Reply r = redis->command({"HGET", "{referral}:" + key, field});
        return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
    }
    int64_t balance(const std::string &account, const std::string &currency) {
        std::string v = hget("balance:" + currency, account + ":approved");
        return v.empty() ? 0 : std::stoll(v);
    }
    std::vector<Fields> stream(const std::string &name) {
        return testing_support::read_stream(redis->connect().get(), "{referral}:" + name);
    }
    // A field of an XINFO reply (name, value, ...), as text.
    static std::string info(const redisReply *r, const std::string &name) {
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
            if (name == r->element[i]->str) {
                const redisReply *v = r->element[i + 1];
                return v->type == REDIS_REPLY_INTEGER ? std::to_string(v->integer)
                       : v->str                       ? std::string(v->str, v->len)
                                                      : "";
            }
        }
        return "";
    }
    // Waits until the module has sent n events and the daemon has acknowledged all of them.
    void wait_applied(size_t n) {
        ASSERT_GE(events(n).size(), n);
        ASSERT_TRUE(testing_support::eventually(
            [&] {
                Reply stream = redis->command({"XINFO", "STREAM", "{referral}:events"});
                Reply groups = redis->command({"XINFO", "GROUPS", "{referral}:events"});
                if (groups->type != REDIS_REPLY_ARRAY || groups->elements != 1) {
                    return false;
                }
                return info(groups->element[0], "last-delivered-id") ==
                           info(stream.get(), "last-generated-id") &&
                       info(groups->element[0], "pending") == "0";
            },
            std::chrono::seconds(60)))
            << testing_support::read_file(dir_.path() + "/rewardd.log");
    }
    std::vector<std::string> reasons() {
        std::vector<std::string> out;
        for (const Fields &f : stream("rejected")) {
            out.push_back(f.at("reason"));
        }
        return out;
    }

    testing_support::TempDir dir_;
    std::string config_;
    testing_support::Process daemon_;
};

constexpr char kProgramme[] =
    "[programme]\ncurrency = \"EUR\"\n\n[referrer]\npercent = 10\n\n"
    "[signup]\nreferrer = { points = 500 }\nfriend = { fixed = \"5.00\" }\n";

TEST_F(SignupsTest, RegisteredWithTheCookieBoughtLaterWithoutItCreditsTheReferrer) {
    start_daemon(kProgramme);
    ASSERT_EQ(get("/register?customer=bob", {cookie("alice")}).status, 200);
    std::vector<Fields> events = this->events(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["type"], "signup");
    EXPECT_EQ(events[0]["code"], "alice");
    EXPECT_EQ(events[0]["customer"], "bob");
    EXPECT_EQ(events[0]["trust"], "upstream");
    wait_applied(1);
    EXPECT_EQ(hget("referred_by", "bob"), "alice");
    EXPECT_EQ(hget("bound_at", "bob"), events[0]["ts"]);
    EXPECT_EQ(hget("stats:alice", "signups"), "1");
    EXPECT_EQ(balance("code:alice", "PTS"), 500);
    EXPECT_EQ(balance("customer:bob", "EUR"), 500);

    // Another device, no cookie: the binding names alice.
    auto r = get("/checkout?customer=bob&order=o1&total=49.90");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.has("x-customer-id"));
    events = this->events(2);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1]["type"], "conversion");
    EXPECT_EQ(events[1].count("code"), 0u);
    wait_applied(2);
    EXPECT_EQ(balance("code:alice", "EUR"), 499);
    EXPECT_EQ(hget("stats:alice", "conversions"), "1");

    // pay_on = first_purchase (the default): the next purchase pays nothing.
    ASSERT_EQ(get("/checkout?customer=bob&order=o2&total=20.00").status, 200);
    wait_applied(3);
    EXPECT_EQ(balance("code:alice", "EUR"), 499);
    EXPECT_EQ(reasons(), std::vector<std::string>{"not_first_purchase"});
}

TEST_F(SignupsTest, EveryPurchasePaysLifetimeCommissionsWithinTheCustomerWindow) {
    start_daemon(
        "[programme]\ncurrency = \"EUR\"\npay_on = \"every_purchase\"\n"
        "customer_window = \"30d\"\n\n[referrer]\npercent = 10\n");
    ASSERT_EQ(get("/register?customer=dave", {cookie("alice")}).status, 200);
    ASSERT_EQ(get("/checkout?customer=dave&order=p1&total=10.00").status, 200);
    ASSERT_EQ(get("/checkout?customer=dave&order=p2&total=30.00").status, 200);
    // Nobody bound erin: her purchase is nobody's.
    ASSERT_EQ(get("/checkout?customer=erin&order=p3&total=30.00").status, 200);
    wait_applied(4);
    EXPECT_EQ(balance("code:alice", "EUR"), 100 + 300);
    EXPECT_EQ(reasons(), std::vector<std::string>{"not_referred"});
}

TEST_F(SignupsTest, AFloodOfSignupsFromOneAddressIsCutAtTheLimit) {
    start_daemon(std::string(kProgramme) + "\n[limits]\nsignups_per_ip_per_hour = 3\n");
    constexpr int kSignups = 8;
    for (int i = 0; i < kSignups; ++i) {
        ASSERT_EQ(get("/register?customer=bot" + std::to_string(i), {cookie("alice")}).status, 200);
    }
    wait_applied(kSignups);
    // The limit counts per UTC hour of the event: a run across the hour's end has two hours.
    std::map<int64_t, int> per_hour;
    for (Fields &e : this->events(kSignups)) {
        per_hour[std::stoll(e["ts"]) / 3600000]++;
    }
    int allowed = 0;
    for (const auto &[hour, n] : per_hour) {
        allowed += std::min(n, 3);
    }
    EXPECT_EQ(hget("stats:alice", "signups"), std::to_string(allowed));
    EXPECT_EQ(balance("code:alice", "PTS"), 500 * allowed);
    std::vector<std::string> r = reasons();
    EXPECT_EQ(r.size(), static_cast<size_t>(kSignups - allowed));
    for (const std::string &reason : r) {
        EXPECT_EQ(reason, "signup_ip_limit");
    }
}

TEST_F(SignupsTest, ASecondSignupOfABoundCustomerChangesNothing) {
    start_daemon(kProgramme);
    ASSERT_EQ(get("/register?customer=bob", {cookie("alice")}).status, 200);
    ASSERT_EQ(get("/register?customer=bob", {cookie("carol")}).status, 200);
    wait_applied(2);
    EXPECT_EQ(hget("referred_by", "bob"), "alice");
    EXPECT_EQ(hget("stats:carol", "signups"), "");
    EXPECT_EQ(balance("code:carol", "PTS"), 0);
    EXPECT_EQ(balance("customer:bob", "EUR"), 500);
    EXPECT_EQ(reasons(), std::vector<std::string>{"already_bound"});
}

TEST_F(SignupsTest, ASignupWithoutCustomerIdSendsNothingAndIsCounted) {
    start_daemon(kProgramme);
    ASSERT_EQ(get("/register", {cookie("alice")}).status, 200);
    // Without a cookie nothing is sent either.
    ASSERT_EQ(get("/register?customer=frank").status, 200);
    nlohmann::json s = status();
    EXPECT_EQ(s["signups_without_customer"], 1);
    EXPECT_EQ(s["signups_unattributed"], 1);
    EXPECT_EQ(s["signups"], 0);
    // A later click is delivered: nothing was queued ahead of it.
    ASSERT_EQ(get("/register?customer=gina", {cookie("alice")}).status, 200);
    std::vector<Fields> events = this->events(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["customer"], "gina");
}

}  // namespace
