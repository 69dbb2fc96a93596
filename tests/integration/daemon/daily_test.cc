// The per-day counters the dashboard draws, kept by the event scripts themselves.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"
min_order = "5.00"

[referrer]
percent = 10

[friend]
fixed = "2.00"
)";

// 2001-09-09 and the next day, UTC.
constexpr int64_t kDay1 = 1000000000000;
constexpr int64_t kDay2 = kDay1 + 86400 * 1000;

class DailyTest : public RewarddTest {
  protected:
    std::string day(const std::string &field, const std::string &date = "20010909") {
        return hget(key("daily:" + date), field);
    }
};

TEST_F(DailyTest, CountsEachEventOnItsOwnDay) {
    start(kProgramme, "daily_ttl = \"30d\"");
    enroll("alice", "ALICE");
    enroll("bob", "BOB");
    add(with(click("c1", "ALICE", "ip1", "tg"), "ts", std::to_string(kDay1)));
    add(with(click("c2", "ALICE", "ip2", "<b>x</b>"), "ts", std::to_string(kDay1)));
    add(with(click("c3", "BOB", "ip3"), "ts", std::to_string(kDay2)));
    add(with(with(conversion("e1", "ALICE", "o1", 10000, "carol"), "ts", std::to_string(kDay1)),
             "src", "tg"));
    add(with(conversion("e2", "BOB", "o2", 5000, "dave"), "ts", std::to_string(kDay2)));
    add(with(conversion("e3", "ALICE", "o3", 100, "erin"), "ts", std::to_string(kDay1)));
    add(with(click("c4", "NOBODY", "ip4"), "ts", std::to_string(kDay1)));
    wait_applied();

    EXPECT_EQ(day("k"), "2");
    EXPECT_EQ(day("k:c:ALICE"), "2");
    EXPECT_EQ(day("k:s:tg"), "1");
    EXPECT_EQ(day("k:s:<b>x</b>"), "1");
    EXPECT_EQ(day("v"), "1");
    EXPECT_EQ(day("v:c:ALICE"), "1");
    EXPECT_EQ(day("v:s:tg"), "1");
    EXPECT_EQ(day("r:EUR"), "10000");
    EXPECT_EQ(day("r:EUR:c:ALICE"), "10000");
    EXPECT_EQ(day("r:EUR:s:tg"), "10000");
    EXPECT_EQ(day("w:EUR"), "1200");  // 10% to ALICE and 2.00 to the friend
    EXPECT_EQ(day("w:EUR:c:ALICE"), "1000");
    EXPECT_EQ(day("x:below_min_order"), "1");
    EXPECT_EQ(day("x:unknown_code"), "1");

    EXPECT_EQ(day("k", "20010910"), "1");
    EXPECT_EQ(day("v:c:BOB", "20010910"), "1");
    EXPECT_EQ(day("r:EUR", "20010910"), "5000");

    testing_support::Reply ttl = redis_.command({"PTTL", key("daily:20010909")});
    ASSERT_TRUE(ttl);
    EXPECT_GT(ttl->integer, 29LL * 86400 * 1000);
    EXPECT_LE(ttl->integer, 30LL * 86400 * 1000);
}

TEST_F(DailyTest, ADuplicateCountsOnce) {
    start(kProgramme);
    enroll("alice", "ALICE");
    Event c = with(click("c1", "ALICE"), "ts", std::to_string(kDay1));
    add(c);
    add(c);
    wait_applied();
    EXPECT_EQ(day("k"), "1");
    testing_support::Reply ttl = redis_.command({"PTTL", key("daily:20010909")});
    ASSERT_TRUE(ttl);
    EXPECT_GT(ttl->integer, 399LL * 86400 * 1000);  // the default daily_ttl, 400 days
}

}  // namespace
}  // namespace rewardd_test
