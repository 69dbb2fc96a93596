#include "cookie_header.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace referral {
namespace {

std::vector<std::string> values(std::string_view header, std::string_view name = "ref") {
    std::vector<std::string> out;
    CookieScanner scanner(header, name);
    std::string_view v;
    while (scanner.next(&v)) {
        out.emplace_back(v);
    }
    return out;
}

using V = std::vector<std::string>;

TEST(CookieScanner, FindsEverySameNamedCookie) {
    EXPECT_EQ(values("ref=a; other=b; ref=c"), (V{"a", "c"}));
    EXPECT_EQ(values("sid=1;ref=x;ref=y;ref=z"), (V{"x", "y", "z"}));
}

TEST(CookieScanner, TrimsBlanksAndQuotes) {
    EXPECT_EQ(values("  ref = a ;ref=\"b\" ; \tref=\t\"c\"\t;"), (V{"a", "b", "c"}));
    EXPECT_EQ(values("ref=\"\""), (V{""}));
    EXPECT_EQ(values("ref=\""), (V{"\""}));
    EXPECT_EQ(values("ref=\"\"x\"\""), (V{"\"x\""}));  // one pair only
    EXPECT_EQ(values("ref=\"a"), (V{"\"a"}));
}

TEST(CookieScanner, SplitsAtTheFirstEquals) {
    EXPECT_EQ(values("ref=a=b=="), (V{"a=b=="}));
    EXPECT_EQ(values("ref="), (V{""}));
}

TEST(CookieScanner, SkipsPairsWithoutEquals) {
    EXPECT_EQ(values("ref; ref=a; ;;"), (V{"a"}));
    EXPECT_EQ(values(""), V{});
    EXPECT_EQ(values(";;;"), V{});
    EXPECT_EQ(values("ref"), V{});
}

TEST(CookieScanner, NamesMatchExactly) {
    EXPECT_EQ(values("Ref=a; REF=b; xref=c; ref_=d; re=e; =f"), V{});
    EXPECT_EQ(values("__Host-ref=t; ref=u", "__Host-ref"), (V{"t"}));
}

TEST(CookieScanner, LongHeaders) {
    std::string header;
    for (int i = 0; i < 1000; ++i) {
        header += "c" + std::to_string(i) + "=" + std::string(20, 'v') + "; ";
    }
    header += "ref=last";
    EXPECT_EQ(values(header), (V{"last"}));
}

}  // namespace
}  // namespace referral
