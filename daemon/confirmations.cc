// Applier's plans for what payment providers and shops report: confirmations and renewals
// (docs/rewards.md, Payment providers).
#include <algorithm>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <variant>

#include <spdlog/spdlog.h>

#include "amounts.h"
#include "applier.h"

namespace referral::rewardd {
namespace {

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// ts_ms plus `months` calendar months in UTC; the 31st of a shorter month is its last day.
int64_t add_months(int64_t ts_ms, int64_t months) {
    constexpr int64_t kDayMs = 86400 * 1000;
    time_t seconds = static_cast<time_t>(ts_ms / 1000);
    struct tm tm {};
    gmtime_r(&seconds, &tm);
    int64_t index = (tm.tm_year + 1900) * 12 + tm.tm_mon + months;
    int64_t y = index / 12, m = index % 12 + 1;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t last = kDays[m - 1] + (m == 2 && leap(y));
    int64_t d = std::min<int64_t>(tm.tm_mday, last);
    return days_from_civil(y, m, d) * kDayMs + ts_ms % kDayMs;
}

// A hash read with HGETALL as event fields viewing the reply, without `skip`.
Fields hash_fields(const redisReply *r, std::initializer_list<std::string_view> skip) {
    Fields fields;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        std::string_view name = text(r->element[i]);
        if (std::find(skip.begin(), skip.end(), name) == skip.end()) {
            fields.emplace_back(name, text(r->element[i + 1]));
        }
    }
    return fields;
}

}  // namespace

std::vector<ScriptCall> Applier::confirm_calls(Redis &redis, std::string_view entry,
                                               std::string_view event_id, const Confirm &c,
                                               const Fields &event_fields, int64_t now_ms) const {
    Reply held = redis.command({"HGETALL", keys_.held(c.site, c.order)});
    if (is_error(held.get())) {
        throw std::runtime_error("HGETALL: " + std::string(text(held.get())));
    }
    Fields fields =
        hash_fields(held.get(), {"entry", "expires", "bound", field_name(EventField::trust)});
    // Attributed through the customer's binding when held: settled by the binding's rules, as
    // `approve` does, unless a coupon names the referrer instead.
    bool bound = false;
    for (const auto &[name, value] : hash_fields(held.get(), {})) {
        bound = bound || (name == "bound" && value == "1");
    }
    std::string_view held_id = field(fields, EventField::id);
    // The confirmation's own ts, if it came with one, on every path (Applier::reject_call).
    std::optional<int64_t> seen_ts = c.own_ts ? std::optional(c.ts) : std::nullopt;
    const CouponAttribution attribution = config_.programme.coupon_attribution;
    bool coupon_only =
        held_id.empty() && !c.coupon.empty() && attribution != CouponAttribution::kOff;
    if (held_id.empty() && !coupon_only) {
        Reply settled = redis.command({"HGET", keys_.order(c.site, c.order), "id"});
        if (settled->type == REDIS_REPLY_STRING) {
            return {reject_call(entry, event_id,
                                Rejection{"already_settled", std::string(text(settled.get()))},
                                c.ts, seen_ts)};
        }
        ConfirmCall call;
        call.header = header(entry, event_id, c.ts, seen_ts);
        call.confirmed = keys_.confirmed(c.site, c.order);
        call.ttl_ms = config_.programme.held_ttl_ms;
        for (const auto &[name, value] : event_fields) {
            call.fields.emplace_back(name, value);
        }
        return {call.to_call()};
    }
    std::string ts = std::to_string(c.ts);
    if (coupon_only) {
        // Nobody's link brought this purchase: the coupon's owner did.
        fields = {{field_name(EventField::type), type_name(EventType::conversion)},
                  {field_name(EventField::id), event_id},
                  {field_name(EventField::site), c.site},
                  {field_name(EventField::order), c.order},
                  {field_name(EventField::ts), ts},
                  {field_name(EventField::first_ts), ts}};
    } else if (!c.coupon.empty() && attribution == CouponAttribution::kOverride) {
        set_field(fields, EventField::code, c.coupon);
        bound = false;
    }
    // The provider's amount and currency, not the visitor's.
    set_field(fields, EventField::amount, field(event_fields, EventField::amount));
    set_field(fields, EventField::currency, c.currency);
    if (field(fields, EventField::code).empty()) {
        set_field(fields, EventField::code, c.coupon);
    }
    if (field(fields, EventField::customer).empty() && !c.customer.empty()) {
        set_field(fields, EventField::customer, c.customer);
    }
    std::string bound_code, bound_ts;
    Plan plan =
        bound ? plan_bound_purchase(
                    redis,
                    BoundPurchase{field(fields, EventField::customer),
                                  parse_minor_units(field(fields, EventField::ts)).value_or(0)},
                    fields, bound_code, bound_ts, now_ms)
              : plan_event(config_.programme, fields, now_ms);
    auto *conversion = std::get_if<Conversion>(&plan);
    if (!conversion) {
        Rejection rejection = std::get_if<Rejection>(&plan) ? std::get<Rejection>(plan)
                                                            : Rejection{"internal_error", ""};
        std::vector<ScriptCall> calls;
        if (!held_id.empty()) {
            calls.push_back(
                drop_held_call(c.site, c.order, held_id, rejection.reason, rejection.detail));
            // Dropping it noted the conversion as rejected in the ledger: once is enough.
            rejection.conversion.reset();
        }
        calls.push_back(reject_call(entry, event_id, rejection, c.ts, seen_ts));
        return calls;
    }
    if (conversion->state == "pending" && conversion->due_ms <= now_ms) {
        conversion->state = "approved";  // its payout hold ended while it waited
        conversion->due_ms = 0;
    }
    std::string_view id = coupon_only ? event_id : held_id;
    ConversionCall call = conversion_call(entry, id, *conversion);
    // Counted on the conversion's day, as an approval is.
    call.header = header(entry, event_id, conversion->ts, seen_ts);
    call.approval = !coupon_only;
    if (c.customer != conversion->customer) {
        call.alias = c.customer;
    }
    spdlog::debug("entry {}: confirmation of order {} at {}: {} {} for code {}", entry, c.order,
                  c.site, c.amount, c.currency, conversion->code);
    return {call.to_call()};
}

