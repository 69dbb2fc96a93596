#include "event.h"

#include <string>

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
    const std::string &b = r.bytes();
    ASSERT_EQ(b.size(), 2u + 2 + 2 + 300);
    EXPECT_EQ(b.substr(0, 4), std::string("\x02\x00id", 4));
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
    EXPECT_EQ(bytes.size(), 6u);
}

TEST(DecodeEvent, EmptyRecordHasNoFields) {
    EventFields fields{{"stale", "x"}};
    EXPECT_TRUE(decode_event("", &fields));
    EXPECT_TRUE(fields.empty());
}

TEST(DecodeEvent, RejectsMalformedRecords) {
    EventRecord r;
    r.add("type", "conversion");
    const std::string good = r.bytes();
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
