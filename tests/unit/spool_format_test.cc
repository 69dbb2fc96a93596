#include "spool_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace referral::spool {
namespace {

// Reads buf the way the sink does, in chunks of `chunk` bytes: records found and bytes skipped.
struct Scan {
    std::vector<std::string> records;
    size_t skipped = 0;
};

Scan scan(const std::string &file, size_t chunk) {
    Scan out;
    std::string buf;
    size_t read = 0;
    for (;;) {
        bool eof = read == file.size();
        std::string_view payload;
        size_t consumed;
        Parse p = parse_record(buf, eof, &payload, &consumed);
        if (p == Parse::record) {
            out.records.emplace_back(payload);
            buf.erase(0, consumed);
        } else if (p == Parse::garbage) {
            EXPECT_GE(consumed, 1u);
            out.skipped += consumed;
            buf.erase(0, consumed);
        } else if (eof) {
            EXPECT_TRUE(buf.empty());
            return out;
        } else {
            size_t n = std::min(chunk, file.size() - read);
            buf.append(file, read, n);
            read += n;
        }
    }
}

std::string records(const std::vector<std::string> &payloads) {
    std::string out;
    for (const auto &p : payloads)
        append_record(&out, p);
    return out;
}

TEST(SpoolFormat, HeaderRoundTrips) {
    std::string h = encode_header(0x0102030405060708ull);
    ASSERT_EQ(h.size(), kHeaderSize);
    EXPECT_EQ(h.substr(0, 8), "RFSPOOL1");
    uint64_t offset = 0;
    ASSERT_TRUE(decode_header(h, &offset));
    EXPECT_EQ(offset, 0x0102030405060708ull);
    EXPECT_FALSE(decode_header(h.substr(0, 15), &offset));
    h[0] = 'X';
    EXPECT_FALSE(decode_header(h, &offset));
}

TEST(SpoolFormat, RecordLayoutIsFixed) {
    std::string out;
    append_record(&out, "abc");
    ASSERT_EQ(out.size(), kRecordOverhead + 3);
    EXPECT_EQ(out.substr(0, 4), "REV1");
    EXPECT_EQ(out.substr(4, 4), std::string("\x03\x00\x00\x00", 4));
    EXPECT_EQ(out.substr(12), "abc");
}

TEST(SpoolFormat, RecordsRoundTripInAnyChunking) {
    std::vector<std::string> payloads = {"", "a", std::string(300, 'x'), std::string("\0REV1\0", 6),
                                         std::string(70000, 'y')};
    std::string file = records(payloads);
    for (size_t chunk : {1, 3, 7, 64, 4096, 1 << 20}) {
        Scan s = scan(file, chunk);
        EXPECT_EQ(s.records, payloads) << chunk;
        EXPECT_EQ(s.skipped, 0u) << chunk;
    }
}

TEST(SpoolFormat, TornTailIsSkippedAtEof) {
    std::string file = records({"first", "second"});
    for (size_t cut = 1; cut < kRecordOverhead + 6; cut++) {
        std::string torn = file.substr(0, file.size() - cut);
        Scan s = scan(torn, 5);
        ASSERT_EQ(s.records.size(), 1u) << cut;
        EXPECT_EQ(s.records[0], "first");
        EXPECT_EQ(s.skipped, kRecordOverhead + 6 - cut);
    }
}

TEST(SpoolFormat, CorruptRecordIsSkippedAndReadingResumes) {
    std::string a = records({"one"}), b = records({"two"}), c = records({"three"});
    std::vector<size_t> positions;
    for (size_t i = 0; i < b.size(); i++)
        positions.push_back(i);
    for (size_t pos : positions) {
        std::string bad = b;
        bad[pos] ^= 0x40;
        Scan s = scan(a + bad + c, 4);
        EXPECT_EQ(s.records, (std::vector<std::string>{"one", "three"})) << pos;
        EXPECT_EQ(s.skipped, b.size()) << pos;
    }
}

TEST(SpoolFormat, OverlongLengthIsGarbageNotAWait) {
    std::string bad = records({"x"});
    bad[7] = 0x7f;  // length ~2 GiB
    std::string file = bad + records({"after"});
    Scan s = scan(file, 1 << 20);
    EXPECT_EQ(s.records, (std::vector<std::string>{"after"}));
}

TEST(SpoolFormat, GarbageWithoutMagicIsSkippedWhole) {
    std::string junk(1000, 'z');
    Scan s = scan(junk + records({"ok"}), 16);
    EXPECT_EQ(s.records, (std::vector<std::string>{"ok"}));
    EXPECT_EQ(s.skipped, junk.size());
    EXPECT_EQ(scan(junk, 16).skipped, junk.size());
}

}  // namespace
}  // namespace referral::spool
