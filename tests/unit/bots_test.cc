#include "bots.h"

#include <cctype>
#include <string>

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(IsCrawler, KnownCrawlers) {
    for (const char *ua : {
             "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
             "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
             "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
             "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
             "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
             "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
             "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
             "Twitterbot/1.0",
             "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient "
             "+http://www.linkedin.com)",
             "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
             "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
             "TelegramBot (like TwitterBot)",
             "WhatsApp/2.23.20.0 A",
             "Mediapartners-Google",
             "AdsBot-Google (+http://www.google.com/adsbot.html)",
             "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) "
             "BingPreview/1.0b",
             "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
             "Quora Link Preview/1.0",
             "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
             "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
             "Mozilla/5.0 (compatible; AhrefsSiteAudit/6.1; +http://ahrefs.com/robot/site-audit)",
             "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
             "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
             "Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
             "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, "
             "like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
             "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
             "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like "
             "Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
             "python-requests/2.31.0",
             "Python-urllib/3.11",
             "Go-http-client/1.1",
             "Java/17.0.2",
             "okhttp/4.12.0",
             "Scrapy/2.11.0 (+https://scrapy.org)",
             "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html)",
             "GOOGLEBOT",
         }) {
        EXPECT_TRUE(is_crawler(ua)) << ua;
    }
}

TEST(IsCrawler, PeopleAndOperatorTools) {
    for (const char *ua : {
             "",
             "curl/8.4.0",
             "Wget/1.21.3",
             "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Safari/537.36",
             "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
             "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
             "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
             "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.6099.43 Mobile Safari/537.36",
             "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61",
             "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
             "Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
             "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Mobile Safari/537.36",
             "Mozilla/5.0 (Linux; Android 12; KingKong 9 Cubot) AppleWebKit/537.36",
             "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
             "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.38.109;FBBV/543010000]",
             "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/119.0 Mobile Safari/537.36 "
             "[Pinterest/Android]",
             "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 YaBrowser/23.11 Mobile "
             "Safari/537.36",
             "Opera/9.80 (Windows NT 6.1; U; en) Presto/2.12.388 Version/12.18",
         }) {
        EXPECT_FALSE(is_crawler(ua)) << ua;
    }
}

TEST(IsCrawler, CubotDoesNotHideOtherMarks) {
    EXPECT_TRUE(is_crawler("Cubot Googlebot"));
    EXPECT_TRUE(is_crawler("cubotbot"));
    EXPECT_TRUE(is_crawler("bot"));
    EXPECT_FALSE(is_crawler("bo"));
}

// The scan reads every other position: each mark is found wherever it starts, odd or even, at
// the end of the User-Agent too, in any case.
TEST(IsCrawler, EveryMarkAtEveryOffset) {
    size_t count = 0;
    const std::string_view *marks = crawler_marks(&count);
    for (size_t i = 0; i < count; ++i) {
        std::string mark(marks[i]);
        std::string upper = mark;
        for (char &c : upper) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        for (size_t offset = 0; offset < 4; ++offset) {
            std::string prefix = std::string("Mozilla/5.0 (X11) ").substr(0, offset);
            for (const std::string &m : {mark, upper}) {
                EXPECT_TRUE(is_crawler(prefix + m)) << prefix + m;
                EXPECT_TRUE(is_crawler(prefix + m + " 1.0")) << prefix + m;
            }
            EXPECT_FALSE(is_crawler(prefix + mark.substr(0, mark.size() - 1)))
                << prefix + mark.substr(0, mark.size() - 1);
        }
    }
}

TEST(IsEmbeddedFetch, ExactDestinations) {
    for (const char *dest : {"iframe", "image", "script", "style", "IFRAME", "Image"}) {
        EXPECT_TRUE(is_embedded_fetch(dest)) << dest;
    }
    for (const char *dest :
         {"", "document", "empty", "images", "iframes", "scripts", " image", "font", "video"}) {
        EXPECT_FALSE(is_embedded_fetch(dest)) << dest;
    }
}

TEST(IsPrefetch, PurposeTokens) {
    for (const char *v :
         {"prefetch", "Prefetch", "prefetch;prerender", "prefetch;anonymous-client-ip", "prerender",
          "preview, prefetch", "prefetch ; prerender"}) {
        EXPECT_TRUE(is_prefetch(v)) << v;
    }
    for (const char *v : {"", "none", "prefetcher", "noprefetch", "pre-fetch", "preview"}) {
        EXPECT_FALSE(is_prefetch(v)) << v;
    }
}

}  // namespace
}  // namespace referral
