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
    kSignup
};
inline constexpr size_t kScriptCount = 15;

// The script's file name without .lua.
std::string_view script_name(Script script);

struct ScriptCall {
    Script script;
    Argv keys;
    Argv args;
};

class Scripts {
  public:
    Scripts();

    void load(Redis &redis);
    Reply run(Redis &redis, const ScriptCall &call);
    // Pipelined: every call is sent before any reply is read; replies in call order.
    std::vector<Reply> run_all(Redis &redis, const std::vector<ScriptCall> &calls);

  private:
    Argv evalsha(const ScriptCall &call) const;
    std::array<std::string, kScriptCount> source_;
    std::array<std::string, kScriptCount> sha_;
};

}  // namespace referral::rewardd
