// Redis commands in RESP, built from their arguments: an array of bulk strings, exactly what
// hiredis' redisFormatCommandArgv produces (the unit test compares them), at a fraction of its
// cost — hiredis formats every length with a printf-like routine, which made formatting an XADD
// the largest cost of delivering an event. Arguments are copied as bytes, never interpreted.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace referral::resp {

// Appends "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" for each argument.
void append_command(std::string *out, const std::string_view *argv, size_t argc);

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

// The same command with the arguments head, then each pair's two strings: an XADD's field/value
// pairs go out without first being copied into one argv.
void append_command(std::string *out, std::initializer_list<std::string_view> head,
                    const Pairs &pairs);

// A reply that is a complete bulk string ("$<n>\r\n<n bytes>\r\n", as XADD's entry id) at the
// front of in: its size in bytes. 0 for anything else (an error, a null or split reply, bytes
// that are not RESP): hiredis' reader is left to read those.
size_t bulk_string_size(std::string_view in);

}  // namespace referral::resp
