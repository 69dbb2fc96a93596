// HMAC-SHA256 of a token's signed part three ways (docs/design.md#performance-targets): the core's
// copy of pre-keyed inner/outer digest states, a duplicated pre-keyed EVP_MAC context per message,
// and OpenSSL's one-shot HMAC(), which the Lua peer calls and which keys afresh on every message.

#include <benchmark/benchmark.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>

#include "hmac.h"
#include "micro_fixture.h"

namespace {

std::string_view signed_part() {
    const std::string &token = referral_bench::valid_token();
    return std::string_view(token).substr(0, token.rfind('.'));
}

void BM_HmacPrekeyedCopy(benchmark::State &state) {
    referral::HmacSha256 mac(referral_bench::raw_key());
    std::string_view msg = signed_part();
    referral::Digest d;
    for (auto _ : state) {
        benchmark::DoNotOptimize(mac.mac(msg, &d));
    }
}
BENCHMARK(BM_HmacPrekeyedCopy);

void BM_HmacEvpMacDup(benchmark::State &state) {
    EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX *keyed = EVP_MAC_CTX_new(mac);
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    std::string key = referral_bench::raw_key();
    if (EVP_MAC_init(keyed, reinterpret_cast<const unsigned char *>(key.data()), key.size(),
                     params) != 1) {
        state.SkipWithError("EVP_MAC_init failed");
    }
    std::string_view msg = signed_part();
    unsigned char out[32];
    size_t out_len = 0;
    for (auto _ : state) {
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(msg.data()), msg.size());
        EVP_MAC_final(ctx, out, &out_len, sizeof(out));
        EVP_MAC_CTX_free(ctx);
        benchmark::DoNotOptimize(out);
    }
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
}
BENCHMARK(BM_HmacEvpMacDup);

void BM_HmacOneShot(benchmark::State &state) {
    std::string key = referral_bench::raw_key();
    std::string_view msg = signed_part();
    unsigned char out[32];
    unsigned int out_len = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                      reinterpret_cast<const unsigned char *>(msg.data()),
                                      msg.size(), out, &out_len));
    }
}
BENCHMARK(BM_HmacOneShot);

}  // namespace
