// Reading values out of a hook's JSON without exceptions: a value of the wrong type reads as
// absent, so the event parser judges it like any missing or malformed field.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace referral::rewardd {

using Json = nlohmann::json;

// Bodies nested deeper than this are refused before they are parsed.
inline constexpr size_t kMaxJsonDepth = 32;

// nullopt-like: a discarded value when the text is not JSON or nests too deep.
Json parse_hook_json(std::string_view body);

// o[key] when o is an object that has it, otherwise null.
const Json &member(const Json &o, std::string_view key);

// A string as is, an integer in decimal (a negative one with its sign), anything else "" —
// except that a number with a fraction or exponent is kept as its JSON text, so that an
// amount of 12.5 is refused as unparsable rather than taken as absent.
std::string scalar(const Json &v);

// An id that may come expanded: the string, or the object's "id".
std::string id_of(const Json &v);

}  // namespace referral::rewardd
