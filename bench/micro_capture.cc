// Reading the query string of a capturing request, and finding the referral cookie in a Cookie
// header that also carries a shop's usual cookies.

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bots.h"
#include "cookie_header.h"
#include "micro_fixture.h"
#include "query.h"

namespace {

void capture_args(benchmark::State &state, std::string_view args) {
    referral::CaptureRules rules;
    rules.params = {"ref"};
    std::string scratch(args.size(), '\0');
    referral::Capture cap;
    for (auto _ : state) {
        referral::capture(args, rules, scratch.data(), &cap);
        benchmark::DoNotOptimize(cap);
    }
}

void BM_CaptureShort(benchmark::State &state) {
    capture_args(state, referral_bench::kCaptureArgs);
}
BENCHMARK(BM_CaptureShort);

void BM_CaptureCampaignLink(benchmark::State &state) {
    capture_args(state,
                 "page=2&utm_source=newsletter&utm_medium=email&utm_campaign=Black%20Friday+2026"
                 "&ref=alice_01&gclid=EAIaIQobChMI");
}
BENCHMARK(BM_CaptureCampaignLink);

void BM_CookieScan(benchmark::State &state) {
    std::string header = "_ga=GA1.2.123456789.1700000000; cart=8f3b9c; consent=1; ref=" +
                         referral_bench::valid_token() + "; theme=dark";
    std::string_view value;
    for (auto _ : state) {
        referral::CookieScanner scanner(header, "ref");
        benchmark::DoNotOptimize(scanner.next(&value));
    }
}
BENCHMARK(BM_CookieScan);

// referral_skip_bots on a browser's User-Agent: the whole string is scanned.
void BM_IsCrawlerBrowser(benchmark::State &state) {
    std::string_view ua =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36";
    for (auto _ : state) {
        benchmark::DoNotOptimize(referral::is_crawler(ua));
    }
}
BENCHMARK(BM_IsCrawlerBrowser);

}  // namespace
