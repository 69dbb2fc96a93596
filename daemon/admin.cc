#include "admin.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "event_builder.h"
#include "script_calls.h"

namespace referral::rewardd {
namespace {

// A script's {'error', message} reply becomes a CommandError; any other error reply too.
void check(const Reply &r) {
    if (is_error(r.get())) {
        throw CommandError(std::string(text(r.get())));
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 1 &&
        text(r->element[0]) == script_status::kError) {
        throw CommandError(std::string(text(r->element[1])));
    }
}

EventId random_event_id() {
    uint8_t bytes[kEventIdBytes];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        throw std::runtime_error("no random bytes for an event id");
    }
    return make_event_id(bytes);
}

}  // namespace

Admin::Admin(const Config &config, Redis &redis)
    : config_(config), redis_(redis), keys_(config.redis.prefix) {}

void Admin::enroll(const std::string &customer, const std::string &code,
                   const std::string &parent) {
    EnrollCall call;
    call.owner = keys_.owner();
    call.code_of = keys_.code_of();
    call.referred_by = keys_.referred_by();
    call.codes = keys_.codes();
    call.customer = customer;
    call.code = code;
    call.parent = parent;
    check(scripts_.run(redis_, call.to_call()));
}

std::string Admin::refund(const std::string &site, const std::string &order,
                          std::optional<int64_t> amount) {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    EventRecord event = refund_event(random_event_id().view(), now, site, order, amount);
    EventFields fields;
    decode_event(event.bytes(), &fields);
    Argv argv = {"XADD", keys_.events(), "*"};
    for (const auto &[name, value] : fields) {
        argv.emplace_back(name);
        argv.emplace_back(value);
    }
    Reply r = redis_.command(argv);
    check(r);
    return std::string(text(r.get()));
}

std::string Admin::approve(const std::string &site, const std::string &order) {
    ApproveCall call;
    call.order_key = keys_.order(site, order);
    call.due = keys_.due();
    call.ledger = keys_.ledger();
    call.prefix = keys_.prefix();
    call.hold_ms = config_.programme.hold_ms;
    Reply r = scripts_.run(redis_, call.to_call());
    check(r);
    if (text(r->element[0]) == script_status::kPending) {
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
    PayoutCall call;
    call.ledger = keys_.ledger();
    call.account = "code:" + code;
    call.currencies = currencies();
    for (const std::string &currency : call.currencies) {
        call.balances.push_back(keys_.balance(currency));
    }
    Reply r = scripts_.run(redis_, call.to_call());
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
