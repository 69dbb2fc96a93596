// Click, signup, conversion and refund records built from plain values
// (docs/design.md#event-schema): the module fills them from the request, the CLI from its
// arguments; the daemon's tests feed the same records to its parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base64url.h"
#include "event.h"
#include "keyring.h"

namespace referral {

inline constexpr size_t kEventIdBytes = 16;

// The id field: b64url of kEventIdBytes random bytes.
struct EventId {
    char text[b64url_encoded_size(kEventIdBytes)];
    std::string_view view() const { return {text, sizeof(text)}; }
};
EventId make_event_id(const uint8_t (&random)[kEventIdBytes]);

// What every click and conversion carries.
struct EventOrigin {
    std::string_view id;  // EventId::view()
    int64_t ts_ms = 0;
    std::string_view site;
    std::string_view code;
    std::string_view click;  // click id from the token
    // Hashed with the key's ip_hash, never sent as they are: the client address after realip
    // (IPv4 4 bytes, IPv6 its /64), and the User-Agent ("" when absent).
    std::string_view client;
    std::string_view user_agent;
    std::string_view source, medium, campaign;  // utm values; "" = absent
};

// A conversion's values as the checkout response gave them, not yet checked.
struct ConversionValues {
    int64_t first_ts_ms = 0;  // when the attribution token was issued
    std::string_view order, customer;
    std::string_view amount, currency;
    // A valid code or "". Without a cookie origin.code is "" and first_ts_ms 0 (neither is
    // sent): the coupon, or else the customer's binding to a referrer, attributes the purchase.
    std::string_view coupon;
    bool trust_request = false;  // a value may come from the visitor's request
    unsigned status = 0;         // the response's final status
};

EventRecord click_event(const Key &key, const EventOrigin &origin);

// A registration: the click's fields, the new customer's id (customer_raw when invalid, as a
// conversion's) and the trust of the location's values.
EventRecord signup_event(const Key &key, const EventOrigin &origin, std::string_view customer,
                         bool trust_request);

// Invalid values go as their _raw field (raw_field) for the daemon to reject with a reason;
// *amount_invalid tells whether the amount was one of them.
EventRecord conversion_event(const Key &key, const EventOrigin &origin,
                             const ConversionValues &values, bool *amount_invalid);

// A full refund when amount is nullopt; amount in minor units.
EventRecord refund_event(std::string_view id, int64_t ts_ms, std::string_view site,
                         std::string_view order, std::optional<int64_t> amount);

}  // namespace referral
