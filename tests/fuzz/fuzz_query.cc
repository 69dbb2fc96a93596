// capture() and strip_referral_args() on arbitrary query strings: buffers are exactly the size
// the API promises to stay within, so AddressSanitizer catches any write past them.
#include <cstdlib>
#include <memory>
#include <string_view>

#include "fuzz_check.h"
#include "query.h"
#include "token.h"

namespace {

using referral::Capture;
using referral::CaptureRules;

bool inside(std::string_view v, const char *base, size_t n) {
    return v.empty() || (v.data() >= base && v.data() + v.size() <= base + n);
}

const CaptureRules &rules(bool utm) {
    static const CaptureRules with_utm{{"ref", "r"}, 16, true};
    static const CaptureRules without_utm{{"ref", "r"}, 16, false};
    return utm ? with_utm : without_utm;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view args(reinterpret_cast<const char *>(data), size);
    for (bool utm : {true, false}) {
        const CaptureRules &r = rules(utm);
        std::unique_ptr<char[]> scratch(new char[size]);
        Capture c;
        referral::capture(args, r, scratch.get(), &c);
        check(c.code.empty() || referral::valid_code(c.code, r.max_code_length));
        for (std::string_view v : {c.code, c.source, c.medium, c.campaign}) {
            check(inside(v, args.data(), size) || inside(v, scratch.get(), size));
        }
        for (std::string_view v : {c.source, c.medium, c.campaign}) {
            check(v.empty() || (utm && referral::valid_utm(v)));
        }

        std::unique_ptr<char[]> stripped(new char[size]);
        size_t n = referral::strip_referral_args(args, r, stripped.get());
        check(n <= size);
        std::string_view out(stripped.get(), n);
        check(out.empty() || (out.front() != '&' && out.back() != '&'));
        check(out.find("&&") == std::string_view::npos);

        // Nothing referral is left to capture, and stripping again changes nothing.
        std::unique_ptr<char[]> scratch2(new char[n]);
        Capture again;
        referral::capture(out, r, scratch2.get(), &again);
        check(again.code.empty() && again.rejected == 0 && again.source.empty() &&
              again.medium.empty() && again.campaign.empty());
        std::unique_ptr<char[]> twice(new char[n]);
        check(referral::strip_referral_args(out, r, twice.get()) == n);
        check(std::string_view(twice.get(), n) == out);
    }

    std::unique_ptr<char[]> decoded(new char[size]);
    long n = referral::percent_decode(args, size % 2 == 0, decoded.get());
    check(n <= static_cast<long>(size));
    return 0;
}
