// is_crawler() on arbitrary User-Agents against a plain search for every mark in a lower-cased
// copy: the indexed scan, which reads every other position, must find exactly what the search
// finds.
#include <string>
#include <string_view>

#include "bots.h"
#include "fuzz_check.h"

namespace {

bool plain_search(std::string_view user_agent) {
    std::string lower(user_agent);
    for (char &c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + ('a' - 'A'));
        }
    }
    size_t count = 0;
    const std::string_view *marks = referral::crawler_marks(&count);
    for (size_t i = 0; i < count; ++i) {
        for (size_t at = lower.find(marks[i]); at != std::string::npos;
             at = lower.find(marks[i], at + 1)) {
            // "Cubot" is a phone brand, not a crawler.
            bool cubot = marks[i] == "bot" && at >= 2 && lower.compare(at - 2, 2, "cu") == 0;
            if (!cubot) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view user_agent(reinterpret_cast<const char *>(data), size);
    check(referral::is_crawler(user_agent) == plain_search(user_agent));
    return 0;
}
