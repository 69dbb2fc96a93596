// An event is an ordered list of field/value strings (docs/design.md#event-schema), carried from
// the request to the Redis sink, the spool and back as one flat record:
//   repeated { u16 little-endian name length, name, u16 little-endian value length, value }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event_schema.h"

namespace referral {

class EventRecord {
  public:
    void add(std::string_view name, std::string_view value);  // values over 65535 bytes are cut
    void add(EventField f, std::string_view value) { add(field_name(f), value); }
    const std::string &bytes() const { return bytes_; }
    std::string release() { return std::move(bytes_); }

  private:
    std::string bytes_;
};

using EventFields = std::vector<std::pair<std::string_view, std::string_view>>;

// Splits a record into views of its bytes; false when the record is malformed (truncated
// lengths, empty names).
bool decode_event(std::string_view record, EventFields *out);

}  // namespace referral
