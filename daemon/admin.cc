#include "admin.h"

#include <openssl/rand.h>

#include <algorithm>

#include "amounts.h"
#include "event_builder.h"
#include "script_calls.h"
#include "wall_clock.h"

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
    : config_(config), redis_(redis), keys_(config.redis.prefix), applier_(config_, keys_) {}

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
    EventRecord event = refund_event(random_event_id().view(), now_ms(), site, order, amount);
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

std::optional<Admin::HeldRecord> Admin::read_held(const std::string &site,
                                                  const std::string &order) {
    HeldRecord held;
    held.reply = redis_.command({"HGETALL", keys_.held(site, order)});
    check(held.reply);
    const redisReply *r = held.reply.get();
    if (r->elements == 0) {
        return std::nullopt;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]), value = text(r->element[i + 1]);
        if (name == "entry") {
            held.entry = value;
        } else if (name == "bound") {
            held.bound = value == "1";
        } else if (name != field_name(EventField::trust) && name != "expires") {
            held.fields.emplace_back(name, value);
        }
    }
    held.shown.code = field(held.fields, EventField::code);
    held.shown.customer = field(held.fields, EventField::customer);
    held.shown.currency = field(held.fields, EventField::currency);
    held.shown.amount = parse_minor_units(field(held.fields, EventField::amount)).value_or(0);
    return held;
}

void Admin::drop_held(const std::string &site, const std::string &order, std::string_view id,
                      const std::string &reason, const std::string &detail) {
    check(scripts_.run(redis_, applier_.drop_held_call(site, order, id, reason, detail)));
}

Approval Admin::approve(const std::string &site, const std::string &order) {
    std::optional<HeldRecord> held = read_held(site, order);
    if (!held) {
        return Approval{std::nullopt, approve_earlier(site, order), true};
    }
    Approval approval{held->shown, "", false};
    std::string_view id = field(held->fields, EventField::id);
    int64_t now = now_ms();
    // A purchase the customer's binding attributed meets the binding's rules again (the
    // customer_window, pay_on), as one arriving now would.
    std::string code, ts;
    Plan plan =
        held->bound
            ? applier_.plan_bound_purchase(
                  redis_,
                  BoundPurchase{held->shown.customer,
                                parse_minor_units(field(held->fields, EventField::ts)).value_or(0)},
                  held->fields, code, ts, now)
            : plan_event(config_.programme, held->fields, now);
    auto *c = std::get_if<Conversion>(&plan);
    if (!c) {
        // The programme has changed since (a minimum order, a window, a currency).
        const auto *rejection = std::get_if<Rejection>(&plan);
        std::string reason = rejection ? rejection->reason : "internal_error";
        drop_held(site, order, id, reason, rejection ? rejection->detail : "");
        approval.outcome = "rejected: " + reason;
        return approval;
    }
    if (c->state == "pending" && c->due_ms <= now) {
        c->state = "approved";  // its hold ended while it waited
        c->due_ms = 0;
    }
    Reply r = scripts_.run(redis_, applier_.approval_call(held->entry, id, *c));
    check(r);
    std::string_view status = text(r->element[0]);
    if (status == script_status::kApplied) {
        approval.applied = true;
        approval.outcome =
            c->state == "approved" ? "approved" : "pending until " + std::to_string(c->due_ms);
    } else {
        approval.outcome = std::string(status);
        if (r->elements > 1) {
            approval.outcome += ": " + std::string(text(r->element[1]));
        }
    }
    return approval;
}

HeldConversion Admin::reject(const std::string &site, const std::string &order,
                             const std::string &reason) {
    std::optional<HeldRecord> held = read_held(site, order);
    if (!held) {
        throw CommandError("no conversion is held for order " + order + " at " + site);
    }
    drop_held(site, order, field(held->fields, EventField::id), "held_rejected", reason);
    return held->shown;
}

std::string Admin::approve_earlier(const std::string &site, const std::string &order) {
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
