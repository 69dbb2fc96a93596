#include "money.h"

#include <string>

#include <gtest/gtest.h>

namespace referral {
namespace {

constexpr int64_t kInvalid = -1;

int64_t amount(std::string_view text, int exponent) {
    int64_t v = 0;
    return parse_amount(text, exponent, &v) ? v : kInvalid;
}

TEST(CurrencyExponent, IsoMinorUnits) {
    for (const char *code : {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XAF", "XOF", "XPF",
                             "BIF", "DJF", "GNF", "KMF", "RWF", "VUV", "UYI"}) {
        EXPECT_EQ(currency_exponent(code), 0) << code;
    }
    for (const char *code : {"KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"}) {
        EXPECT_EQ(currency_exponent(code), 3) << code;
    }
    EXPECT_EQ(currency_exponent("CLF"), 4);
    EXPECT_EQ(currency_exponent("UYW"), 4);
    for (const char *code : {"EUR", "USD", "GBP", "CHF", "CNY", "INR", "BRL", "RUB", "AED", "ZWL",
                             "AFN", "ZAR", "MGA", "MRU"}) {
        EXPECT_EQ(currency_exponent(code), 2) << code;
    }
}

TEST(CurrencyExponent, UnknownCodes) {
    for (const char *code : {"", "E", "EU", "EURO", "eur", "Eur", "XXX", "XAU", "XDR", "ZZZ", "AAA",
                             "HRK", "US$", "EUR "}) {
        EXPECT_EQ(currency_exponent(code), -1) << code;
    }
}

TEST(ParseAmount, TwoDecimalCurrencies) {
    EXPECT_EQ(amount("0.5", 2), 50);
    EXPECT_EQ(amount("10", 2), 1000);
    EXPECT_EQ(amount("99.50", 2), 9950);
    EXPECT_EQ(amount("99.5", 2), 9950);
    EXPECT_EQ(amount("0", 2), 0);
    EXPECT_EQ(amount("0.01", 2), 1);
    EXPECT_EQ(amount("007.10", 2), 710);
    EXPECT_EQ(amount("12.345", 2), kInvalid);  // EUR: never rounded
}

TEST(ParseAmount, OtherExponents) {
    EXPECT_EQ(amount("12.345", 3), 12345);  // KWD
    EXPECT_EQ(amount("12.3", 3), 12300);
    EXPECT_EQ(amount("100", 0), 100);  // JPY
    EXPECT_EQ(amount("1.5", 0), kInvalid);
    EXPECT_EQ(amount("1.", 0), kInvalid);
    EXPECT_EQ(amount("1.2345", 4), 12345);  // CLF
    EXPECT_EQ(amount("1", -1), kInvalid);
}

TEST(ParseAmount, RejectsEverythingElse) {
    for (const char *text :
         {"", "1e3", "-5", "+5", "1,5", "1,000.00", " 5", "5 ", ".5", "5.", "1..5", "1.2.3", "0x10",
          "five", "５", "1.-5", "1.5\n", "9999999999999999"}) {
        EXPECT_EQ(amount(text, 2), kInvalid) << text;
    }
    EXPECT_EQ(amount(std::string("1\0", 2), 2), kInvalid);
}

TEST(ParseAmount, FifteenIntegerDigits) {
    EXPECT_EQ(amount("999999999999999", 2), 99999999999999900);
    EXPECT_EQ(amount("999999999999999.99", 2), 99999999999999999);
    EXPECT_EQ(amount("999999999999999.999", 3), 999999999999999999);
    EXPECT_EQ(amount("1000000000000000", 2), kInvalid);
    EXPECT_EQ(amount("0000000000000001", 0), kInvalid);
}

TEST(ParseAmount, FourDecimalsCanExceedInt64) {
    EXPECT_EQ(amount("922337203685477.5807", 4), INT64_MAX);
    EXPECT_EQ(amount("922337203685477.5808", 4), kInvalid);
    EXPECT_EQ(amount("999999999999999.9999", 4), kInvalid);
}

}  // namespace
}  // namespace referral
