#include "stream_trim.h"

#include <gtest/gtest.h>

#include "stream_reply.h"

namespace referral::rewardd {
namespace {

constexpr int64_t kDay = 86400 * 1000;
constexpr int64_t kNow = 1'700'000'000'000;

std::string id(int64_t ms, int seq = 0) {
    return std::to_string(ms) + "-" + std::to_string(seq);
}

TEST(StreamId, ComparesMillisecondsThenSequence) {
    EXPECT_LT(stream_id("999-5"), stream_id("1000-0"));
    EXPECT_LT(stream_id("1000-2"), stream_id("1000-10"));
    EXPECT_EQ(stream_id("1000"), stream_id("1000-0"));
}

TEST(TrimPoint, NothingWithoutGroups) {
    EXPECT_EQ(trim_point({}, kNow, 0), std::nullopt);
}

TEST(TrimPoint, NothingWhileAGroupWasGivenNothing) {
    EXPECT_EQ(trim_point({{id(kNow - 9 * kDay), ""}, {"0-0", ""}}, kNow, kDay), std::nullopt);
}

TEST(TrimPoint, OldestPendingEntryOfAnyGroupIsKept) {
    std::vector<GroupPosition> groups{{id(kNow - 9 * kDay), ""},
                                      {id(kNow - 8 * kDay), id(kNow - 10 * kDay, 3)}};
    EXPECT_EQ(trim_point(groups, kNow, kDay), id(kNow - 10 * kDay, 3));
}

TEST(TrimPoint, LastDeliveredEntryKeptWhenNothingIsPending) {
    std::vector<GroupPosition> groups{{id(kNow - 9 * kDay, 1), ""}, {id(kNow - 2 * kDay), ""}};
    EXPECT_EQ(trim_point(groups, kNow, kDay), id(kNow - 9 * kDay, 1));
}

TEST(TrimPoint, EntriesInsideRetentionAreKept) {
    std::vector<GroupPosition> groups{{id(kNow - 1000), ""}};
    EXPECT_EQ(trim_point(groups, kNow, 7 * kDay), id(kNow - 7 * kDay));
    EXPECT_EQ(trim_point(groups, kNow, 0), id(kNow - 1000));
}

TEST(TrimPoint, RetentionLongerThanTheEpochCutsNothing) {
    EXPECT_EQ(trim_point({{id(kNow), ""}}, kNow, kNow + kDay), std::nullopt);
}

}  // namespace
}  // namespace referral::rewardd
