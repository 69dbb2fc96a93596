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

// Without a branch: in header values capitals come and go unpredictably, and a branch per byte
// mispredicts (it was most of the crawler check's time before the class table, bench/README.md).
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

// The scan looks at every other position of the User-Agent: it reads the pair of bytes at an
// even position and asks a table which marks could start there (their first two bytes are that
// pair) or one byte earlier (their second and third bytes are). Every mark has three bytes or
// more, so each start position is covered once, by half the loop of a byte-by-byte scan; in a
// browser's User-Agent almost no pair has a candidate. Bytes are reduced to 32 classes (letters
// without case, the punctuation that marks contain, everything else) so that the table is
// small enough to stay in the cache: a class pair is a candidate, which the comparison confirms.
// This runs on every capturing request.
constexpr uint8_t byte_class(uint8_t c) {
    if (c >= 'a' && c <= 'z') {
        return static_cast<uint8_t>(c - 'a' + 1);
    }
    if (c >= 'A' && c <= 'Z') {
        return static_cast<uint8_t>(c - 'A' + 1);
    }
    switch (c) {
        case '-':
            return 27;
        case '/':
            return 28;
        case ' ':
            return 29;
        default:
            return c >= '0' && c <= '9' ? 30 : 31;
    }
}

struct MarkIndex {
    std::array<uint8_t, 256> cls{};
    // For each pair of classes, a bit per entry of kCrawlerMarks: low half, marks whose first
    // two bytes are of those classes; high half, marks whose second and third bytes are.
    std::array<uint64_t, 32 * 32> by_pair{};

    static constexpr size_t pair(uint8_t a, uint8_t b) { return size_t{a} * 32 + b; }

    constexpr MarkIndex() {
        for (size_t c = 0; c < cls.size(); ++c) {
            cls[c] = byte_class(static_cast<uint8_t>(c));
        }
        for (size_t i = 0; i < std::size(kCrawlerMarks); ++i) {
            auto m = [i](size_t at) {
                return byte_class(static_cast<uint8_t>(kCrawlerMarks[i][at]));
            };
            by_pair[pair(m(0), m(1))] |= uint64_t{1} << i;
            by_pair[pair(m(1), m(2))] |= uint64_t{1} << (32 + i);
        }
    }
};

constexpr bool marks_are_lower_case_triples() {
    for (std::string_view mark : kCrawlerMarks) {
        if (mark.size() < 3) {
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
static_assert(marks_are_lower_case_triples(), "marks are lower case, three bytes or more");
constexpr MarkIndex kIndex;

bool is_cubot(std::string_view ua, size_t bot_at) {
    return bot_at >= 2 && ascii_lower(ua[bot_at - 2]) == 'c' && ascii_lower(ua[bot_at - 1]) == 'u';
}

}  // namespace

bool is_crawler(std::string_view user_agent) {
    const auto *ua = reinterpret_cast<const uint8_t *>(user_agent.data());
    size_t n = user_agent.size();
    for (size_t at = 0; at + 1 < n; at += 2) {
        uint64_t candidates =
            kIndex.by_pair[MarkIndex::pair(kIndex.cls[ua[at]], kIndex.cls[ua[at + 1]])];
        while (candidates != 0) {
            int bit = __builtin_ctzll(candidates);
            candidates &= candidates - 1;
            size_t start = bit < 32 ? at : at - 1;
            std::string_view mark = kCrawlerMarks[bit % 32];
            if ((bit < 32 || at > 0) && starts_with_ignoring_case(user_agent.substr(start), mark) &&
                !(mark == "bot" && is_cubot(user_agent, start))) {
                return true;
            }
        }
    }
    return false;
}

const std::string_view *crawler_marks(size_t *count) {
    *count = std::size(kCrawlerMarks);
    return kCrawlerMarks;
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
