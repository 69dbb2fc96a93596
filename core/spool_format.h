// The on-disk format of the event spool (docs/design.md#spool-format): events that Redis could not
// take yet, appended by one nginx worker and read back by whichever worker adopts the file.
//
//   file   = header record*
//   header = "RFSPOOL2" | u64 LE replayed offset                        (16 bytes)
//   record = u32 LE kRecordMagic | u32 LE body length
//            | u32 LE crc32(length bytes + body) | body                 (12 + length bytes)
//   body   = u8 kid length | kid | payload | HMAC-SHA256 (32 bytes) of everything before it,
//            keyed with the spool key derived from the ring key `kid` (Key::spool_mac)
//
// The replayed offset is where reading resumes: the adopter rewrites it (in place) when it
// gives the file up with part of it delivered. Records are written with plain appends and no
// fsync, so a crash can leave a torn or garbled tail; the reader skips what does not check out
// and resynchronises on the next record magic. The CRC tells a torn record from a whole one;
// the MAC tells a record a worker of this site wrote from one planted by someone else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "keyring.h"

namespace referral::spool {

inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kFrameOverhead = 12;
inline constexpr size_t kMacSize = 32;
inline constexpr uint32_t kRecordMagic = 0x32564552;  // "REV2"
// Events are a few hundred bytes; a payload beyond this is corruption, not a record.
inline constexpr size_t kMaxPayload = 1 << 20;
inline constexpr size_t kMaxBody = 1 + kMaxKidLength + kMaxPayload + kMacSize;

std::string encode_header(uint64_t replayed_offset);
// false when the bytes are not a header of this version; otherwise *replayed_offset is set.
bool decode_header(std::string_view header, uint64_t *replayed_offset);

// The bytes a record of this payload takes when written with a key of this kid.
size_t record_size(std::string_view kid, size_t payload_size);
// Appends one record of payload (at most kMaxPayload bytes), MACed with key.
void append_record(std::string *out, const Key &key, std::string_view payload);
// Appends one frame around body (at most kMaxBody bytes): the layer parse_record() reads.
void append_frame(std::string *out, std::string_view body);

enum class Parse {
    record,     // *body is the next record's body; *consumed is its framed size
    need_more,  // buf ends inside a record that may still be valid: read more and retry
    garbage,    // *consumed bytes are not a record (corrupt or torn): skip them
};

// Parses the frame at the start of buf and checks its CRC. at_eof says buf runs to the end of
// the file, so a record that does not fit is torn rather than unread. garbage always consumes at
// least one byte and stops before the next plausible record magic. An empty buf is need_more.
Parse parse_record(std::string_view buf, bool at_eof, std::string_view *body, size_t *consumed);

// The payload of a record body whose kid is in the ring and whose MAC that key verifies; false
// for anything else (a planted record, or one whose key has left the ring).
bool open_record(const Keyring &ring, std::string_view body, std::string_view *payload);

}  // namespace referral::spool
