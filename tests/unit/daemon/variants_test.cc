// Experiments: the stable assignment of codes to [[variant]]s, their configuration, and the
// rewards a conversion earns under its code's variant.
#include "variants.h"

#include <string>

#include <gtest/gtest.h>

#include "config_error.h"
#include "economics.h"
#include "events.h"

namespace referral::rewardd {
namespace {

constexpr char kTwoVariants[] = R"(
[programme]
currency = "EUR"
[referrer]
percent = 10
[friend]
fixed = "5.00"
[[variant]]
name = "low"
share = 30
[[variant]]
name = "high"
share = 70
referrer = { percent = 20 }
)";

TEST(Variants, BucketIsTheHashOfTheCode) {
    // The first 8 bytes of SHA-256, big-endian, mod 10000: computed independently.
    EXPECT_EQ(share_bucket("ALICE"), 8347);
    EXPECT_EQ(share_bucket("BOB"), 3083);
    EXPECT_EQ(share_bucket("alice"), 207);
}

TEST(Variants, CumulativeSharesInConfiguredOrder) {
    std::vector<Variant> v = {{"a", 3084, {}, {}}, {"b", 6916, {}, {}}};
    EXPECT_EQ(variant_of(v, "BOB")->name, "a");  // bucket 3083 < 3084
    v[0].share_bp = 3083;
    v[1].share_bp = 6917;
    EXPECT_EQ(variant_of(v, "BOB")->name, "b");  // 3083 is the first bucket of b
    EXPECT_EQ(variant_of({}, "BOB"), nullptr);
}

TEST(Variants, SplitFollowsTheShares) {
    Config c = parse_config(kTwoVariants, "rewards.toml");
    int low = 0;
    for (int i = 0; i < 10000; ++i) {
        std::string code = "CODE" + std::to_string(i);
        const Variant *v = variant_of(c.programme.variants, code);
        ASSERT_NE(v, nullptr);
        EXPECT_EQ(v, variant_of(c.programme.variants, code));  // the same every time
        low += v->name == "low";
    }
    EXPECT_GT(low, 2700);
    EXPECT_LT(low, 3300);
}

TEST(Variants, RulesOverrideTheProgrammes) {
    Config c = parse_config(kTwoVariants, "rewards.toml");
    ASSERT_EQ(c.programme.variants.size(), 2u);
    const Variant &low = c.programme.variants[0];
    const Variant &high = c.programme.variants[1];
    EXPECT_EQ(low.share_bp, 3000);
    EXPECT_EQ(low.referrer.basis_points, std::vector<int64_t>{1000});  // the programme's
    EXPECT_EQ(high.referrer.basis_points, std::vector<int64_t>{2000});
    EXPECT_EQ(high.friend_reward.kind, RewardKind::kFixed);  // the programme's
    EXPECT_EQ(high.friend_reward.value, 500);
}

TEST(Variants, ConversionPaysByItsCodesVariant) {
    Config c = parse_config(kTwoVariants, "rewards.toml");
    for (std::string code : {"ALICE", "BOB"}) {
        Fields f = {
            {"v", "1"},          {"type", "conversion"}, {"id", "e1"},    {"ts", "1700000000000"},
            {"site", "shop"},    {"code", code},         {"order", "o1"}, {"customer", "carol"},
            {"amount", "10000"}, {"currency", "EUR"}};
        Plan plan = plan_event(c.programme, f, 0);
        ASSERT_TRUE(std::holds_alternative<Conversion>(plan)) << code;
        const Conversion &conv = std::get<Conversion>(plan);
        std::string expected = variant_of(c.programme.variants, code)->name;
        EXPECT_EQ(conv.variant, expected);
        EXPECT_EQ(conv.referrer_rewards[0], expected == "high" ? 2000 : 1000) << code;
        EXPECT_EQ(conv.friend_reward, 500);
    }
}

TEST(Variants, ConfigErrorsNameTheKey) {
    auto with = [](const std::string &variants) {
        return std::string("[referrer]\npercent = 10\n") + variants;
    };
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\nshare = 50\n[[variant]]\nname = "
                                "\"b\"\nshare = 40\n"))
                  .find("rewards.toml: variant[1].share: the shares of all [[variant]] tables "
                        "sum to 90.00%, not 100%"),
              std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\nshare = 60\n[[variant]]\nname = "
                                "\"b\"\nshare = 50\n"))
                  .find("variant[1].share: the shares of all [[variant]] tables sum to 110.00%"),
              std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\n"))
                  .find("variant[0].share: is "
                        "required"),
              std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nshare = 100\n")).find("variant[0].name"),
              std::string::npos);
    EXPECT_NE(
        config_error(with("[[variant]]\nname = \"a b\"\nshare = 100\n")).find("variant[0].name"),
        std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\nshare = 50\n[[variant]]\nname = "
                                "\"a\"\nshare = 50\n"))
                  .find("variant[1].name: another [[variant]] has the same name"),
              std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\nshare = 100\nbonus = 1\n"))
                  .find("variant[0].bonus: unknown key"),
              std::string::npos);
    EXPECT_NE(config_error(with("[[variant]]\nname = \"a\"\nshare = 100\n"
                                "referrer = { percent = 101 }\n"))
                  .find("variant[0].referrer.percent: must be at most 100"),
              std::string::npos);
    EXPECT_NE(config_error("variant = 5\n[referrer]\npercent = 10\n")
                  .find("variant: must be [[variant]] tables"),
              std::string::npos);
    EXPECT_NE(config_error("[programme]\ncurrency = \"EUR\"\n[referrer]\npercent = 10\n"
                           "[limits]\nreward_cap_per_referrer_per_month = \"50\"\n"
                           "[[variant]]\nname = \"a\"\nshare = 100\nreferrer = { points = 5 }\n")
                  .find("variant[0].referrer: pays in another unit"),
              std::string::npos);
    EXPECT_EQ(config_error(with("[[variant]]\nname = \"a\"\nshare = 33.34\n[[variant]]\nname = "
                                "\"b\"\nshare = 66.66\n")),
              "");
}

TEST(Economics, Ratios) {
    Funnel f;
    f.clicks = 40;
    f.signups = 8;
    f.conversions = 5;
    f.buyers = 4;
    f.revenue = {{"EUR", 50000}};
    f.refunded = {{"EUR", 10000}};
    f.cost = {{"EUR", 8000}, {"PTS", 300}};
    Economics e = economics(f);
    EXPECT_DOUBLE_EQ(*e.conversion_rate, 5.0 / 40);
    EXPECT_DOUBLE_EQ(*e.signup_buyer_rate, 4.0 / 8);
    EXPECT_DOUBLE_EQ(e.average_order.at("EUR"), 40000.0 / 5);
    EXPECT_DOUBLE_EQ(e.ltv.at("EUR"), 40000.0 / 4);
    EXPECT_DOUBLE_EQ(e.cac.at("EUR"), 8000.0 / 4);
    EXPECT_DOUBLE_EQ(e.cac.at("PTS"), 300.0 / 4);
    EXPECT_DOUBLE_EQ(e.roi.at("EUR"), (40000.0 - 8000) / 8000);
    EXPECT_EQ(e.roi.count("PTS"), 0u);  // points earn no revenue to set against them

    Economics empty = economics(Funnel{});
    EXPECT_FALSE(empty.conversion_rate);
    EXPECT_FALSE(empty.signup_buyer_rate);
    EXPECT_TRUE(empty.ltv.empty());
    EXPECT_TRUE(empty.roi.empty());
}

}  // namespace
}  // namespace referral::rewardd
