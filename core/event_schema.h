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

// X(name, click, conversion, refund, confirm, cancel, renewal, signup)
#define REFERRAL_EVENT_FIELDS(X)                                                                   \
    X(v, optional, optional, optional, optional, optional, optional,                               \
      optional) /* schema version: 1 */                                                            \
    X(type, required, required, required, required, required, required, required)                  \
    X(id, required, required, required, required, required, required,                              \
      required) /* unique, retried */                                                              \
    X(ts, required, required, optional, optional, optional, required, required) /* unix ms */      \
    X(site, required, required, required, required, required, required,                            \
      required) /* referral_site */                                                                \
    X(code, required, optional, absent, absent, absent, absent,                                    \
      required) /* referral code; or coupon */                                                     \
    X(click, optional, optional, absent, absent, absent, absent, optional) /* token's click id */  \
    X(first_ts, absent, optional, absent, absent, absent, absent, absent)  /* token issued, ms */  \
    X(ip, optional, optional, absent, absent, absent, absent,                                      \
      optional) /* keyed hash of address */                                                        \
    X(ua, optional, optional, absent, absent, absent, absent, optional)  /* keyed hash of UA */    \
    X(src, optional, optional, absent, absent, absent, absent, optional) /* utm_source */          \
    X(med, optional, optional, absent, absent, absent, absent, optional) /* utm_medium */          \
    X(cmp, optional, optional, absent, absent, absent, absent, optional) /* utm_campaign */        \
    X(order, absent, required, required, required, required, required, absent)  /* order id */     \
    X(order_raw, absent, optional, absent, absent, absent, absent, absent)      /* invalid, cut */ \
    X(customer, absent, optional, absent, optional, absent, required, optional) /* customer id */  \
    X(customer_raw, absent, optional, absent, absent, absent, absent, optional) /* invalid, cut */ \
    X(amount, absent, required, optional, required, absent, required, absent)   /* minor units */  \
    X(amount_raw, absent, optional, absent, absent, absent, absent, absent)   /* unparsed, cut */  \
    X(currency, absent, required, absent, required, absent, required, absent) /* ISO 4217 */       \
    X(currency_raw, absent, optional, absent, absent, absent, absent, absent) /* unknown, cut */   \
    X(coupon, absent, optional, absent, optional, absent, absent, absent)     /* code as coupon */ \
    X(trust, absent, optional, optional, optional, optional, optional, optional) /* see kTrust* */ \
    X(status, absent, optional, absent, absent, absent, absent,                                    \
      absent) /* response's final status */

enum class EventField : uint8_t {
#define REFERRAL_EVENT_FIELD_ENUM(name, ...) name,
    REFERRAL_EVENT_FIELDS(REFERRAL_EVENT_FIELD_ENUM)
#undef REFERRAL_EVENT_FIELD_ENUM
};

// confirm, cancel and renewal come from payment providers and shops through the daemon's
// hooks (docs/rewards.md, "Payment providers").
#define REFERRAL_EVENT_TYPES(X) \
    X(click) X(conversion) X(refund) X(confirm) X(cancel) X(renewal) X(signup)

enum class EventType : uint8_t {
#define REFERRAL_EVENT_TYPE_ENUM(name) name,
    REFERRAL_EVENT_TYPES(REFERRAL_EVENT_TYPE_ENUM)
#undef REFERRAL_EVENT_TYPE_ENUM
};

struct EventFieldInfo {
    std::string_view name;
    Presence in[7];  // by EventType
};

inline constexpr EventFieldInfo kEventFields[] = {
#define REFERRAL_EVENT_FIELD_INFO(name, click, conversion, refund, confirm, cancel, renewal, \
                                  signup)                                                    \
    {#name,                                                                                  \
     {Presence::click, Presence::conversion, Presence::refund, Presence::confirm,            \
      Presence::cancel, Presence::renewal, Presence::signup}},
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
// A payment provider's or shop's signed message, verified by the daemon's hooks.
inline constexpr std::string_view kTrustProvider = "provider";

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
