#include "event.h"

#include <cstring>

namespace referral {
namespace {

constexpr size_t kMaxLength = 0xffff;
// Enough for a click (about 250 bytes) or a conversion (about 350): one allocation per event
// instead of the five a string grown field by field makes.
constexpr size_t kTypicalSize = 512;

char *put_string(char *p, std::string_view s) {
    *p++ = static_cast<char>(s.size() & 0xff);
    *p++ = static_cast<char>(s.size() >> 8);
    if (!s.empty()) {
        std::memcpy(p, s.data(), s.size());
    }
    return p + s.size();
}

// Reads one length-prefixed string from the front of *in; false when *in is too short.
bool take_string(std::string_view *in, std::string_view *out) {
    if (in->size() < 2) {
        return false;
    }
    size_t n = static_cast<uint8_t>((*in)[0]) | static_cast<size_t>(static_cast<uint8_t>((*in)[1]))
                                                    << 8;
    in->remove_prefix(2);
    if (in->size() < n) {
        return false;
    }
    *out = in->substr(0, n);
    in->remove_prefix(n);
    return true;
}

}  // namespace

void EventRecord::add(std::string_view name, std::string_view value) {
    if (bytes_.empty()) {
        bytes_.reserve(kTypicalSize);
    }
    name = name.substr(0, kMaxLength);
    value = value.substr(0, kMaxLength);
    // One resize and two copies: a click adds a dozen fields, each byte pushed on its own
    // cost more than the copies.
    size_t at = bytes_.size();
    bytes_.resize(at + 4 + name.size() + value.size());
    put_string(put_string(bytes_.data() + at, name), value);
}

bool decode_event(std::string_view record, EventFields *out) {
    out->clear();
    while (!record.empty()) {
        std::string_view name, value;
        if (!take_string(&record, &name) || name.empty() || !take_string(&record, &value)) {
            return false;
        }
        out->emplace_back(name, value);
    }
    return true;
}

}  // namespace referral
