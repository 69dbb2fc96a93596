// The stream is trimmed by default: below what every consumer group still needs and older than
// event_retention, never an entry a group has pending or has not been given yet.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

using testing_support::eventually;
using testing_support::Reply;

constexpr char kProgramme[] = R"(
[programme]
open_enrolment = true

[referrer]
percent = 10
)";

class RetentionTest : public RewarddTest {
  protected:
    // XADD with the id given ("*" for Redis's clock).
    std::string add_at(const std::string &id, const Event &event) {
        std::vector<std::string> argv = {"XADD", key("events"), id};
        for (const auto &[k, v] : event) {
            argv.push_back(k);
            argv.push_back(v);
        }
        Reply r = redis_.command(argv);
        EXPECT_EQ(r->type, REDIS_REPLY_STRING) << (r->str ? r->str : "");
        return std::string(r->str, r->len);
    }

    // The ids "audit" is given: n entries after those it was given before.
    std::vector<std::string> audit_reads(int n) {
        Reply r = redis_.command({"XREADGROUP", "GROUP", "audit", "a", "COUNT", std::to_string(n),
                                  "STREAMS", key("events"), ">"});
        std::vector<std::string> ids;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
            const redisReply *entries = r->element[0]->element[1];
            for (size_t i = 0; i < entries->elements; ++i) {
                const redisReply *id = entries->element[i]->element[0];
                ids.emplace_back(id->str, id->len);
            }
        }
        return ids;
    }

    void audit_acks(const std::string &id) {
        EXPECT_EQ(redis_.command({"XACK", key("events"), "audit", id})->integer, 1);
    }

    std::vector<std::string> stream_ids() {
        std::vector<std::string> ids;
        Reply r = redis_.command({"XRANGE", key("events"), "-", "+"});
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
            const redisReply *id = r->element[i]->element[0];
            ids.emplace_back(id->str, id->len);
        }
        return ids;
    }

    std::string first_id() {
        std::vector<std::string> ids = stream_ids();
        return ids.empty() ? "" : ids.front();
    }

    bool clicks_applied(int n) { return hget(key("stats:ALICE"), "clicks") == std::to_string(n); }
};

TEST_F(RetentionTest, OldAcknowledgedEntriesGoEntriesInsideRetentionStay) {
    redis_.command({"XGROUP", "CREATE", key("events"), "audit", "0", "MKSTREAM"});
    // Three entries from 1970, far outside any retention, then five of now.
    std::vector<std::string> all = {add_at("1000-1", click("old1", "ALICE")),
                                    add_at("2000-1", click("old2", "ALICE")),
                                    add_at("3000-1", click("old3", "ALICE"))};
    for (int i = 0; i < 5; ++i) {
        all.push_back(add_at("*", click("new" + std::to_string(i), "ALICE")));
    }
    // The audit group is done with the first entry and still holds the second.
    ASSERT_EQ(audit_reads(2), (std::vector<std::string>{"1000-1", "2000-1"}));
    audit_acks("1000-1");

    start(kProgramme, "event_retention = \"1h\"\n");
    ASSERT_TRUE(eventually([&] { return clicks_applied(8); }));
    ASSERT_TRUE(eventually([&] { return first_id() == "2000-1"; }, std::chrono::seconds(30)))
        << testing_support::read_file(dir_.path() + "/rewardd.log");
    EXPECT_EQ(stream_ids(), std::vector<std::string>(all.begin() + 1, all.end()));

    // Once the audit group has read and acknowledged everything, only the entries of the last
    // hour are left.
    audit_acks("2000-1");
    for (const std::string &id : audit_reads(100)) {
        audit_acks(id);
    }
    ASSERT_TRUE(eventually([&] { return first_id() == all[3]; }, std::chrono::seconds(30)));
    EXPECT_EQ(stream_ids(), std::vector<std::string>(all.begin() + 3, all.end()));
}

TEST_F(RetentionTest, PendingAndUndeliveredEntriesOutliveAShortRetention) {
    redis_.command({"XGROUP", "CREATE", key("events"), "audit", "0", "MKSTREAM"});
    std::vector<std::string> all;
    for (int i = 0; i < 10; ++i) {
        all.push_back(add_at("*", click("c" + std::to_string(i), "ALICE")));
    }
    // Audit acknowledges three, leaves two pending and has not been given the last five.
    std::vector<std::string> given = audit_reads(5);
    ASSERT_EQ(given, std::vector<std::string>(all.begin(), all.begin() + 5));
    for (int i = 0; i < 3; ++i) {
        audit_acks(all[i]);
    }
    // One of the pending entries moves to another consumer: claimed, still not acknowledged.
    redis_.command({"XCLAIM", key("events"), "audit", "b", "0", all[3]});

    start(kProgramme, "event_retention = \"1s\"\n");
    ASSERT_TRUE(eventually([&] { return clicks_applied(10); }));
    ASSERT_TRUE(eventually([&] { return first_id() == all[3]; }, std::chrono::seconds(30)))
        << testing_support::read_file(dir_.path() + "/rewardd.log");
    EXPECT_EQ(stream_ids(), std::vector<std::string>(all.begin() + 3, all.end()));

    // Acknowledged, the pending ones may go; the last entry audit was given stays as the point
    // it reads on from, and nothing it has not been given goes.
    audit_acks(all[3]);
    audit_acks(all[4]);
    ASSERT_TRUE(eventually([&] { return first_id() == all[4]; }, std::chrono::seconds(30)));
    EXPECT_EQ(stream_ids(), std::vector<std::string>(all.begin() + 4, all.end()));
}

TEST_F(RetentionTest, TrimFalseKeepsEverything) {
    redis_.command({"XGROUP", "CREATE", key("events"), "referral-rewardd", "0", "MKSTREAM"});
    add_at("1000-1", click("old1", "ALICE"));
    add_at("2000-1", click("old2", "ALICE"));
    start(kProgramme, "trim = false\nevent_retention = \"0s\"\n");
    // No moment says "the trimming loop has run": the entry applied after the first two gives
    // it time to, and whenever it did, nothing may be gone.
    ASSERT_TRUE(eventually([&] { return clicks_applied(2); }));
    add_at("*", click("new", "ALICE"));
    ASSERT_TRUE(eventually([&] { return clicks_applied(3); }));
    EXPECT_EQ(redis_.command({"XLEN", key("events")})->integer, 3);
}

}  // namespace
}  // namespace rewardd_test
