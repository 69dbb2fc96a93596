// Stream entries as anyone with write access to Redis can XADD them: planning an event either
// rejects it with a reason or yields rewards within what the programme allows.
#include <cstdlib>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "config.h"
#include "events.h"

namespace {

// Every rule that reads an event's fields: two levels of percent, a fixed friend reward, a
// minimum, a window, a hold, a trust policy and signup rewards.
const referral::rewardd::Programme &programme() {
    static const referral::rewardd::Config config = referral::rewardd::parse_config(
        "[programme]\ncurrency = \"EUR\"\nmin_order = \"10.00\"\nwindow = \"30d\"\n"
        "hold = \"14d\"\ntrust_request = \"hold_for_approval\"\n"
        "[referrer]\nlevels = [15, 2.5]\n[friend]\nfixed = \"5.00\"\n"
        "[signup]\nreferrer = { points = 500 }\nfriend = { fixed = \"2.00\" }\n",
        "fuzz.toml");
    return config.programme;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Fields are the input's lines, alternately name and value.
    std::string_view input(reinterpret_cast<const char *>(data), size);
    referral::rewardd::Fields fields;
    std::string_view name;
    bool have_name = false;
    for (size_t start = 0; start <= input.size();) {
        size_t end = input.find('\n', start);
        if (end == std::string_view::npos) {
            end = input.size();
        }
        std::string_view line = input.substr(start, end - start);
        if (have_name) {
            fields.emplace_back(name, line);
        } else {
            name = line;
        }
        have_name = !have_name;
        start = end + 1;
    }

    referral::rewardd::Plan plan =
        referral::rewardd::plan_event(programme(), fields, 1700000000000);
    if (const auto *c = std::get_if<referral::rewardd::Conversion>(&plan)) {
        check(c->amount >= 0);
        for (int64_t reward : c->referrer_rewards) {
            check(reward >= 0 && reward <= c->amount);
        }
        check(c->friend_reward >= 0);
    } else if (const auto *s = std::get_if<referral::rewardd::Signup>(&plan)) {
        check(!s->code.empty() && !s->customer.empty() && !s->state.empty());
        check(s->referrer_reward == 500 && s->friend_reward == 200);
    } else if (const auto *p = std::get_if<referral::rewardd::BoundPurchase>(&plan)) {
        check(!p->customer.empty());
    } else if (const auto *r = std::get_if<referral::rewardd::Rejection>(&plan)) {
        check(!r->reason.empty());
        // A refused conversion the ledger notes is a whole one.
        if (r->conversion) {
            check(r->conversion->amount >= 0 && !r->conversion->order.empty() &&
                  !r->conversion->code.empty() && r->conversion->currency.size() == 3);
        }
    }
    return 0;
}
