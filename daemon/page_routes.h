// The routes of /dashboard and /p/<token> on the listener of /metrics (docs/rewards.md, Pages):
// access, parameters, a Redis connection of their own per request, and the answer.
#pragma once

#include <vector>

#include "config.h"
#include "http_route.h"

namespace referral::rewardd {

// config must outlive the routes. /p/ only when [http] secret_file is set.
std::vector<HttpRoute> page_routes(const Config &config);

// Whether the Authorization header carries the bearer token (compared in constant time).
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace referral::rewardd
