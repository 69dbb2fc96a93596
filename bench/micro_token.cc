// Signing a new token (capturing request) and verifying one (every request with a cookie).

#include <benchmark/benchmark.h>

#include <ctime>
#include <string>

#include "micro_fixture.h"
#include "token.h"

namespace {

constexpr int64_t kMaxAge = 30 * 86400;

void BM_SignToken(benchmark::State &state) {
    const referral::Key &key = referral_bench::keyring().signer();
    referral::Attribution a;
    a.code = "alice";
    a.issued = std::time(nullptr);
    a.click_id = "AAECAwQFBgcICQoLDA0ODw";
    a.source = "x";
    char out[referral::kMaxTokenLength];
    for (auto _ : state) {
        benchmark::DoNotOptimize(referral::sign_token(key, a, out));
    }
}
BENCHMARK(BM_SignToken);

void BM_VerifyToken(benchmark::State &state) {
    const std::string &token = referral_bench::valid_token();
    int64_t now = std::time(nullptr);
    char scratch[referral::kMaxTokenLength];
    referral::Attribution a;
    for (auto _ : state) {
        auto status =
            referral::verify_token(referral_bench::keyring(), token, now, kMaxAge, scratch, &a);
        benchmark::DoNotOptimize(status);
    }
}
BENCHMARK(BM_VerifyToken);

// A forged tag costs the same HMAC: there is no shortcut an attacker could time.
void BM_VerifyForgedToken(benchmark::State &state) {
    std::string token = referral_bench::valid_token();
    // The tag's first character: the last one carries padding bits that must be zero, and
    // changing it would be rejected before the HMAC.
    char &c = token[token.rfind('.') + 1];
    c = c == 'A' ? 'B' : 'A';
    int64_t now = std::time(nullptr);
    char scratch[referral::kMaxTokenLength];
    referral::Attribution a;
    for (auto _ : state) {
        auto status =
            referral::verify_token(referral_bench::keyring(), token, now, kMaxAge, scratch, &a);
        benchmark::DoNotOptimize(status);
    }
}
BENCHMARK(BM_VerifyForgedToken);

}  // namespace
