// The on-disk format of the event spool (docs/design.md#spool-format): events that Redis could not
// take yet, appended by one nginx worker and read back by whichever worker adopts the file.
//
//   file   = header record*
//   header = "RFSPOOL1" | u64 LE replayed offset                        (16 bytes)
//   record = u32 LE kRecordMagic | u32 LE payload length
//            | u32 LE crc32(length bytes + payload) | payload           (12 + length bytes)
//
// The replayed offset is where reading resumes: the adopter rewrites it (in place) when it
// gives the file up with part of it delivered. Records are written with plain appends and no
// fsync, so a crash can leave a torn or garbled tail; the reader skips what does not check out
// and resynchronises on the next record magic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace referral::spool {

inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kRecordOverhead = 12;
inline constexpr uint32_t kRecordMagic = 0x31564552;  // "REV1"
// Events are a few hundred bytes; a length beyond this is corruption, not a record.
inline constexpr size_t kMaxPayload = 1 << 20;

std::string encode_header(uint64_t replayed_offset);
// false when the bytes are not a spool header; otherwise *replayed_offset is set.
bool decode_header(std::string_view header, uint64_t *replayed_offset);

// Appends one framed record to out; payload must be at most kMaxPayload bytes.
void append_record(std::string *out, std::string_view payload);

enum class Parse {
    record,     // *payload is the next record; *consumed is its framed size
    need_more,  // buf ends inside a record that may still be valid: read more and retry
    garbage,    // *consumed bytes are not a record (corrupt or torn): skip them
};

// Parses the record at the start of buf. at_eof says buf runs to the end of the file, so a record
// that does not fit is torn rather than unread. garbage always consumes at least one byte and
// stops before the next plausible record magic. An empty buf is need_more.
Parse parse_record(std::string_view buf, bool at_eof, std::string_view *payload, size_t *consumed);

}  // namespace referral::spool
