#include "shop_postback.h"

#include "event_schema.h"
#include "hook_json.h"
#include "money.h"

namespace referral::rewardd {
namespace {

// Cut so that a refused value still fits a rejection record.
constexpr size_t kMaxEcho = 64;

void add(HookMessage &m, const char *name, std::string value) {
    if (!value.empty()) {
        m.fields.emplace_back(name, std::move(value));
    }
}

// Major units into minor units; an amount that does not parse goes on as written, so the
// daemon refuses the event with unparsable_amount instead of it vanishing.
std::string minor_units(const std::string &amount, const std::string &currency) {
    int64_t minor = 0;
    int exponent = currency_exponent(currency);
    if (exponent >= 0 && parse_amount(amount, exponent, &minor)) {
        return std::to_string(minor);
    }
    return amount.empty() ? "" : "malformed:" + amount.substr(0, kMaxEcho);
}

}  // namespace

std::optional<HookMessage> read_shop_postback(std::string_view body, std::string_view id,
                                              int64_t timestamp_s) {
    Json postback = parse_hook_json(body);
    std::string type = scalar(member(postback, "type"));
    if (!postback.is_object() || type.empty()) {
        return std::nullopt;
    }
    HookMessage m;
    m.id = "shop:" + std::string(id);
    std::optional<EventType> t = parse_event_type(type);
    if (!t || *t == EventType::click || *t == EventType::conversion) {
        m.ignored = "type " + type;
        return m;
    }
    m.type = *t;
    std::string currency = scalar(member(postback, "currency"));
    add(m, "ts", std::to_string(timestamp_s * 1000));
    add(m, "site", scalar(member(postback, "site")));
    add(m, "order", scalar(member(postback, "order")));
    if (m.type != EventType::cancel) {
        add(m, "amount", minor_units(scalar(member(postback, "amount")), currency));
    }
    if (m.type != EventType::cancel && m.type != EventType::refund) {
        add(m, "currency", currency);
        add(m, "customer", scalar(member(postback, "customer")));
    }
    return m;
}

}  // namespace referral::rewardd
