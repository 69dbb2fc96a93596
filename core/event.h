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
    std::string_view bytes() const { return spilled_ ? std::string_view(heap_) : inline_view(); }
    // The record's one allocation, of its exact size.
    std::string release() { return spilled_ ? std::move(heap_) : std::string(inline_view()); }

  private:
    std::string_view inline_view() const { return {inline_, size_}; }

    // A click (about 250 bytes) or a conversion (about 350) is built here, without the
    // allocation and the resizes of a string; a larger record moves to heap_ for good.
    char inline_[512];
    size_t size_ = 0;
    bool spilled_ = false;
    std::string heap_;
};

using EventFields = std::vector<std::pair<std::string_view, std::string_view>>;

// Splits a record into views of its bytes; false when the record is malformed (truncated
// lengths, empty names).
bool decode_event(std::string_view record, EventFields *out);

}  // namespace referral
