// XREADGROUP and XAUTOCLAIM replies as RESP bytes, read by hiredis' own reader exactly as off
// the wire, then parsed into entries: well-formed replies as Redis 6.2 and 7 send them, and
// malformed ones that must be refused rather than read.
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stream_reply.h"

namespace referral::rewardd {
namespace {

struct ReplyDeleter {
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

ReplyPtr read_resp(const std::string &bytes) {
    redisReader *reader = redisReaderCreate();
    redisReaderFeed(reader, bytes.data(), bytes.size());
    void *reply = nullptr;
    int rc = redisReaderGetReply(reader, &reply);
    redisReaderFree(reader);
    EXPECT_EQ(rc, REDIS_OK) << bytes;
    EXPECT_NE(reply, nullptr) << "incomplete RESP: " << bytes;
    return ReplyPtr(static_cast<redisReply *>(reply));
}

std::string bulk(const std::string &s) {
    return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

std::string array(const std::vector<std::string> &elements) {
    std::string out = "*" + std::to_string(elements.size()) + "\r\n";
    for (const std::string &e : elements) {
        out += e;
    }
    return out;
}

std::string entry(const std::string &id, const std::vector<std::string> &kv) {
    std::vector<std::string> fields;
    for (const std::string &s : kv) {
        fields.push_back(bulk(s));
    }
    return array({bulk(id), array(fields)});
}

const std::string kNil = "$-1\r\n";
const std::string kNilArray = "*-1\r\n";
const std::string kClick = entry("1-0", {"type", "click", "id", "e1"});
const std::string kConversion = entry("2-0", {"type", "conversion", "id", "e2", "amount", "5"});
const std::string kDeleted = array({bulk("3-0"), kNil});

// An entry as the test expects it: id, deleted, and its fields flattened.
struct Expected {
    std::string id;
    bool deleted;
    std::vector<std::string> kv;
};

void expect_entries(const StreamEntries &got, const std::vector<Expected> &want,
                    const std::string &name) {
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << name;
        EXPECT_EQ(got[i].deleted, want[i].deleted) << name;
        std::vector<std::string> kv;
        for (const auto &[k, v] : got[i].fields) {
            kv.emplace_back(k);
            kv.emplace_back(v);
        }
        EXPECT_EQ(kv, want[i].kv) << name;
    }
}

const Expected kClickEntry{"1-0", false, {"type", "click", "id", "e1"}};
const Expected kConversionEntry{"2-0", false, {"type", "conversion", "id", "e2", "amount", "5"}};
const Expected kDeletedEntry{"3-0", true, {}};

struct ReadCase {
    const char *name;
    std::string resp;
    bool ok;
    std::vector<Expected> entries;
};

TEST(StreamReply, XReadGroup) {
    const std::string key = bulk("{referral}:events");
    const ReadCase cases[] = {
        {"block timed out", kNilArray, true, {}},
        {"one entry", array({array({key, array({kClick})})}), true, {kClickEntry}},
        {"a batch",
         array({array({key, array({kClick, kConversion})})}),
         true,
         {kClickEntry, kConversionEntry}},
        {"own pending, one deleted since",
         array({array({key, array({kClick, kDeleted})})}),
         true,
         {kClickEntry, kDeletedEntry}},
        {"nothing pending", array({array({key, array({})})}), true, {}},
        {"no streams", array({}), true, {}},
        {"entry without fields",
         array({array({key, array({array({bulk("1-0"), array({})})})})}),
         true,
         {{"1-0", false, {}}}},
        {"an error", "-NOGROUP no such key\r\n", false, {}},
        {"an integer", ":1\r\n", false, {}},
        {"a string", bulk("OK"), false, {}},
        {"stream is not an array", array({key}), false, {}},
        {"stream without entries", array({array({key})}), false, {}},
        {"stream name is an integer", array({array({":1\r\n", array({kClick})})}), false, {}},
        {"entries are a string", array({array({key, bulk("1-0")})}), false, {}},
        {"entry is a string", array({array({key, array({bulk("1-0")})})}), false, {}},
        {"entry without its fields",
         array({array({key, array({array({bulk("1-0")})})})}),
         false,
         {}},
        {"entry id is nil", array({array({key, array({array({kNil, array({})})})})}), false, {}},
        {"odd number of fields", array({array({key, array({entry("1-0", {"type"})})})}), false, {}},
        {"field value is an integer",
         array({array({key, array({array({bulk("1-0"), array({bulk("amount"), ":5\r\n"})})})})}),
         false,
         {}},
        {"field name is nil",
         array({array({key, array({array({bulk("1-0"), array({kNil, bulk("x")})})})})}),
         false,
         {}},
        {"a good entry after a bad one",
         array({array({key, array({array({bulk("1-0")}), kClick})})}),
         false,
         {}},
    };
    for (const ReadCase &c : cases) {
        ReplyPtr reply = read_resp(c.resp);
        StreamEntries entries;
        EXPECT_EQ(parse_read_reply(reply.get(), &entries), c.ok) << c.name;
        expect_entries(entries, c.entries, c.name);
    }
}

struct ClaimCase {
    const char *name;
    std::string resp;
    bool ok;
    std::string next;
    std::vector<Expected> entries;
};

TEST(StreamReply, XAutoClaim) {
    const ClaimCase cases[] = {
        {"nothing to claim (Redis 6.2)", array({bulk("0-0"), array({})}), true, "0-0", {}},
        {"nothing to claim (Redis 7)", array({bulk("0-0"), array({}), array({})}), true, "0-0", {}},
        {"claimed, more to come",
         array({bulk("2-1"), array({kClick, kConversion}), array({})}),
         true,
         "2-1",
         {kClickEntry, kConversionEntry}},
        {"deleted while pending (Redis 6.2)",
         array({bulk("0-0"), array({kDeleted})}),
         true,
         "0-0",
         {kDeletedEntry}},
        {"deleted ids listed apart (Redis 7)",
         array({bulk("0-0"), array({kClick}), array({bulk("3-0")})}),
         true,
         "0-0",
         {kClickEntry}},
        {"an error", "-NOGROUP no such key\r\n", false, "", {}},
        {"nil", kNilArray, false, "", {}},
        {"only the cursor", array({bulk("0-0")}), false, "", {}},
        {"four elements", array({bulk("0-0"), array({}), array({}), array({})}), false, "", {}},
        {"cursor is an integer", array({":0\r\n", array({})}), false, "", {}},
        {"entries are nil", array({bulk("0-0"), kNilArray}), false, "", {}},
        {"malformed entry", array({bulk("0-0"), array({array({bulk("1-0")})})}), false, "", {}},
    };
    for (const ClaimCase &c : cases) {
        ReplyPtr reply = read_resp(c.resp);
        std::string_view next;
        StreamEntries entries;
        EXPECT_EQ(parse_autoclaim_reply(reply.get(), &next, &entries), c.ok) << c.name;
        if (c.ok) {
            EXPECT_EQ(next, c.next) << c.name;
        }
        expect_entries(entries, c.entries, c.name);
    }
}

}  // namespace
}  // namespace referral::rewardd
