// The Lua scripts (daemon/scripts/*.lua, embedded at build time) and how they are run:
// EVALSHA, with SCRIPT LOAD again whenever Redis answers NOSCRIPT (a restart or SCRIPT FLUSH).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "redis_client.h"

namespace referral::rewardd {

struct EmbeddedScript {
    const char *name;
    const char *source;
};
extern const EmbeddedScript kEmbeddedScripts[];
extern const size_t kEmbeddedScriptCount;

enum class Script {
    kClick,
    kConversion,
    kHold,
    kRefund,
    kReject,
    kPromote,
    kApprove,
    kDropHeld,
    kExpireHeld,
    kPayout,
    kEnroll,
    kPayoutBatch,
    kHook,
    kConfirm,
    kBatch,
    kSignup
};
inline constexpr size_t kScriptCount = 16;

// The script's file name without .lua.
std::string_view script_name(Script script);

struct ScriptCall {
    Script script;
    Argv keys;
    Argv args;
};

// The script was not loaded (a restart or SCRIPT FLUSH): the call never ran.
bool is_noscript(const redisReply *r);

// Events per batch.lua call: enough to spread a call's own cost thin, few enough that one call
// holds Redis up for a millisecond or so.
inline constexpr size_t kEventsPerBatch = 100;

class Scripts {
  public:
    Scripts();

    void load(Redis &redis);
    Reply run(Redis &redis, const ScriptCall &call);
    // The EVALSHA of batch.lua (BatchCall) for count event calls of the scripts it carries,
    // at most kEventsPerBatch, in RESP: sent with Redis::append_encoded, and sent again as it
    // is after NOSCRIPT.
    std::string batch_command(const ScriptCall *calls, size_t count) const;

  private:
    Argv evalsha(const ScriptCall &call) const;
    std::array<std::string, kScriptCount> source_;
    std::array<std::string, kScriptCount> sha_;
};

}  // namespace referral::rewardd
