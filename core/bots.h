// The documented crawler list for referral_skip_bots (docs/directives.md). curl and wget are not
// crawlers: operators test with them.
#pragma once

#include <cstddef>
#include <string_view>

namespace referral {

bool is_crawler(std::string_view user_agent);

// The User-Agent marks is_crawler looks for, lower case (*count of them): the fuzzer holds
// is_crawler to a plain search for each.
const std::string_view *crawler_marks(size_t *count);

// Sec-Fetch-Dest values of requests that can stuff cookies without the visitor seeing a page.
bool is_embedded_fetch(std::string_view sec_fetch_dest);

// Sec-Purpose / Purpose header values that announce a prefetch or prerender.
bool is_prefetch(std::string_view purpose);

}  // namespace referral