ScriptCall Applier::renewal_call(Redis &redis, std::string_view entry, std::string_view event_id,
                                 const Renewal &r, int64_t now_ms) const {
    Reply first = redis.command({"HGET", keys_.first_conversion(), std::string(r.customer)});
    if (is_error(first.get())) {
        throw std::runtime_error("HGET: " + std::string(text(first.get())));
    }
    std::string_view record = text(first.get());
    size_t space = record.find(' ');
    if (first->type != REDIS_REPLY_STRING || space == std::string_view::npos) {
        return reject_call(entry, event_id, Rejection{"not_referred", std::string(r.customer)},
                           r.ts, r.ts);
    }
    std::string code(record.substr(0, space));
    int64_t since = parse_minor_units(record.substr(space + 1)).value_or(0);
    int64_t until = add_months(since, config_.programme.recurring_months);
    if (r.ts > until) {
        return reject_call(
            entry, event_id,
            Rejection{"recurring_period_over", "first conversion " + std::to_string(since) +
                                                   ", paid until " + std::to_string(until)},
            r.ts, r.ts);
    }
    std::string ts = std::to_string(r.ts), amount = std::to_string(r.amount);
    Fields fields = {{field_name(EventField::type), type_name(EventType::conversion)},
                     {field_name(EventField::id), event_id},
                     {field_name(EventField::site), r.site},
                     {field_name(EventField::order), r.order},
                     {field_name(EventField::code), code},
                     {field_name(EventField::customer), r.customer},
                     {field_name(EventField::amount), amount},
                     {field_name(EventField::currency), r.currency},
                     {field_name(EventField::ts), ts},
                     // the attribution window is the first conversion's; renewals have
                     // recurring_months
                     {field_name(EventField::first_ts), ts}};
    Plan plan = plan_event(config_.programme, fields, now_ms);
    auto *conversion = std::get_if<Conversion>(&plan);
    if (!conversion) {
        const auto *rejection = std::get_if<Rejection>(&plan);
        return reject_call(entry, event_id,
                           rejection ? *rejection : Rejection{"internal_error", ""}, r.ts, r.ts);
    }
    ConversionCall call = conversion_call(entry, event_id, *conversion);
    call.renewal = true;
    return call.to_call();
}

}  // namespace referral::rewardd
