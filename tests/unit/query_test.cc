#include "query.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace referral {
namespace {

CaptureRules rules(std::vector<std::string> params = {"ref"}, size_t max = 64, bool utm = true) {
    CaptureRules r;
    r.params = std::move(params);
    r.max_code_length = max;
    r.utm = utm;
    return r;
}

// Runs capture() with a scratch buffer that outlives the returned views.
struct Captured {
    std::string args;
    std::vector<char> scratch;
    Capture c;

    Captured(std::string a, const CaptureRules &r) : args(std::move(a)), scratch(args.size()) {
        capture(args, r, scratch.data(), &c);
        for (std::string_view v : {c.code, c.source, c.medium, c.campaign}) {
            if (!v.empty()) {
                EXPECT_TRUE(inside(v, args.data(), args.size()) ||
                            inside(v, scratch.data(), scratch.size()));
            }
        }
    }

    static bool inside(std::string_view v, const char *base, size_t n) {
        return v.data() >= base && v.data() + v.size() <= base + n;
    }
};

std::string strip(const std::string &args, const CaptureRules &r = rules()) {
    std::string out(args.size(), '\0');
    out.resize(strip_referral_args(args, r, out.data()));
    return out;
}

TEST(Capture, FindsTheCode) {
    Captured c("ref=alice", rules());
    EXPECT_EQ(c.c.code, "alice");
    EXPECT_EQ(c.c.rejected, 0u);
    EXPECT_EQ(Captured("a=1&ref=bob_2.x-y&b=2", rules()).c.code, "bob_2.x-y");
}

TEST(Capture, NothingToFind) {
    for (const char *args : {"", "&", "&&", "=", "a=1", "xref=a", "re=a", "ref_=a", "refx=a",
                             "%72ef=alice", "ref%3Dalice"}) {
        Captured c(args, rules());
        EXPECT_TRUE(c.c.code.empty()) << args;
        EXPECT_EQ(c.c.rejected, 0u) << args;
    }
}

TEST(Capture, MatchesNamesIgnoringCase) {
    EXPECT_EQ(Captured("REF=alice", rules()).c.code, "alice");
    EXPECT_EQ(Captured("rEf=alice", rules()).c.code, "alice");
    EXPECT_EQ(Captured("Partner=alice", rules({"partner"})).c.code, "alice");
}

TEST(Capture, PercentDecodesCodes) {
    Captured c("ref=al%69%63e", rules());
    EXPECT_EQ(c.c.code, "alice");
    EXPECT_EQ(Captured("ref=%41%5f%2E%2d", rules()).c.code, "A_.-");
}

TEST(Capture, RejectsMalformedOrInvalidCodes) {
    for (const char *args : {"ref=", "ref", "ref=%zz", "ref=%00", "ref=ab%00cd", "ref=%", "ref=a%",
                             "ref=a%4", "ref=a+b", "ref=a%20b", "ref=a%2Fb", "ref=al ice",
                             "ref=%C3%A9", "ref=a=b", "ref=a%1Fb", "ref=%25"}) {
        Captured c(args, rules());
        EXPECT_TRUE(c.c.code.empty()) << args;
        EXPECT_EQ(c.c.rejected, 1u) << args;
    }
}

TEST(Capture, EnforcesTheMaximumLengthAfterDecoding) {
    EXPECT_EQ(Captured("ref=abcde", rules({"ref"}, 5)).c.code, "abcde");
    EXPECT_EQ(Captured("ref=%61bcde", rules({"ref"}, 5)).c.code, "abcde");
    Captured c("ref=abcdef", rules({"ref"}, 5));
    EXPECT_TRUE(c.c.code.empty());
    EXPECT_EQ(c.c.rejected, 1u);
    std::string longest(128, 'x');
    EXPECT_EQ(Captured("ref=" + longest, rules({"ref"}, 128)).c.code, longest);
    EXPECT_TRUE(Captured("ref=" + longest + "x", rules({"ref"}, 128)).c.code.empty());
}

TEST(Capture, FirstValidOccurrenceWins) {
    Captured c("ref=%zz&ref=&ref=bob&ref=carol&ref=a+b", rules());
    EXPECT_EQ(c.c.code, "bob");
    EXPECT_EQ(c.c.rejected, 3u);
}

TEST(Capture, FirstValidOccurrenceWinsAcrossNames) {
    auto r = rules({"ref", "r", "aff"});
    EXPECT_EQ(Captured("r=alice&ref=bob", r).c.code, "alice");
    EXPECT_EQ(Captured("ref=bob&r=alice", r).c.code, "bob");
    Captured c("aff=%zz&R=carol&ref=bob", r);
    EXPECT_EQ(c.c.code, "carol");
    EXPECT_EQ(c.c.rejected, 1u);
}

TEST(Capture, ToleratesEmptyAndNamelessArgs) {
    Captured c("&&=x&&ref&=&ref=alice&&", rules());
    EXPECT_EQ(c.c.code, "alice");
    EXPECT_EQ(c.c.rejected, 1u);  // the bare "ref"
}

TEST(Capture, TakesUtmValues) {
    Captured c("utm_source=tele+gram&utm_medium=soc%69al&utm_campaign=spring%20sale&ref=a",
               rules());
    EXPECT_EQ(c.c.code, "a");
    EXPECT_EQ(c.c.source, "tele gram");
    EXPECT_EQ(c.c.medium, "social");
    EXPECT_EQ(c.c.campaign, "spring sale");
    EXPECT_EQ(Captured("UTM_Source=x", rules()).c.source, "x");
    EXPECT_EQ(Captured("utm_source=%2B1", rules()).c.source, "+1");
}

TEST(Capture, UtmWithoutAReferralCode) {
    Captured c("utm_source=news", rules());
    EXPECT_TRUE(c.c.code.empty());
    EXPECT_EQ(c.c.source, "news");
}

TEST(Capture, UtmFirstValidOccurrenceWins) {
    Captured c(
        "utm_source=%zz&utm_source=&utm_source=first&utm_source=second&utm_medium=%E2%82%AC&"
        "utm_medium=m",
        rules());
    EXPECT_EQ(c.c.source, "first");
    EXPECT_EQ(c.c.medium, "m");
    EXPECT_EQ(c.c.rejected, 0u);  // utm values are dropped, not counted
}

TEST(Capture, DropsInvalidUtmValues) {
    for (const char *args :
         {"utm_campaign=", "utm_campaign=%00", "utm_campaign=%0A", "utm_campaign=%7F",
          "utm_campaign=%C3%A9", "utm_campaign=a%", "utm_campaign"}) {
        EXPECT_TRUE(Captured(args, rules()).c.campaign.empty()) << args;
    }
    EXPECT_EQ(Captured("utm_campaign=" + std::string(64, 'c'), rules()).c.campaign,
              std::string(64, 'c'));
    EXPECT_TRUE(Captured("utm_campaign=" + std::string(65, 'c'), rules()).c.campaign.empty());
    EXPECT_EQ(Captured("utm_campaign=" + std::string(64, '+'), rules()).c.campaign,
              std::string(64, ' '));
}

TEST(Capture, IgnoresUtmWhenOff) {
    Captured c("utm_source=a&utm_medium=b&utm_campaign=c&ref=x", rules({"ref"}, 64, false));
    EXPECT_EQ(c.c.code, "x");
    EXPECT_TRUE(c.c.source.empty());
    EXPECT_TRUE(c.c.medium.empty());
    EXPECT_TRUE(c.c.campaign.empty());
}

TEST(Capture, HandlesLongQueryStrings) {
    std::string filler;
    while (filler.size() < 9000) {
        filler += "junk=%zz%&a&&b=" + std::string(50, 'x') + "&";
    }
    Captured tail(filler + "ref=alice&utm_source=s", rules());
    EXPECT_EQ(tail.c.code, "alice");
    EXPECT_EQ(tail.c.source, "s");

    Captured huge_value("ref=" + std::string(10000, 'a') + "&ref=ok", rules());
    EXPECT_EQ(huge_value.c.code, "ok");
    EXPECT_EQ(huge_value.c.rejected, 1u);

    std::string escapes = "ref=";
    for (int i = 0; i < 3000; ++i) {
        escapes += "%61";
    }
    Captured decoded(escapes, rules({"ref"}, 128));
    EXPECT_TRUE(decoded.c.code.empty());
    EXPECT_EQ(decoded.c.rejected, 1u);

    std::string many;
    for (int i = 0; i < 5000; ++i) {
        many += "ref=%zz&";
    }
    Captured repeated(many + "ref=last", rules());
    EXPECT_EQ(repeated.c.code, "last");
    EXPECT_EQ(repeated.c.rejected, 5000u);
}

TEST(PercentDecode, DecodesAndRejects) {
    char out[32];
    auto dec = [&](std::string_view in, bool plus) {
        long n = percent_decode(in, plus, out);
        return n < 0 ? std::string("<invalid>") : std::string(out, static_cast<size_t>(n));
    };
    EXPECT_EQ(dec("a%20b+c", false), "a b+c");
    EXPECT_EQ(dec("a%20b+c", true), "a b c");
    EXPECT_EQ(dec("%41%62%7e%7E", false), "Ab~~");
    EXPECT_EQ(dec("%2B", true), "+");
    EXPECT_EQ(dec("", false), "");
    EXPECT_EQ(dec("%ff", false), "\xff");
    for (const char *bad : {"%", "%4", "%zz", "%4g", "%g4", "%00", "a%", "%%41", "%-1"}) {
        EXPECT_EQ(dec(bad, false), "<invalid>") << bad;
    }
}

TEST(StripReferralArgs, KeepsOtherArgsInOrder) {
    EXPECT_EQ(strip("a=1&ref=x&b=2&utm_source=y&c"), "a=1&b=2&c");
    EXPECT_EQ(strip("ref=x&a=1"), "a=1");
    EXPECT_EQ(strip("a=1&ref=x"), "a=1");
    EXPECT_EQ(strip("ref=x"), "");
    EXPECT_EQ(strip("ref=x&utm_source=a&utm_medium=b&utm_campaign=c"), "");
    EXPECT_EQ(strip(""), "");
    EXPECT_EQ(strip("z=1&y=2&x=3"), "z=1&y=2&x=3");
}

TEST(StripReferralArgs, KeepsBytesAsTheyCame) {
    EXPECT_EQ(strip("q=%zz&ref=a&s=a+b%20c&=x&t"), "q=%zz&s=a+b%20c&=x&t");
    EXPECT_EQ(strip("Q=Caps&refx=1&xref=2"), "Q=Caps&refx=1&xref=2");
}

TEST(StripReferralArgs, DropsEmptyArgs) {
    EXPECT_EQ(strip("&&a=1&&ref=2&&b&"), "a=1&b");
    EXPECT_EQ(strip("&"), "");
    EXPECT_EQ(strip("&&&ref=1&&&"), "");
}

TEST(StripReferralArgs, DropsEveryOccurrenceIgnoringCase) {
    EXPECT_EQ(strip("REF=1&a=1&Ref=2&UTM_Medium=3&ref&ref=&x=3"), "a=1&x=3");
    EXPECT_EQ(strip("r=1&ref=2&p=3", rules({"ref", "r"})), "p=3");
}

TEST(StripReferralArgs, DropsUtmEvenWhenUtmIsOff) {
    EXPECT_EQ(strip("utm_source=a&k=v&utm_campaign=c", rules({"ref"}, 64, false)), "k=v");
}

TEST(StripReferralArgs, LongQueryStrings) {
    std::string args, expected;
    for (int i = 0; i < 2000; ++i) {
        args += "k" + std::to_string(i) + "=v&ref=x&";
        expected += (expected.empty() ? "" : "&") + ("k" + std::to_string(i) + "=v");
    }
    EXPECT_EQ(strip(args), expected);
}

}  // namespace
}  // namespace referral
