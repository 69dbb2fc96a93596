// What the microbenchmarks share: one key ring and a request's worth of typical input.
#pragma once

#include <memory>
#include <string>

#include "keyring.h"
#include "token.h"

namespace referral_bench {

// A fixed 32-byte key, as `openssl rand -hex 32` would make.
constexpr const char *kKeyHex = "8f3b9c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

// kKeyHex as the ring's only key, "k1".
const referral::Keyring &keyring();

// kKeyHex's 32 bytes.
std::string raw_key();

// The query string of the capturing scenario in bench/run.sh.
constexpr const char *kCaptureArgs = "ref=alice&utm_source=x";

// A token for code "alice" with utm_source "x", signed now by keyring().
const std::string &valid_token();

}  // namespace referral_bench
