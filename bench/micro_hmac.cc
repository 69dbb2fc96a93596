// HMAC-SHA256 of a token's signed part three ways (docs/design.md#performance-targets): the core's
// copy of pre-keyed inner/outer digest states, a duplicated pre-keyed EVP_MAC context per message,
// and OpenSSL's one-shot HMAC(), which the Lua peer calls and which keys afresh on every message.
//
// Then the `ip` and `ua` digests (docs/design.md#event-schema) over a browser's User-Agent and an
// IPv4 address: the pre-keyed HMAC-SHA256 against OpenSSL's SipHash-2-4 (EVP_MAC "SIPHASH", 64-bit
// output) keyed per message three ways: EVP_MAC_init with no key (OpenSSL 3.0 keeps the key set
// before), EVP_MAC_init with the key, and a duplicated keyed context.

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

constexpr std::string_view kUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36";
constexpr std::string_view kAddress = "\xc0\x00\x02\x01";

// Arg 0: the User-Agent, 1: the address.
std::string_view digest_input(const benchmark::State &state) {
    return state.range(0) == 0 ? kUserAgent : kAddress;
}

void BM_DigestHmacPrekeyed(benchmark::State &state) {
    referral::HmacSha256 mac(referral_bench::raw_key());
    std::string_view msg = digest_input(state);
    referral::Digest d;
    for (auto _ : state) {
        benchmark::DoNotOptimize(mac.mac(msg, &d));
    }
}
BENCHMARK(BM_DigestHmacPrekeyed)->Arg(0)->Arg(1);

// A SipHash-2-4 context with a 64-bit output and the first 16 bytes of the bench key.
struct SipHash {
    EVP_MAC *mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    size_t size = 8;
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                            OSSL_PARAM_construct_end()};
    std::string key = referral_bench::raw_key().substr(0, 16);

    bool init(EVP_MAC_CTX *c) {
        return EVP_MAC_init(c, reinterpret_cast<const unsigned char *>(key.data()), key.size(),
                            params) == 1;
    }
    ~SipHash() {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
};

void sip_digest(EVP_MAC_CTX *ctx, std::string_view msg, unsigned char (&out)[8]) {
    size_t out_len = 0;
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(msg.data()), msg.size());
    EVP_MAC_final(ctx, out, &out_len, sizeof(out));
}

void BM_DigestSipHashReinit(benchmark::State &state) {
    SipHash sip;
    if (!sip.init(sip.ctx)) {
        state.SkipWithError("EVP_MAC_init failed");
    }
    std::string_view msg = digest_input(state);
    unsigned char out[8];
    for (auto _ : state) {
        EVP_MAC_init(sip.ctx, nullptr, 0, nullptr);
        sip_digest(sip.ctx, msg, out);
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_DigestSipHashReinit)->Arg(0)->Arg(1);

void BM_DigestSipHashKeyEach(benchmark::State &state) {
    SipHash sip;
    std::string_view msg = digest_input(state);
    unsigned char out[8];
    for (auto _ : state) {
        sip.init(sip.ctx);
        sip_digest(sip.ctx, msg, out);
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_DigestSipHashKeyEach)->Arg(0)->Arg(1);

void BM_DigestSipHashDup(benchmark::State &state) {
    SipHash sip;
    if (!sip.init(sip.ctx)) {
        state.SkipWithError("EVP_MAC_init failed");
    }
    std::string_view msg = digest_input(state);
    unsigned char out[8];
    for (auto _ : state) {
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(sip.ctx);
        sip_digest(ctx, msg, out);
        EVP_MAC_CTX_free(ctx);
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_DigestSipHashDup)->Arg(0)->Arg(1);

}  // namespace
