#include "spool_format.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
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

// Frames only: the layer that finds records in whatever bytes a file holds.
std::string records(const std::vector<std::string> &payloads) {
    std::string out;
    for (const auto &p : payloads)
        append_frame(&out, p);
    return out;
}

std::unique_ptr<Keyring> ring(const std::string &text) {
    std::string error;
    std::unique_ptr<Keyring> keys = Keyring::parse(text, &error);
    EXPECT_NE(keys, nullptr) << error;
    return keys;
}

const std::string kOld = "old:8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778\n";
const std::string kNew = "new:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

// The payload of the one record in `framed`, if ring verifies it.
std::optional<std::string> opened(const Keyring &keys, const std::string &framed) {
    std::string_view body, payload;
    size_t consumed;
    EXPECT_EQ(parse_record(framed, true, &body, &consumed), Parse::record);
    EXPECT_EQ(consumed, framed.size());
    if (!open_record(keys, body, &payload))
        return std::nullopt;
    return std::string(payload);
}

TEST(SpoolFormat, HeaderRoundTrips) {
    std::string h = encode_header(0x0102030405060708ull);
    ASSERT_EQ(h.size(), kHeaderSize);
    EXPECT_EQ(h.substr(0, 8), "RFSPOOL2");
    uint64_t offset = 0;
    ASSERT_TRUE(decode_header(h, &offset));
    EXPECT_EQ(offset, 0x0102030405060708ull);
    EXPECT_FALSE(decode_header(h.substr(0, 15), &offset));
    h[0] = 'X';
    EXPECT_FALSE(decode_header(h, &offset));
    EXPECT_FALSE(decode_header(std::string("RFSPOOL1") + std::string(8, '\0'), &offset))
        << "the earlier format has no record MACs";
}

TEST(SpoolFormat, RecordLayoutIsFixed) {
    auto keys = ring(kNew);
    std::string out;
    append_record(&out, keys->signer(), "abc");
    ASSERT_EQ(out.size(), record_size("new", 3));
    ASSERT_EQ(out.size(), kFrameOverhead + 1 + 3 + 3 + kMacSize);
    EXPECT_EQ(out.substr(0, 4), "REV2");
    EXPECT_EQ(out.substr(4, 4), std::string("\x27\x00\x00\x00", 4));
    EXPECT_EQ(out.substr(12, 7), std::string("\x03newabc"));
    Digest mac = keys->signer().spool_mac.mac(std::string("\x03newabc"));
    EXPECT_EQ(out.substr(19), std::string(mac.begin(), mac.end()));
}

TEST(SpoolFormat, AnyKeyStillInTheRingVerifies) {
    auto before = ring(kOld);
    std::string written;
    append_record(&written, before->signer(), "event");
    EXPECT_EQ(opened(*before, written), "event");
    EXPECT_EQ(opened(*ring(kNew + kOld), written), "event") << "rotation loses nothing";
    EXPECT_EQ(opened(*ring(kNew), written), std::nullopt) << "a key gone from the ring";
}

TEST(SpoolFormat, ForgedOrAlteredRecordsFailTheMac) {
    auto keys = ring(kNew + kOld);
    std::string genuine;
    append_record(&genuine, keys->signer(), "amount=100");
    // What someone without the key writes: right frame and CRC, any MAC.
    std::string body = std::string("\x03new") + "amount=999" + std::string(kMacSize, '\x5a');
    std::string forged;
    append_frame(&forged, body);
    EXPECT_EQ(opened(*keys, forged), std::nullopt);

    // The genuine body with one bit changed anywhere, re-framed so that the CRC holds.
    std::string_view genuine_body;
    size_t consumed;
    ASSERT_EQ(parse_record(genuine, true, &genuine_body, &consumed), Parse::record);
    for (size_t i = 0; i < genuine_body.size(); i++) {
        std::string altered(genuine_body);
        altered[i] ^= 0x01;
        std::string framed;
        append_frame(&framed, altered);
        EXPECT_EQ(opened(*keys, framed), std::nullopt) << i;
    }

    // Bodies too short to hold a kid and a MAC, or with no kid at all.
    for (const std::string &b : {std::string(), std::string(kMacSize, '\0'),
                                 std::string(1, '\x10') + std::string(kMacSize, 'k'),
                                 std::string(1, '\0') + std::string(kMacSize + 4, 'k')}) {
        std::string framed;
        append_frame(&framed, b);
        EXPECT_EQ(opened(*keys, framed), std::nullopt) << b.size();
    }
}

TEST(SpoolFormat, RecordsRoundTripInAnyChunking) {
    std::vector<std::string> payloads = {"", "a", std::string(300, 'x'), std::string("\0REV2\0", 6),
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
    for (size_t cut = 1; cut < kFrameOverhead + 6; cut++) {
        std::string torn = file.substr(0, file.size() - cut);
        Scan s = scan(torn, 5);
        ASSERT_EQ(s.records.size(), 1u) << cut;
        EXPECT_EQ(s.records[0], "first");
        EXPECT_EQ(s.skipped, kFrameOverhead + 6 - cut);
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
