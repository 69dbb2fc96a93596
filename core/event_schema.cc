#include "event_schema.h"

namespace referral {
namespace {

bool all_bytes_in(std::string_view s, char low, char high) {
    for (char c : s) {
        if (c < low || c > high) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<EventType> parse_event_type(std::string_view name) {
    for (size_t i = 0; i < sizeof(kEventTypeNames) / sizeof(kEventTypeNames[0]); ++i) {
        if (kEventTypeNames[i] == name) {
            return static_cast<EventType>(i);
        }
    }
    return std::nullopt;
}

std::optional<EventField> raw_field(EventField f) {
    switch (f) {
        case EventField::order:
            return EventField::order_raw;
        case EventField::customer:
            return EventField::customer_raw;
        case EventField::amount:
            return EventField::amount_raw;
        case EventField::currency:
            return EventField::currency_raw;
        default:
            return std::nullopt;
    }
}

bool valid_code(std::string_view code, size_t max_length) {
    if (code.empty() || code.size() > max_length) {
        return false;
    }
    for (char c : code) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool valid_utm(std::string_view value) {
    return !value.empty() && value.size() <= kMaxUtmLength && all_bytes_in(value, 0x20, 0x7e);
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxIdLength && all_bytes_in(id, 0x21, 0x7e);
}

}  // namespace referral
