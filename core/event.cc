#include "event.h"

#include <cstring>

namespace referral {
namespace {

constexpr size_t kMaxLength = 0xffff;

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
    name = name.substr(0, kMaxLength);
    value = value.substr(0, kMaxLength);
    size_t n = 4 + name.size() + value.size();
    char *p;
    if (!spilled_ && n <= sizeof(inline_) - size_) {
        p = inline_ + size_;
        size_ += n;
    } else {
        if (!spilled_) {
            heap_.assign(inline_, size_);
            spilled_ = true;
        }
        size_t at = heap_.size();
        heap_.resize(at + n);
        p = heap_.data() + at;
    }
    put_string(put_string(p, name), value);
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
