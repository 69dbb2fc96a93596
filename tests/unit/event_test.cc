#include "event.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace referral {
namespace {

TEST(EventRecord, RoundTrips) {
    EventRecord r;
    r.add("v", "1");
    r.add("type", "click");
    r.add("src", "");
    r.add("bin", std::string("a\0b", 3));
    EventFields fields;
    ASSERT_TRUE(decode_event(r.bytes(), &fields));
    ASSERT_EQ(fields.size(), 4u);
    EXPECT_EQ(fields[0], (std::pair<std::string_view, std::string_view>("v", "1")));
    EXPECT_EQ(fields[1].first, "type");
    EXPECT_EQ(fields[1].second, "click");
    EXPECT_EQ(fields[2].second, "");
    EXPECT_EQ(fields[3].second, std::string_view("a\0b", 3));
}

TEST(EventRecord, LayoutIsLittleEndianLengths) {
    EventRecord r;
    r.add("id", std::string(300, 'x'));
    std::string_view b = r.bytes();
    ASSERT_EQ(b.size(), 2u + 2 + 2 + 300);
    EXPECT_EQ(b.substr(0, 4), std::string_view("\x02\x00id", 4));
    EXPECT_EQ(static_cast<uint8_t>(b[4]), 300 & 0xff);
    EXPECT_EQ(static_cast<uint8_t>(b[5]), 300 >> 8);
}

TEST(EventRecord, CutsLongValues) {
    EventRecord r;
    r.add("big", std::string(70000, 'y'));
    EventFields fields;
    ASSERT_TRUE(decode_event(r.bytes(), &fields));
    ASSERT_EQ(fields.size(), 1u);
    EXPECT_EQ(fields[0].second.size(), 65535u);
}

TEST(EventRecord, ReleaseHandsOverTheBytes) {
    EventRecord r;
    r.add("a", "b");
    std::string bytes = r.release();
    EXPECT_EQ(bytes, std::string_view("\x01\x00"
                                      "a\x01\x00"
                                      "b",
                                      6));
}

// A record that outgrows the room kept for a conversion keeps its fields, in order.
TEST(EventRecord, GrowsPastItsInlineRoom) {
    EventRecord r;
    std::vector<std::string> values;
    for (int i = 0; i < 40; ++i) {
        values.push_back(std::string(static_cast<size_t>(i) * 7, static_cast<char>('a' + i % 26)));
        r.add("f" + std::to_string(i), values.back());
    }
    EventFields fields;
    ASSERT_TRUE(decode_event(r.bytes(), &fields));
    ASSERT_EQ(fields.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(fields[i].first, "f" + std::to_string(i));
        EXPECT_EQ(fields[i].second, values[i]);
    }
    std::string released = r.release();
    EXPECT_TRUE(decode_event(released, &fields));
    EXPECT_EQ(fields.size(), values.size());
}

TEST(DecodeEvent, EmptyRecordHasNoFields) {
    EventFields fields{{"stale", "x"}};
    EXPECT_TRUE(decode_event("", &fields));
    EXPECT_TRUE(fields.empty());
}

TEST(DecodeEvent, RejectsMalformedRecords) {
    EventRecord r;
    r.add("type", "conversion");
    const std::string good(r.bytes());
    EventFields fields;
    for (size_t n = 1; n < good.size(); ++n) {
        EXPECT_FALSE(decode_event(good.substr(0, n), &fields)) << n;
    }
    EXPECT_FALSE(decode_event(good + "\x01", &fields));
    EXPECT_FALSE(decode_event(std::string("\x00\x00\x01\x00x", 5), &fields));  // empty name
    EXPECT_FALSE(decode_event(std::string("\xff\xff", 2), &fields));
}

}  // namespace
}  // namespace referral
