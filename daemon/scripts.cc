#include "scripts.h"

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

bool is_noscript(const Reply &r) {
    return is_error(r.get(), "NOSCRIPT");
}

}  // namespace

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
    if (is_noscript(r)) {
        load(redis);
        r = redis.command(argv);
    }
    return r;
}

Scripts::BatchReplies Scripts::run_batched(Redis &redis, const std::vector<ScriptCall> &calls) {
    std::vector<ScriptCall> batches;
    for (size_t first = 0; first < calls.size(); first += kEventsPerBatch) {
        batches.push_back(
            BatchCall{&calls[first], std::min(kEventsPerBatch, calls.size() - first)}.to_call());
        redis.append(evalsha(batches.back()));
    }
    BatchReplies out;
    out.replies.reserve(batches.size());
    bool reload = false;
    for (size_t i = 0; i < batches.size(); ++i) {
        out.replies.push_back(redis.read_reply());
        reload = reload || is_noscript(out.replies.back());
    }
    if (reload) {
        // A batch that answered NOSCRIPT never ran: sending it again, in order, is safe.
        load(redis);
        for (size_t i = 0; i < batches.size(); ++i) {
            if (is_noscript(out.replies[i])) {
                out.replies[i] = run(redis, batches[i]);
            }
        }
    }
    out.events.reserve(calls.size());
    for (size_t i = 0; i < batches.size(); ++i) {
        const redisReply *r = out.replies[i].get();
        size_t count = std::min(kEventsPerBatch, calls.size() - i * kEventsPerBatch);
        bool complete = r->type == REDIS_REPLY_ARRAY && r->elements == count;
        for (size_t j = 0; j < count; ++j) {
            out.events.push_back(complete ? r->element[j] : r);
        }
    }
    return out;
}

}  // namespace referral::rewardd
