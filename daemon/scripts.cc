#include "scripts.h"

#include "resp.h"
#include "script_calls.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace referral::rewardd {
namespace {

// In the order of enum Script.
constexpr const char *kNames[kScriptCount] = {
    "click",   "conversion", "hold",        "refund", "reject", "promote",
    "approve", "drop_held",  "expire_held", "payout", "enroll", "payout_batch",
    "hook",    "confirm",    "batch",       "signup"};

std::string sha1_hex(const std::string &text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(text.data()), text.size(), digest);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

}  // namespace

bool is_noscript(const redisReply *r) {
    return is_error(r, "NOSCRIPT");
}

std::string_view script_name(Script script) {
    return kNames[static_cast<size_t>(script)];
}

Scripts::Scripts() {
    for (size_t i = 0; i < kScriptCount; ++i) {
        for (size_t j = 0; j < kEmbeddedScriptCount; ++j) {
            if (std::strcmp(kEmbeddedScripts[j].name, kNames[i]) == 0) {
                source_[i] = kEmbeddedScripts[j].source;
            }
        }
        if (source_[i].empty()) {
            throw std::logic_error(std::string("script not embedded: ") + kNames[i]);
        }
        // EVALSHA needs only the digest, which is known without asking Redis.
        sha_[i] = sha1_hex(source_[i]);
    }
}

void Scripts::load(Redis &redis) {
    for (size_t i = 0; i < kScriptCount; ++i) {
        Reply r = redis.command({"SCRIPT", "LOAD", source_[i]});
        if (is_error(r.get())) {
            throw std::runtime_error(std::string("cannot load script ") + kNames[i] + ": " +
                                     std::string(text(r.get())));
        }
    }
}

Argv Scripts::evalsha(const ScriptCall &call) const {
    Argv argv;
    argv.reserve(3 + call.keys.size() + call.args.size());
    argv.push_back("EVALSHA");
    argv.push_back(sha_[static_cast<size_t>(call.script)]);
    argv.push_back(std::to_string(call.keys.size()));
    argv.insert(argv.end(), call.keys.begin(), call.keys.end());
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    return argv;
}

Reply Scripts::run(Redis &redis, const ScriptCall &call) {
    Argv argv = evalsha(call);
    Reply r = redis.command(argv);
    if (is_noscript(r.get())) {
        load(redis);
        r = redis.command(argv);
    }
    return r;
}

std::string Scripts::batch_command(const ScriptCall *calls, size_t count) const {
    BatchCall::Layout layout = BatchCall{calls, count}.layout();
    std::string nkeys = std::to_string(layout.keys.size());
    std::vector<std::string_view> argv;
    argv.reserve(3 + layout.keys.size() + layout.args.size());
    argv.insert(argv.end(), {"EVALSHA", sha_[static_cast<size_t>(Script::kBatch)], nkeys});
    argv.insert(argv.end(), layout.keys.begin(), layout.keys.end());
    argv.insert(argv.end(), layout.args.begin(), layout.args.end());
    std::string command;
    resp::append_command(&command, argv.data(), argv.size());
    return command;
}

}  // namespace referral::rewardd
