#include "payout_batch.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>

#include "admin.h"
#include "amounts.h"
#include "money.h"
#include "script_calls.h"

namespace referral::rewardd {
namespace {

std::map<std::string, std::string> hgetall(Redis &redis, const std::string &key) {
    Reply r = redis.command({"HGETALL", key});
    if (is_error(r.get())) {
        throw CommandError(std::string(text(r.get())));
    }
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        out.emplace(text(r->element[i]), text(r->element[i + 1]));
    }
    return out;
}

std::vector<std::string> sorted_members(Redis &redis, const std::string &key) {
    Reply r = redis.command({"SMEMBERS", key});
    if (is_error(r.get())) {
        throw CommandError(std::string(text(r.get())));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < r->elements; ++i) {
        out.emplace_back(text(r->element[i]));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The batch's lines from its record: "paid:<code>" = "<currency> <amount> ...", and the
// payee's details beside it.
std::vector<PayoutLine> lines_of(const std::map<std::string, std::string> &record) {
    std::vector<PayoutLine> lines;
    static const std::string kPaid = "paid:";
    for (const auto &[name, value] : record) {
        if (name.compare(0, kPaid.size(), kPaid) != 0) {
            continue;
        }
        std::string code = name.substr(kPaid.size());
        auto detail = [&](const char *what) {
            auto it = record.find(what + (":" + code));
            return it == record.end() ? std::string() : it->second;
        };
        std::istringstream in(value);
        PayoutLine line{code, detail("customer"), detail("email"), detail("payout_id"), "", 0};
        while (in >> line.currency >> line.amount) {
            lines.push_back(line);
        }
    }
    // std::map already orders by code, and each record lists currencies in order.
    return lines;
}

void check_reply(const Reply &r) {
    if (is_error(r.get())) {
        throw CommandError(std::string(text(r.get())));
    }
}

}  // namespace

std::string new_batch_id() {
    time_t now = time(nullptr);
    struct tm tm {};
    gmtime_r(&now, &tm);
    char buf[32];
    return std::string(buf, strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm));
}

PayoutBatch run_payout_batch(Redis &redis, Scripts &scripts, const Keys &keys,
                             const std::string &id, const std::string &minimum,
                             PayoutFormat format) {
    PayoutBatch batch;
    batch.id = id;
    const std::string batch_key = keys.payout_batch(id);
    std::map<std::string, std::string> record = hgetall(redis, batch_key);
    if (record.count("complete")) {
        batch.minimum = record["min"];
        batch.repeated = true;
        batch.lines = lines_of(record);
        return batch;
    }
    // A batch cut short goes on with the minimum it started with.
    batch.minimum = record.count("min") ? record["min"] : (minimum.empty() ? "0" : minimum);

    PayoutBatchCall call;
    call.ledger = keys.ledger();
    call.batch = batch_key;
    call.batch_id = id;
    for (const std::string &currency : sorted_members(redis, keys.currencies())) {
        if (currency == kPointsCurrency) {
            continue;  // points are no money to pay out
        }
        int64_t minor = 0;
        if (!parse_amount(batch.minimum, currency_exponent(currency), &minor)) {
            throw CommandError("--min " + batch.minimum + " is not an amount in " + currency);
        }
        call.balances.push_back(keys.balance(currency));
        call.minimums.push_back(currency + " " + std::to_string(minor));
    }
    std::vector<std::string> payees = sorted_members(redis, keys.payees());
    for (const std::string &code :
         format == PayoutFormat::kCsv ? std::vector<std::string>{} : payees) {
        Reply r = redis.command({"HMGET", keys.payee(code), "email", "payout_id"});
        check_reply(r);
        std::string why = missing_details(format, code, std::string(text(r->element[0])),
                                          std::string(text(r->element[1])));
        if (!why.empty()) {
            throw CommandError(why);
        }
    }
    check_reply(redis.command({"HSETNX", batch_key, "min", batch.minimum}));
    for (const std::string &code : payees) {
        call.code = code;
        call.payee = keys.payee(code);
        check_reply(scripts.run(redis, call.to_call()));
    }
    check_reply(redis.command({"HSET", batch_key, "complete", "1"}));
    batch.lines = lines_of(hgetall(redis, batch_key));
    return batch;
}

}  // namespace referral::rewardd
