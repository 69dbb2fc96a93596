#include "admin.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "base64url.h"

namespace referral::rewardd {
namespace {

// A script's {'error', message} reply becomes a CommandError; any other error reply too.
void check(const Reply &r) {
    if (is_error(r.get())) {
        throw CommandError(std::string(text(r.get())));
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 1 && text(r->element[0]) == "error") {
        throw CommandError(std::string(text(r->element[1])));
    }
}

std::string random_event_id() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        throw std::runtime_error("no random bytes for an event id");
    }
    return b64url_encode(std::string_view(reinterpret_cast<const char *>(bytes), sizeof(bytes)));
}

}  // namespace

Admin::Admin(const Config &config, Redis &redis)
    : config_(config), redis_(redis), keys_(config.redis.prefix) {}

void Admin::enroll(const std::string &customer, const std::string &code,
                   const std::string &parent) {
    check(
        scripts_.run(redis_, {Script::kEnroll,
                              {keys_.owner(), keys_.code_of(), keys_.referred_by(), keys_.codes()},
                              {customer, code, parent}}));
}

std::string Admin::refund(const std::string &site, const std::string &order,
                          std::optional<int64_t> amount) {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    Argv argv = {"XADD",
                 keys_.events(),
                 "*",
                 "v",
                 "1",
                 "type",
                 "refund",
                 "id",
                 random_event_id(),
                 "ts",
                 std::to_string(now),
                 "site",
                 site,
                 "order",
                 order};
    if (amount) {
        argv.insert(argv.end(), {"amount", std::to_string(*amount)});
    }
    Reply r = redis_.command(argv);
    check(r);
    return std::string(text(r.get()));
}

std::string Admin::approve(const std::string &site, const std::string &order) {
    Reply r = scripts_.run(redis_, {Script::kApprove,
                                    {keys_.order(site, order), keys_.due(), keys_.ledger()},
                                    {keys_.prefix(), std::to_string(config_.programme.hold_ms)}});
    check(r);
    if (r->elements > 1) {
        return "pending until " + std::string(text(r->element[1]));
    }
    return std::string(text(r->element[0]));
}

std::vector<std::string> Admin::currencies() {
    Reply r = redis_.command({"SMEMBERS", keys_.currencies()});
    check(r);
    std::vector<std::string> out;
    for (size_t i = 0; i < r->elements; ++i) {
        out.emplace_back(text(r->element[i]));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::map<std::string, int64_t> Admin::payout(const std::string &code) {
    ScriptCall call{Script::kPayout, {keys_.ledger()}, {"code:" + code}};
    for (const std::string &currency : currencies()) {
        call.keys.push_back(keys_.balance(currency));
        call.args.push_back(currency);
    }
    Reply r = scripts_.run(redis_, call);
    check(r);
    std::map<std::string, int64_t> paid;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        paid[std::string(text(r->element[i]))] = integer(r->element[i + 1]);
    }
    return paid;
}

std::map<std::string, Buckets> Admin::balance(const std::string &account) {
    std::vector<std::string> names = currencies();
    for (const std::string &currency : names) {
        redis_.append({"HMGET", keys_.balance(currency), account + ":pending",
                       account + ":approved", account + ":paid"});
    }
    std::map<std::string, Buckets> out;
    for (const std::string &currency : names) {
        Reply r = redis_.read_reply();
        check(r);
        Buckets b{integer(r->element[0]), integer(r->element[1]), integer(r->element[2])};
        if (b.pending || b.approved || b.paid) {
            out[currency] = b;
        }
    }
    return out;
}

}  // namespace referral::rewardd
