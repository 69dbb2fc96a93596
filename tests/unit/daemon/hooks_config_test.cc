// [http], [stripe], [shop] and the programme's recurring_months and coupon_attribution.
#include <string>

#include <gtest/gtest.h>

#include "config.h"
#include "config_error.h"
#include "process.h"

namespace referral::rewardd {
namespace {

class HooksConfig : public ::testing::Test {
  protected:
    std::string file(const std::string &name, const std::string &text) {
        std::string path = dir_.path() + "/" + name;
        testing_support::write_file(path, text);
        return path;
    }
    testing_support::TempDir dir_;
};

TEST_F(HooksConfig, StripeAndShop) {
    std::string stripe = file("stripe", "\n  whsec_old \r\n\nwhsec_new\n");
    std::string shop = file("shop", "whsec_c2hvcC1rZXk=\n");
    Config c = parse_config(R"(
[http]
listen = "127.0.0.1:9000"

[programme]
recurring_months = 12
coupon_attribution = "override"

[referrer]
percent = 10

[stripe]
webhook_secret_file = ")" + stripe +
                                R"("
site = "shop.example"
order_id = "metadata.order_id"
tolerance = "10m"

[shop]
webhook_secret_file = ")" + shop +
                                R"("
)",
                            "x");
    EXPECT_EQ(c.daemon.metrics_host, "127.0.0.1");
    EXPECT_EQ(c.daemon.metrics_port, 9000);
    EXPECT_EQ(c.programme.recurring_months, 12);
    EXPECT_EQ(c.programme.coupon_attribution, CouponAttribution::kOverride);
    EXPECT_EQ(c.stripe.secrets, (std::vector<std::string>{"whsec_old", "whsec_new"}));
    EXPECT_EQ(c.stripe.site, "shop.example");
    EXPECT_EQ(c.stripe.order_id, "metadata.order_id");
    EXPECT_EQ(c.stripe.tolerance_ms, 600000);
    EXPECT_EQ(c.shop.keys, std::vector<std::string>{"shop-key"});
    EXPECT_EQ(c.shop.tolerance_ms, 300000);
}

TEST_F(HooksConfig, Defaults) {
    Config c =
        parse_config("[metrics]\nlisten = \"127.0.0.1:9000\"\n[referrer]\npercent = 10\n", "x");
    EXPECT_EQ(c.daemon.metrics_port, 9000);
    EXPECT_EQ(c.programme.recurring_months, 0);
    EXPECT_EQ(c.programme.coupon_attribution, CouponAttribution::kFallback);
    EXPECT_TRUE(c.stripe.secrets.empty());
    EXPECT_TRUE(c.shop.keys.empty());
}

TEST_F(HooksConfig, MistakesNameTheKey) {
    std::string ok = file("ok", "whsec_x\n");
    std::string blank = file("blank", "\n  \n");
    std::string not_b64 = file("bad", "whsec_***\n");
    const std::string listen = "[http]\nlisten = \"127.0.0.1:9000\"\n[referrer]\npercent = 10\n";
    auto stripe = [&](const std::string &body) { return listen + "[stripe]\n" + body; };
    EXPECT_NE(
        config_error(stripe("site = \"s\"\n")).find("stripe.webhook_secret_file: is required"),
        std::string::npos);
    EXPECT_NE(config_error(stripe("webhook_secret_file = \"" + blank + "\"\nsite = \"s\"\n"))
                  .find("stripe.webhook_secret_file: " + blank + " holds no secret"),
              std::string::npos);
    EXPECT_NE(config_error(stripe("webhook_secret_file = \"/nonexistent\"\nsite = \"s\"\n"))
                  .find("stripe.webhook_secret_file: cannot read /nonexistent"),
              std::string::npos);
    EXPECT_NE(config_error(stripe("webhook_secret_file = \"" + ok + "\"\n")).find("stripe.site"),
              std::string::npos);
    EXPECT_NE(config_error(
                  stripe("webhook_secret_file = \"" + ok + "\"\nsite = \"s\"\norder_id = \"x\"\n"))
                  .find("stripe.order_id: \"x\" is not session"),
              std::string::npos);
    EXPECT_NE(
        config_error(stripe("webhook_secret_file = \"" + ok + "\"\nsite = \"s\"\nsecret = \"x\"\n"))
            .find("stripe.secret: unknown key"),
        std::string::npos);
    EXPECT_NE(
        config_error(listen + "[shop]\nwebhook_secret_file = \"" + not_b64 + "\"\n")
            .find("shop.webhook_secret_file: " + not_b64 + " holds a secret that is not whsec_"),
        std::string::npos);
    EXPECT_NE(config_error("[referrer]\npercent = 10\n[stripe]\nwebhook_secret_file = \"" + ok +
                           "\"\nsite = \"s\"\n")
                  .find("http.listen: is required by [stripe] and [shop]"),
              std::string::npos);
    EXPECT_NE(config_error("[http]\nlisten = \"127.0.0.1:1\"\n[metrics]\nlisten = \"127.0.0.1:2\"\n"
                           "[referrer]\npercent = 10\n")
                  .find("http.listen: set either"),
              std::string::npos);
    EXPECT_NE(config_error("[programme]\nrecurring_months = -1\n[referrer]\npercent = 10\n")
                  .find("programme.recurring_months: must not be negative"),
              std::string::npos);
    EXPECT_NE(
        config_error("[programme]\ncoupon_attribution = \"always\"\n[referrer]\npercent = 10\n")
            .find("programme.coupon_attribution: \"always\" is not fallback"),
        std::string::npos);
}

}  // namespace
}  // namespace referral::rewardd
