// Redis commands in RESP, built from their arguments: an array of bulk strings, exactly what
// hiredis' redisFormatCommandArgv produces (the unit test compares them), at a fraction of its
// cost — hiredis formats every length with a printf-like routine, which made formatting an XADD
// the largest cost of delivering an event. Arguments are copied as bytes, never interpreted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace referral::resp {

// Appends "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" for each argument.
void append_command(std::string *out, const std::string_view *argv, size_t argc);

}  // namespace referral::resp
