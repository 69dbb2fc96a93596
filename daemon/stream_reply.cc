#include "stream_reply.h"

#include <cstdlib>
#include <string>

namespace referral::rewardd {
namespace {

bool is_string(const redisReply *r) {
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

bool is_array(const redisReply *r) {
    return r && r->type == REDIS_REPLY_ARRAY;
}

std::string_view view(const redisReply *r) {
    return {r->str, r->len};
}

// [[id, [field, value, ...] or nil], ...]
bool parse_entries(const redisReply *entries, StreamEntries *out) {
    if (!is_array(entries)) {
        return false;
    }
    out->reserve(out->size() + entries->elements);
    for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply *entry = entries->element[i];
        if (!is_array(entry) || entry->elements != 2 || !is_string(entry->element[0])) {
            return false;
        }
        StreamEntry e;
        e.id = view(entry->element[0]);
        const redisReply *kv = entry->element[1];
        if (kv && kv->type == REDIS_REPLY_NIL) {
            e.deleted = true;
        } else if (!is_array(kv) || kv->elements % 2 != 0) {
            return false;
        } else {
            e.fields.reserve(kv->elements / 2);
            for (size_t j = 0; j < kv->elements; j += 2) {
                if (!is_string(kv->element[j]) || !is_string(kv->element[j + 1])) {
                    return false;
                }
                e.fields.emplace_back(view(kv->element[j]), view(kv->element[j + 1]));
            }
        }
        out->push_back(std::move(e));
    }
    return true;
}

}  // namespace

bool parse_read_reply(const redisReply *reply, StreamEntries *out) {
    out->clear();
    if (reply && reply->type == REDIS_REPLY_NIL) {
        return true;
    }
    if (!is_array(reply)) {
        return false;
    }
    for (size_t i = 0; i < reply->elements; ++i) {
        const redisReply *stream = reply->element[i];
        if (!is_array(stream) || stream->elements != 2 || !is_string(stream->element[0]) ||
            !parse_entries(stream->element[1], out)) {
            out->clear();
            return false;
        }
    }
    return true;
}

bool parse_autoclaim_reply(const redisReply *reply, std::string_view *next, StreamEntries *out) {
    out->clear();
    if (!is_array(reply) || reply->elements < 2 || reply->elements > 3 ||
        !is_string(reply->element[0]) || !parse_entries(reply->element[1], out)) {
        out->clear();
        return false;
    }
    *next = view(reply->element[0]);
    return true;
}

std::pair<uint64_t, uint64_t> stream_id(std::string_view id) {
    std::string s(id);
    size_t dash = s.find('-');
    return {std::strtoull(s.c_str(), nullptr, 10),
            dash == std::string::npos ? 0 : std::strtoull(s.c_str() + dash + 1, nullptr, 10)};
}

}  // namespace referral::rewardd
