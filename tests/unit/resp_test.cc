#include "resp.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

namespace referral::resp {
namespace {

// What hiredis' own formatter makes of the same arguments.
std::string hiredis(const std::vector<std::string> &args) {
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (const auto &a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    char *cmd;
    int len = redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), argv.data(), lens.data());
    std::string out(cmd, len);
    redisFreeCommand(cmd);
    return out;
}

std::string ours(const std::vector<std::string> &args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    std::string out = "previous bytes";
    append_command(&out, argv.data(), argv.size());
    EXPECT_EQ(out.substr(0, 14), "previous bytes");
    return out.substr(14);
}

TEST(Resp, SmallCommandIsExact) {
    EXPECT_EQ(ours({"PING"}), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(ours({"SELECT", "3"}), "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n");
}

TEST(Resp, MatchesHiredisByteForByte) {
    std::vector<std::vector<std::string>> cases = {
        {"XADD", "{referral}:events", "*", "v", "1", "type", "click", "id",
         "AAECAwQFBgcICQoLDA0ODw", "src", "spring sale"},
        {"AUTH", "user name", "pass\r\nword"},
        {"SET", "", std::string("\0\x01\xff", 3)},
        {"SET", "k", std::string(9, 'a'), std::string(10, 'b'), std::string(99999, 'c'),
         std::string(100000, 'd')},
    };
    std::vector<std::string> many = {"XADD"};
    for (int i = 0; i < 120; i++)
        many.push_back(std::to_string(i));
    cases.push_back(many);
    for (const auto &args : cases) {
        EXPECT_EQ(ours(args), hiredis(args)) << args[0] << " with " << args.size() << " args";
    }
}

TEST(Resp, RepliesParseBackToTheArguments) {
    // A RESP array of bulk strings is also a valid reply: hiredis' reader recovers the argv.
    std::vector<std::string> args = {"XADD", "s", "*", "f", std::string("v\r\n\0x", 5)};
    std::string wire = ours(args);
    redisReader *reader = redisReaderCreate();
    ASSERT_EQ(redisReaderFeed(reader, wire.data(), wire.size()), REDIS_OK);
    void *reply = nullptr;
    ASSERT_EQ(redisReaderGetReply(reader, &reply), REDIS_OK);
    auto *r = static_cast<redisReply *>(reply);
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
    ASSERT_EQ(r->elements, args.size());
    for (size_t i = 0; i < args.size(); i++) {
        EXPECT_EQ(std::string(r->element[i]->str, r->element[i]->len), args[i]);
    }
    freeReplyObject(r);
    redisReaderFree(reader);
}

TEST(Resp, HeadAndPairsAreTheSameCommandAsOneArgv) {
    Pairs pairs = {
        {"v", "1"}, {"type", "click"}, {"", ""}, {"src", std::string_view("a\r\n\0", 4)}};
    std::vector<std::string> args = {"XADD", "{referral}:events", "*"};
    for (const auto &[name, value] : pairs) {
        args.emplace_back(name);
        args.emplace_back(value);
    }
    std::string out = "previous bytes";
    append_command(&out, {"XADD", "{referral}:events", "*"}, pairs);
    EXPECT_EQ(out, "previous bytes" + hiredis(args));
}

TEST(Resp, BulkStringSizeTakesOneCompleteEntryId) {
    EXPECT_EQ(bulk_string_size("$15\r\n1700000000000-0\r\n"), 22u);
    EXPECT_EQ(bulk_string_size("$15\r\n1700000000000-0\r\n$15\r\n17"), 22u);
    EXPECT_EQ(bulk_string_size("$0\r\n\r\n"), 6u);
    EXPECT_EQ(bulk_string_size(std::string_view("$3\r\n\r\n\0\r\n", 9)), 9u);
}

TEST(Resp, BulkStringSizeLeavesEverythingElseToTheReader) {
    for (std::string_view in : {
             "",
             "$",
             "$1",
             "$1\r",
             "$1\r\n",
             "$1\r\na",
             "$1\r\na\r",               // split between reads
             "$15\r\n1700000000000-0",  // the same
             "$-1\r\n",                 // null
             "$01\r\na\r\n",            // leading zero
             "$1x\r\na\r\n",
             "$\r\n\r\n",
             "$1\n\ra\r\n",
             "$1\r\nab\r\n",  // not RESP
             "$1234567\r\n",  // longer than an id
             "-OOM command not allowed\r\n",
             "+OK\r\n",
             ":1\r\n",
             "*1\r\n$1\r\na\r\n",
         }) {
        EXPECT_EQ(bulk_string_size(in), 0u) << in;
    }
}

}  // namespace
}  // namespace referral::resp
