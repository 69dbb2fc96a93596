// The error message parse_config gives for a configuration, "" when it is accepted.
#pragma once

#include <string>

#include "config.h"

namespace referral::rewardd {

inline std::string config_error(const std::string &toml) {
    try {
        parse_config(toml, "rewards.toml");
        return "";
    } catch (const ConfigError &e) {
        return e.what();
    }
}

}  // namespace referral::rewardd
