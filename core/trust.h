// Who can set a conversion value: the shop's response, or the visitor's request. The module
// classifies each referral_conversion_* value once, at configuration time, from the value's
// source text, and sends trust=upstream or trust=request with every conversion from that
// location (docs/directives.md, referral_conversion; docs/design.md#security).
#pragma once

#include <string_view>

namespace referral {

// The first variable ($name or ${name}) in an nginx complex value's source text whose value a
// visitor could forge; empty when every variable comes from the shop's response
// ($upstream_http_*, $upstream_cookie_*, $upstream_trailer_*, $sent_http_*) or there is none.
// Any other variable counts as the request's, including map and set results built from it.
std::string_view first_request_variable(std::string_view complex_value);

}  // namespace referral
