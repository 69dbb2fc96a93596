#include "payees.h"

#include "admin.h"

namespace referral::rewardd {

void save_payee(Redis &redis, const Keys &keys, const std::string &code,
                const std::string &customer, const std::string &email,
                const std::string &payout_id) {
    if (email.empty() && payout_id.empty()) {
        return;
    }
    Argv hset = {"HSET", keys.payee(code), "customer", customer};
    if (!email.empty()) {
        hset.insert(hset.end(), {"email", email});
    }
    if (!payout_id.empty()) {
        hset.insert(hset.end(), {"payout_id", payout_id});
    }
    // MULTI keeps a payee from being listed without its details.
    redis.append({"MULTI"});
    redis.append(hset);
    redis.append({"SADD", keys.payees(), code});
    redis.append({"EXEC"});
    for (int i = 0; i < 4; ++i) {
        Reply r = redis.read_reply();
        if (is_error(r.get())) {
            throw CommandError(std::string(text(r.get())));
        }
    }
}

bool valid_email(const std::string &email) {
    size_t at = email.find('@');
    if (email.size() > 254 || at == 0 || at == std::string::npos || at + 1 == email.size() ||
        email.find('@', at + 1) != std::string::npos) {
        return false;
    }
    for (char c : email) {
        if (c <= ' ' || c > '~' || c == ',' || c == '"') {
            return false;
        }
    }
    return true;
}

}  // namespace referral::rewardd
