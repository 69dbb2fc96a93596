#include "bots.h"

#include <array>
#include <cstdint>
#include <iterator>

namespace referral {
namespace {

// User-Agent substrings, matched case-insensitively, that mark a client which is not a person
// following a link. This is the list operators read (docs point here):
//
//   bot                   Googlebot, AdsBot-Google, bingbot, YandexBot, DuckDuckBot, Applebot,
//                         PetalBot, Twitterbot, LinkedInBot, Slackbot, Discordbot,
//                         TelegramBot, Pinterestbot, SemrushBot, AhrefsBot, MJ12bot and every
//                         other "...bot" (but see Cubot below)
//   crawl, spider, slurp  generic crawlers, Baiduspider, Yahoo! Slurp
//   facebookexternalhit   Facebook and Instagram link previews
//   mediapartners         Mediapartners-Google (AdSense)
//   feedfetcher           Feedfetcher-Google
//   bingpreview           Bing's page previews
//   embedly               Embedly link previews
//   quora link preview    Quora link previews
//   whatsapp              WhatsApp link previews
//   ahrefs                AhrefsSiteAudit
//   headlesschrome        headless Chrome (scrapers, prerender services)
//   lighthouse            Chrome-Lighthouse / PageSpeed Insights
//   python-requests, python-urllib, aiohttp, go-http-client, java/, okhttp, libwww-perl,
//   apache-httpclient, node-fetch, axios/, scrapy
//                         HTTP libraries: scripts do not follow referral links as visitors
//
// Not listed on purpose: curl and wget (operators test with them); "Pinterest" and "Yandex"
// alone, which also name real in-app browsers (their crawlers say "bot"). "Cubot" is a phone
// brand whose User-Agent contains "bot": it is not a crawler.
constexpr std::string_view kCrawlerMarks[] = {
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "mediapartners",
    "feedfetcher",
    "bingpreview",
    "embedly",
    "quora link preview",
    "whatsapp",
    "ahrefs",
    "headlesschrome",
    "lighthouse",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "apache-httpclient",
    "node-fetch",
    "axios/",
    "scrapy",
};

// Without a branch: in a User-Agent upper-case letters come and go unpredictably, and a branch
// per byte mispredicted often enough to be most of is_crawler's time (bench/README.md).
char ascii_lower(char c) {
    auto u = static_cast<uint8_t>(c);
    return static_cast<char>(u | (static_cast<uint8_t>(u - 'A') < 26) << 5);
}

bool starts_with_ignoring_case(std::string_view s, std::string_view lower_prefix) {
    if (s.size() < lower_prefix.size()) {
        return false;
    }
    for (size_t i = 0; i < lower_prefix.size(); ++i) {
        if (ascii_lower(s[i]) != lower_prefix[i]) {
            return false;
        }
    }
    return true;
}

bool equals_ignoring_case(std::string_view s, std::string_view lower) {
    return s.size() == lower.size() && starts_with_ignoring_case(s, lower);
}

// Marks indexed by a hash of their first two bytes, so a User-Agent is scanned once and each
// position costs one table look-up: in a browser's User-Agent almost no pair has a candidate
// (indexing by the first byte alone left one or two candidates to compare at most positions).
// This runs on every capturing request.
constexpr size_t kPairBuckets = 1024;

constexpr size_t pair_bucket(char first, char second) {
    return ((static_cast<uint8_t>(first) << 5) ^ static_cast<uint8_t>(second)) % kPairBuckets;
}

struct MarkIndex {
    // For each bucket, a bit per entry of kCrawlerMarks.
    std::array<uint32_t, kPairBuckets> by_pair{};

    constexpr MarkIndex() {
        for (size_t i = 0; i < std::size(kCrawlerMarks); ++i) {
            by_pair[pair_bucket(kCrawlerMarks[i][0], kCrawlerMarks[i][1])] |= uint32_t{1} << i;
        }
    }
};

constexpr bool marks_are_lower_case_pairs() {
    for (std::string_view mark : kCrawlerMarks) {
        if (mark.size() < 2) {
            return false;
        }
        for (char c : mark) {
            if (c >= 'A' && c <= 'Z') {
                return false;
            }
        }
    }
    return true;
}

static_assert(std::size(kCrawlerMarks) <= 32, "MarkIndex holds 32 marks");
static_assert(marks_are_lower_case_pairs(), "marks are lower case, two bytes or more");
constexpr MarkIndex kIndex;

bool is_cubot(std::string_view ua, size_t bot_at) {
    return bot_at >= 2 && ascii_lower(ua[bot_at - 2]) == 'c' && ascii_lower(ua[bot_at - 1]) == 'u';
}

}  // namespace

bool is_crawler(std::string_view user_agent) {
    if (user_agent.size() < 2) {
        return false;
    }
    char first = ascii_lower(user_agent[0]);
    for (size_t at = 0; at + 1 < user_agent.size(); ++at) {
        char second = ascii_lower(user_agent[at + 1]);
        uint32_t candidates = kIndex.by_pair[pair_bucket(first, second)];
        first = second;
        while (candidates != 0) {
            int i = __builtin_ctz(candidates);
            candidates &= candidates - 1;
            std::string_view mark = kCrawlerMarks[i];
            if (starts_with_ignoring_case(user_agent.substr(at), mark) &&
                !(mark == "bot" && is_cubot(user_agent, at))) {
                return true;
            }
        }
    }
    return false;
}

bool is_embedded_fetch(std::string_view sec_fetch_dest) {
    for (std::string_view dest : {"iframe", "image", "script", "style"}) {
        if (equals_ignoring_case(sec_fetch_dest, dest)) {
            return true;
        }
    }
    return false;
}

bool is_prefetch(std::string_view purpose) {
    // A structured-field list ("prefetch", "prefetch;prerender", "prefetch;anonymous-client-ip"):
    // look for the tokens between separators rather than substrings.
    size_t pos = 0;
    while (pos < purpose.size()) {
        size_t end = purpose.find_first_of(",; \t", pos);
        if (end == std::string_view::npos) {
            end = purpose.size();
        }
        std::string_view token = purpose.substr(pos, end - pos);
        if (equals_ignoring_case(token, "prefetch") || equals_ignoring_case(token, "prerender")) {
            return true;
        }
        pos = end + 1;
    }
    return false;
}

}  // namespace referral
