#include "spool_format.h"

#include <zlib.h>

#include <algorithm>

namespace referral::spool {

namespace {

constexpr char kFileMagic[8] = {'R', 'F', 'S', 'P', 'O', 'O', 'L', '2'};

void put_u32(char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) {
        p[i] = static_cast<char>(v >> (8 * i));
    }
}

uint32_t get_u32(const char *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    return v;
}

// The checksum covers the length too: a flipped length bit must not pass for a shorter or
// longer record.
uint32_t checksum(const char *length, std::string_view body) {
    uLong crc = crc32(0L, reinterpret_cast<const Bytef *>(length), 4);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(body.data()), static_cast<uInt>(body.size()));
    return static_cast<uint32_t>(crc);
}

const std::string_view kMagicBytes("REV2", 4);  // kRecordMagic as stored

// Bytes to skip from buf[0]: up to the next place a record magic could start.
size_t skip(std::string_view buf, bool at_eof) {
    const std::string_view magic = kMagicBytes;
    size_t next = buf.find(magic, 1);
    if (next != std::string_view::npos) {
        return next;
    }
    if (at_eof) {
        return buf.size();
    }
    // The magic may straddle the end of what was read: keep its possible first bytes.
    return buf.size() < magic.size() ? 1 : buf.size() - (magic.size() - 1);
}

}  // namespace

std::string encode_header(uint64_t replayed_offset) {
    std::string out(kFileMagic, sizeof(kFileMagic));
    for (int i = 0; i < 8; i++) {
        out.push_back(static_cast<char>(replayed_offset >> (8 * i)));
    }
    return out;
}

bool decode_header(std::string_view header, uint64_t *replayed_offset) {
    if (header.size() < kHeaderSize ||
        header.compare(0, sizeof(kFileMagic), std::string_view(kFileMagic, sizeof(kFileMagic))) !=
            0) {
        return false;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v |= static_cast<uint64_t>(static_cast<unsigned char>(header[8 + i])) << (8 * i);
    }
    *replayed_offset = v;
    return true;
}

size_t record_size(std::string_view kid, size_t payload_size) {
    return kFrameOverhead + 1 + kid.size() + payload_size + kMacSize;
}

void append_frame(std::string *out, std::string_view body) {
    char head[kFrameOverhead];
    put_u32(head, kRecordMagic);
    put_u32(head + 4, static_cast<uint32_t>(body.size()));
    put_u32(head + 8, checksum(head + 4, body));
    out->append(head, sizeof(head));
    out->append(body);
}

void append_record(std::string *out, const Key &key, std::string_view payload) {
    std::string body;
    body.reserve(1 + key.kid.size() + payload.size() + kMacSize);
    body.push_back(static_cast<char>(key.kid.size()));
    body.append(key.kid);
    body.append(payload);
    Digest mac = key.spool_mac.mac(body);
    body.append(reinterpret_cast<const char *>(mac.data()), mac.size());
    append_frame(out, body);
}

bool open_record(const Keyring &ring, std::string_view body, std::string_view *payload) {
    if (body.size() < 1 + kMacSize) {
        return false;
    }
    size_t kid_size = static_cast<unsigned char>(body[0]);
    if (kid_size == 0 || body.size() < 1 + kid_size + kMacSize) {
        return false;
    }
    const Key *key = ring.find(body.substr(1, kid_size));
    if (key == nullptr) {
        return false;
    }
    std::string_view signed_part = body.substr(0, body.size() - kMacSize);
    Digest mac;
    if (!key->spool_mac.mac(signed_part, &mac) ||
        !equal_constant_time(mac.data(),
                             reinterpret_cast<const uint8_t *>(body.data() + signed_part.size()),
                             kMacSize)) {
        return false;
    }
    *payload = signed_part.substr(1 + kid_size);
    return true;
}

Parse parse_record(std::string_view buf, bool at_eof, std::string_view *body, size_t *consumed) {
    if (buf.empty()) {
        *consumed = 0;
        return Parse::need_more;
    }
    if (buf.size() < kFrameOverhead) {
        size_t n = std::min(buf.size(), kMagicBytes.size());
        if (!at_eof && buf.substr(0, n) == kMagicBytes.substr(0, n)) {
            return Parse::need_more;
        }
        *consumed = skip(buf, at_eof);
        return Parse::garbage;
    }

    uint32_t length = get_u32(buf.data() + 4);
    if (get_u32(buf.data()) != kRecordMagic || length > kMaxBody) {
        *consumed = skip(buf, at_eof);
        return Parse::garbage;
    }
    if (buf.size() - kFrameOverhead < length) {
        if (!at_eof) {
            return Parse::need_more;
        }
        *consumed = skip(buf, at_eof);
        return Parse::garbage;
    }
    std::string_view framed = buf.substr(kFrameOverhead, length);
    if (get_u32(buf.data() + 8) != checksum(buf.data() + 4, framed)) {
        *consumed = skip(buf, at_eof);
        return Parse::garbage;
    }
    *body = framed;
    *consumed = kFrameOverhead + length;
    return Parse::record;
}

}  // namespace referral::spool
