// Server-rendered pages (docs/rewards.md, Pages): escaping and the shell every page shares.
// Codes, sources, order ids and customers come from visitors: everything shown goes through
// escape().
#pragma once

#include <string>
#include <string_view>

#include "http_route.h"

namespace referral::rewardd {

// No external assets, no scripts, inline styles only: the pages are self-contained.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

// Text and attribute values alike: & < > " ' are replaced by character references.
std::string escape(std::string_view text);

// One labelled figure of a page's "figures" row, both escaped.
std::string figure(std::string_view label, std::string_view value);

// A whole document: title escaped, body as given (already escaped by its builder).
std::string html_page(std::string_view title, std::string_view body);

// status with the page, the CSP and no caching (pages show live figures and private balances).
HttpResponse page_response(int status, std::string body);
// A short page saying message (escaped).
HttpResponse message_response(int status, std::string_view message);

}  // namespace referral::rewardd
