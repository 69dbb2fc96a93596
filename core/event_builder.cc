#include "event_builder.h"

#include <charconv>

#include "event_schema.h"
#include "money.h"

namespace referral {
namespace {

// Room for any int64_t in decimal, sign included.
constexpr size_t kMaxDecimal = 20;

// A decimal rendering that lives as long as the Number.
class Number {
  public:
    explicit Number(int64_t v)
        : size_(static_cast<size_t>(std::to_chars(buf_, buf_ + sizeof(buf_), v).ptr - buf_)) {}
    std::string_view view() const { return {buf_, size_}; }

  private:
    char buf_[kMaxDecimal];
    size_t size_;
};

// Hex of the keyed SipHash: stable per visitor for fraud limits, useless for recovering the
// address or User-Agent without the key.
void add_hash(EventRecord &event, EventField f, const Key &key, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    SipHash64::Tag d{};
    if (!key.ip_hash.mac(value, &d)) {
        // Only a moved-from key: all zeros, as the HMAC gave before.
        d.fill(0);
    }
    char hex[2 * d.size()];
    for (size_t i = 0; i < d.size(); ++i) {
        hex[2 * i] = kHex[d[i] >> 4];
        hex[2 * i + 1] = kHex[d[i] & 0xf];
    }
    event.add(f, {hex, sizeof(hex)});
}

void add_origin(EventRecord &event, EventType type, const Key &key, const EventOrigin &o) {
    Number ts(o.ts_ms);
    event.add(EventField::v, kEventVersion);
    event.add(EventField::type, type_name(type));
    event.add(EventField::id, o.id);
    event.add(EventField::ts, ts.view());
    event.add(EventField::site, o.site);
    // A conversion by coupon or by the customer's binding has no cookie: neither code nor click.
    if (!o.code.empty()) {
        event.add(EventField::code, o.code);
    }
    if (!o.click.empty()) {
        event.add(EventField::click, o.click);
    }
    add_hash(event, EventField::ip, key, o.client);
    add_hash(event, EventField::ua, key, o.user_agent);
    if (!o.source.empty()) {
        event.add(EventField::src, o.source);
    }
    if (!o.medium.empty()) {
        event.add(EventField::med, o.medium);
    }
    if (!o.campaign.empty()) {
        event.add(EventField::cmp, o.campaign);
    }
}

// Order and customer ids: valid ones go as they are; anything else is kept, cut, as the _raw
// field so the daemon can reject it with a reason instead of the event vanishing.
void add_id(EventRecord &event, EventField f, std::string_view value) {
    if (valid_id(value)) {
        event.add(f, value);
    } else if (!value.empty()) {
        event.add(*raw_field(f), value.substr(0, kMaxIdLength));
    }
}

char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c;
}

// Returns false when the amount went as amount_raw.
bool add_amount(EventRecord &event, std::string_view amount, std::string_view currency) {
    char upper[3];
    int exponent = 2;  // no currency: amounts have at most two decimals
    if (!currency.empty()) {
        bool known = currency.size() == sizeof(upper);
        for (size_t i = 0; known && i < sizeof(upper); i++) {
            upper[i] = ascii_upper(currency[i]);
        }
        exponent = known ? currency_exponent({upper, sizeof(upper)}) : -1;
        if (exponent < 0) {
            event.add(EventField::currency_raw, currency.substr(0, kMaxCurrencyRawLength));
        } else {
            event.add(EventField::currency, {upper, sizeof(upper)});
        }
    }
    if (amount.empty()) {
        return true;
    }
    int64_t minor;
    if (exponent >= 0 && parse_amount(amount, exponent, &minor)) {
        event.add(EventField::amount, Number(minor).view());
        return true;
    }
    event.add(EventField::amount_raw, amount.substr(0, kMaxAmountRawLength));
    return false;
}

}  // namespace

EventId make_event_id(const uint8_t (&random)[kEventIdBytes]) {
    EventId id;
    b64url_encode(random, kEventIdBytes, id.text);
    return id;
}

EventRecord click_event(const Key &key, const EventOrigin &origin) {
    EventRecord event;
    add_origin(event, EventType::click, key, origin);
    return event;
}

EventRecord signup_event(const Key &key, const EventOrigin &origin, std::string_view customer,
                         bool trust_request) {
    EventRecord event;
    add_origin(event, EventType::signup, key, origin);
    add_id(event, EventField::customer, customer);
    event.add(EventField::trust, trust_request ? kTrustRequest : kTrustUpstream);
    return event;
}

EventRecord conversion_event(const Key &key, const EventOrigin &origin,
                             const ConversionValues &values, bool *amount_invalid) {
    EventRecord event;
    add_origin(event, EventType::conversion, key, origin);
    if (values.first_ts_ms > 0) {
        event.add(EventField::first_ts, Number(values.first_ts_ms).view());
    }
    if (valid_code(values.coupon)) {
        event.add(EventField::coupon, values.coupon);
    }
    add_id(event, EventField::order, values.order);
    add_id(event, EventField::customer, values.customer);
    *amount_invalid = !add_amount(event, values.amount, values.currency);
    event.add(EventField::trust, values.trust_request ? kTrustRequest : kTrustUpstream);
    event.add(EventField::status, Number(values.status).view());
    return event;
}

EventRecord refund_event(std::string_view id, int64_t ts_ms, std::string_view site,
                         std::string_view order, std::optional<int64_t> amount) {
    EventRecord event;
    event.add(EventField::v, kEventVersion);
    event.add(EventField::type, type_name(EventType::refund));
    event.add(EventField::id, id);
    event.add(EventField::ts, Number(ts_ms).view());
    event.add(EventField::site, site);
    event.add(EventField::order, order);
    if (amount) {
        event.add(EventField::amount, Number(*amount).view());
    }
    return event;
}

}  // namespace referral
