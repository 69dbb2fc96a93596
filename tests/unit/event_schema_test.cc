#include "event_schema.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(EventSchema, NamesAreUniqueAndRoundTrip) {
    std::set<std::string_view> names;
    for (size_t i = 0; i < kEventFieldCount; ++i) {
        std::string_view name = field_name(static_cast<EventField>(i));
        EXPECT_FALSE(name.empty());
        EXPECT_TRUE(names.insert(name).second) << name;
    }
    EXPECT_EQ(field_name(EventField::first_ts), "first_ts");
    EXPECT_EQ(field_name(EventField::currency_raw), "currency_raw");
    for (EventType t : {EventType::click, EventType::conversion, EventType::refund}) {
        EXPECT_EQ(parse_event_type(type_name(t)), t);
    }
    EXPECT_EQ(parse_event_type(""), std::nullopt);
    EXPECT_EQ(parse_event_type("Click"), std::nullopt);
}

TEST(EventSchema, EveryTypeNeedsItsEnvelope) {
    for (EventType t : {EventType::click, EventType::conversion, EventType::refund}) {
        EXPECT_EQ(presence(EventField::type, t), Presence::required);
        EXPECT_EQ(presence(EventField::id, t), Presence::required);
        EXPECT_EQ(presence(EventField::site, t), Presence::required);
        EXPECT_EQ(presence(EventField::v, t), Presence::optional);
    }
    EXPECT_EQ(presence(EventField::ts, EventType::refund), Presence::optional);
    EXPECT_EQ(presence(EventField::code, EventType::refund), Presence::absent);
    EXPECT_EQ(presence(EventField::order, EventType::click), Presence::absent);
    EXPECT_EQ(presence(EventField::amount, EventType::refund), Presence::optional);
}

TEST(EventSchema, RawFieldsBelongToTheirField) {
    for (size_t i = 0; i < kEventFieldCount; ++i) {
        auto f = static_cast<EventField>(i);
        std::optional<EventField> raw = raw_field(f);
        std::string name(field_name(f));
        bool has_raw = false;
        for (size_t j = 0; j < kEventFieldCount; ++j) {
            has_raw |= field_name(static_cast<EventField>(j)) == name + "_raw";
        }
        EXPECT_EQ(raw.has_value(), has_raw) << name;
        if (raw) {
            EXPECT_EQ(field_name(*raw), name + "_raw");
            for (EventType t : {EventType::click, EventType::conversion, EventType::refund}) {
                // A raw field only travels where its field can.
                EXPECT_TRUE(presence(*raw, t) == Presence::absent ||
                            presence(f, t) != Presence::absent);
            }
        }
    }
}

TEST(EventSchema, ValidId) {
    EXPECT_TRUE(valid_id("order-1"));
    EXPECT_TRUE(valid_id("!~"));
    EXPECT_TRUE(valid_id(std::string(kMaxIdLength, 'x')));
    EXPECT_FALSE(valid_id(std::string(kMaxIdLength + 1, 'x')));
    EXPECT_FALSE(valid_id(""));
    EXPECT_FALSE(valid_id("a b"));
    EXPECT_FALSE(valid_id("a\x7f"));
    EXPECT_FALSE(valid_id("caf\xc3\xa9"));
}

TEST(EventSchema, ValidCodeDefaultsToTheLongestCode) {
    EXPECT_TRUE(valid_code(std::string(kMaxCodeLength, 'a')));
    EXPECT_FALSE(valid_code(std::string(kMaxCodeLength + 1, 'a')));
    EXPECT_FALSE(valid_code("a b"));
}

}  // namespace
}  // namespace referral
