#include "amounts.h"

#include <gtest/gtest.h>

namespace referral::rewardd {
namespace {

TEST(ParseBasisPoints, AtMostTwoDecimals) {
    EXPECT_EQ(parse_basis_points("15"), 1500);
    EXPECT_EQ(parse_basis_points("2.5"), 250);
    EXPECT_EQ(parse_basis_points("2.55"), 255);
    EXPECT_EQ(parse_basis_points("0.01"), 1);
    EXPECT_EQ(parse_basis_points("100"), 10000);
    EXPECT_EQ(parse_basis_points("1_0"), 1000);
    for (const char *bad : {"", "2.555", "-5", "+5", "1e2", "2.", ".5", "1,5", "_1", "1_", "1__0",
                            "nan", "inf", "99999999999999"}) {
        EXPECT_FALSE(parse_basis_points(bad)) << bad;
    }
}

TEST(ParseDuration, Units) {
    EXPECT_EQ(parse_duration_ms("500ms"), 500);
    EXPECT_EQ(parse_duration_ms("2s"), 2000);
    EXPECT_EQ(parse_duration_ms("30m"), 1800000);
    EXPECT_EQ(parse_duration_ms("1h"), 3600000);
    EXPECT_EQ(parse_duration_ms("14d"), 14 * 86400000LL);
    EXPECT_EQ(parse_duration_ms("2w"), 14 * 86400000LL);
    EXPECT_EQ(parse_duration_ms("0s"), 0);
    for (const char *bad : {"", "d", "14", "14 d", "-1d", "1.5d", "1y", "14D", "9999999999w"}) {
        EXPECT_FALSE(parse_duration_ms(bad)) << bad;
    }
}

TEST(ParseMinorUnits, DigitsUpToTwoToThe53) {
    EXPECT_EQ(parse_minor_units("0"), 0);
    EXPECT_EQ(parse_minor_units("12345"), 12345);
    EXPECT_EQ(parse_minor_units("9007199254740991"), kMaxAmount);
    for (const char *bad : {"", "9007199254740992", "12.50", "-5", "1e3", " 5", "5 ", "0x10"}) {
        EXPECT_FALSE(parse_minor_units(bad)) << bad;
    }
}

TEST(PercentOf, FloorsToTheMinorUnit) {
    EXPECT_EQ(percent_of(10000, 1500), 1500);
    EXPECT_EQ(percent_of(999, 1500), 149);  // 149.85
    EXPECT_EQ(percent_of(1, 9999), 0);
    EXPECT_EQ(percent_of(3333, 250), 83);  // 83.325
    // No overflow near the largest amount: 2^53 - 1 times 100%.
    EXPECT_EQ(percent_of(kMaxAmount, 10000), kMaxAmount);
    EXPECT_EQ(percent_of(kMaxAmount, 1), kMaxAmount / 10000);
}

TEST(Scale, ExactForLargeOperands) {
    EXPECT_EQ(scale(kMaxAmount, kMaxAmount - 1, kMaxAmount), kMaxAmount - 1);
    EXPECT_EQ(scale(1500, 3333, 10000), 499);  // 499.95
}

TEST(FormatMinor, Exponents) {
    EXPECT_EQ(format_minor(1250, 2), "12.50");
    EXPECT_EQ(format_minor(5, 2), "0.05");
    EXPECT_EQ(format_minor(0, 2), "0.00");
    EXPECT_EQ(format_minor(-5, 2), "-0.05");
    EXPECT_EQ(format_minor(1234, 3), "1.234");
    EXPECT_EQ(format_minor(100, 0), "100");
}

TEST(CurrencyExponent, PointsHaveNoMinorUnit) {
    EXPECT_EQ(currency_exponent_or_points("PTS"), 0);
    EXPECT_EQ(currency_exponent_or_points("EUR"), 2);
    EXPECT_EQ(currency_exponent_or_points("JPY"), 0);
    EXPECT_EQ(currency_exponent_or_points("XYZ"), -1);
}

}  // namespace
}  // namespace referral::rewardd
