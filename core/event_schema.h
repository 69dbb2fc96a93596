// The event contract (docs/design.md#event-schema): every field of every event type, which
// fields a reader requires, and the syntax checks the writers (module, CLI) and the reader
// (daemon) share. A field's name is spelt once, as its identifier in the list below; the Lua
// scripts are the only other place that names fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace referral {

// How an event type carries a field.
enum class Presence : uint8_t {
    absent,    // not part of the type: readers ignore it
    optional,  // sent when known; readers use it when present
    required,  // the daemon rejects the event without it (missing_field)
};

// X(name, click, conversion, refund)
#define REFERRAL_EVENT_FIELDS(X)                                                            \
    X(v, optional, optional, optional)        /* schema version: 1 */                       \
    X(type, required, required, required)     /* click | conversion | refund */             \
    X(id, required, required, required)       /* unique event id, kept through retries */   \
    X(ts, required, required, optional)       /* unix milliseconds */                       \
    X(site, required, required, required)     /* referral_site */                           \
    X(code, required, required, absent)       /* referral code */                           \
    X(click, optional, optional, absent)      /* click id from the token */                 \
    X(first_ts, absent, optional, absent)     /* token issue time, ms */                    \
    X(ip, optional, optional, absent)         /* keyed hash of the client's address */      \
    X(ua, optional, optional, absent)         /* keyed hash of the User-Agent */            \
    X(src, optional, optional, absent)        /* utm_source */                              \
    X(med, optional, optional, absent)        /* utm_medium */                              \
    X(cmp, optional, optional, absent)        /* utm_campaign */                            \
    X(order, absent, required, required)      /* order id */                                \
    X(order_raw, absent, optional, absent)    /* an order id that is not valid_id, cut */   \
    X(customer, absent, optional, absent)     /* customer id */                             \
    X(customer_raw, absent, optional, absent) /* a customer id that is not valid_id, cut */ \
    X(amount, absent, required, optional)     /* minor units; a refund's is partial */      \
    X(amount_raw, absent, optional, absent)   /* an amount that did not parse, cut */       \
    X(currency, absent, required, absent)     /* ISO 4217, upper case */                    \
    X(currency_raw, absent, optional, absent) /* an unknown currency, cut */                \
    X(trust, absent, optional, absent)        /* upstream | request */                      \
    X(status, absent, optional, absent)       /* the response's final status */

enum class EventField : uint8_t {
#define REFERRAL_EVENT_FIELD_ENUM(name, click, conversion, refund) name,
    REFERRAL_EVENT_FIELDS(REFERRAL_EVENT_FIELD_ENUM)
#undef REFERRAL_EVENT_FIELD_ENUM
};

#define REFERRAL_EVENT_TYPES(X) X(click) X(conversion) X(refund)

enum class EventType : uint8_t {
#define REFERRAL_EVENT_TYPE_ENUM(name) name,
    REFERRAL_EVENT_TYPES(REFERRAL_EVENT_TYPE_ENUM)
#undef REFERRAL_EVENT_TYPE_ENUM
};

struct EventFieldInfo {
    std::string_view name;
    Presence in[3];  // by EventType
};

inline constexpr EventFieldInfo kEventFields[] = {
#define REFERRAL_EVENT_FIELD_INFO(name, click, conversion, refund) \
    {#name, {Presence::click, Presence::conversion, Presence::refund}},
    REFERRAL_EVENT_FIELDS(REFERRAL_EVENT_FIELD_INFO)
#undef REFERRAL_EVENT_FIELD_INFO
};
inline constexpr size_t kEventFieldCount = sizeof(kEventFields) / sizeof(kEventFields[0]);

inline constexpr std::string_view kEventTypeNames[] = {
#define REFERRAL_EVENT_TYPE_NAME(name) #name,
    REFERRAL_EVENT_TYPES(REFERRAL_EVENT_TYPE_NAME)
#undef REFERRAL_EVENT_TYPE_NAME
};

constexpr std::string_view field_name(EventField f) {
    return kEventFields[static_cast<size_t>(f)].name;
}

constexpr std::string_view type_name(EventType t) {
    return kEventTypeNames[static_cast<size_t>(t)];
}

constexpr Presence presence(EventField f, EventType t) {
    return kEventFields[static_cast<size_t>(f)].in[static_cast<size_t>(t)];
}

std::optional<EventType> parse_event_type(std::string_view name);

// The field a writer sends a value under when it is not valid for the field itself (order →
// order_raw), so that the reader can name the problem instead of the value vanishing.
std::optional<EventField> raw_field(EventField f);

inline constexpr std::string_view kEventVersion = "1";
// trust: whether a conversion's values came from the shop's response or could come from the
// visitor's request (docs/directives.md, "Trust" under referral_conversion_*).
inline constexpr std::string_view kTrustUpstream = "upstream";
inline constexpr std::string_view kTrustRequest = "request";

inline constexpr size_t kMaxCodeLength = 128;
inline constexpr size_t kMaxUtmLength = 64;
inline constexpr size_t kMaxIdLength =
    128;  // id, order, customer, site; and order_raw, customer_raw
inline constexpr size_t kMaxAmountRawLength = 64;
inline constexpr size_t kMaxCurrencyRawLength = 16;

// Codes: 1..max_length of [A-Za-z0-9_.-].
bool valid_code(std::string_view code, size_t max_length = kMaxCodeLength);
// utm values: 1..64 bytes of 0x20-0x7E.
bool valid_utm(std::string_view value);
// Orders, customers and sites: 1..128 bytes of 0x21-0x7E. Order records and ledger accounts
// rely on neither holding a space.
bool valid_id(std::string_view id);

}  // namespace referral
