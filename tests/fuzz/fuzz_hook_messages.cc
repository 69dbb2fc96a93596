// Bodies of verified hook messages: whatever Stripe or a shop (or whoever holds their secret)
// sends is read into one event or ignored, never a crash, and the event it writes is either
// refused by the daemon's parser with a reason or planned within bounds.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "event_schema.h"
#include "events.h"
#include "shop_postback.h"
#include "stripe_events.h"

namespace {

using namespace referral::rewardd;

void plan(const HookMessage &m) {
    if (!m.ignored.empty()) {
        return;
    }
    Fields fields = {{"type", referral::type_name(m.type)}, {"id", m.id}};
    for (const auto &[name, value] : m.fields) {
        fields.emplace_back(name, value);
    }
    if (m.find_order) {
        fields.emplace_back("order", "looked-up");
    }
    Programme programme;
    programme.recurring_months = 12;
    Plan p = plan_event(programme, fields, 1700000000000);
    if (auto *c = std::get_if<Confirm>(&p)) {
        check(c->amount >= 0 && referral::valid_id(c->order));
    }
    if (auto *r = std::get_if<Renewal>(&p)) {
        check(r->amount >= 0 && referral::valid_id(r->customer));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view body(reinterpret_cast<const char *>(data), size);
    static const StripeConfig stripe = [] {
        StripeConfig c;
        c.site = "shop";
        c.order_id = "metadata.order_id";
        return c;
    }();
    if (auto m = read_stripe_event(body, stripe)) {
        check(m->id.rfind("stripe:", 0) == 0);
        plan(*m);
    }
    if (auto m = read_shop_postback(body, "msg_fuzz", 1700000000)) {
        plan(*m);
    }
    return 0;
}
