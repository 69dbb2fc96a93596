// The dashboard's query parameters as anyone may send them: either a range of 1 to kMaxDays days
// ending no later than tomorrow and a known currency, or a message for a 400.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "amounts.h"
#include "dashboard_page.h"

namespace {

constexpr int64_t kToday = 20000;  // 2024-10-04

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace referral::rewardd;
    // name=value pairs separated by '&', as cpp-httplib hands them over once decoded.
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::multimap<std::string, std::string> params;
    while (!input.empty()) {
        std::string_view pair = input.substr(0, input.find('&'));
        input.remove_prefix(std::min(input.size(), pair.size() + 1));
        size_t eq = pair.find('=');
        params.emplace(std::string(pair.substr(0, eq)),
                       eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    }
    auto result = parse_dashboard_query(params, kToday);
    if (auto *q = std::get_if<DashboardQuery>(&result)) {
        check(q->first <= q->last && q->last - q->first < kMaxDays && q->last <= kToday + 1);
        check(q->currency.empty() || currency_exponent_or_points(q->currency) >= 0);
    } else {
        check(!std::get<std::string>(result).empty());
    }
    return 0;
}
