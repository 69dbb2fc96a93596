#include "hook_json.h"

namespace referral::rewardd {

Json parse_hook_json(std::string_view body) {
    // nlohmann's parser keeps its own stack, but a deep document still costs a deep
    // destructor; brackets are counted first, strings skipped.
    size_t depth = 0;
    bool in_string = false, escaped = false;
    for (char c : body) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) {
                return Json(Json::value_t::discarded);
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return Json::parse(body.begin(), body.end(), nullptr, false);
}

const Json &member(const Json &o, std::string_view key) {
    static const Json null;
    if (!o.is_object()) {
        return null;
    }
    auto it = o.find(std::string(key));
    return it == o.end() ? null : *it;
}

std::string scalar(const Json &v) {
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_number_unsigned()) {
        return std::to_string(v.get<uint64_t>());
    }
    if (v.is_number_integer()) {
        return std::to_string(v.get<int64_t>());
    }
    if (v.is_number_float()) {
        return v.dump();
    }
    return "";
}

std::string id_of(const Json &v) {
    return v.is_object() ? scalar(member(v, "id")) : scalar(v);
}

}  // namespace referral::rewardd
