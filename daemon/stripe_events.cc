#include "stripe_events.h"

#include <algorithm>
#include <cctype>

#include "hook_json.h"

namespace referral::rewardd {
namespace {

constexpr std::string_view kMetadataPrefix = "metadata.";

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

HookMessage ignored(std::string why) {
    HookMessage m;
    m.ignored = std::move(why);
    return m;
}

void add(HookMessage &m, const char *name, std::string value) {
    if (!value.empty()) {
        m.fields.emplace_back(name, std::move(value));
    }
}

// Stripe's `created` (seconds) as the event's ts; absent when it is not a plain number.
std::string created_ms(const Json &event) {
    const Json &created = member(event, "created");
    if (!created.is_number_unsigned() || created.get<uint64_t>() > 100'000'000'000ULL) {
        return "";
    }
    return std::to_string(created.get<uint64_t>() * 1000);
}

std::string metadata_order(const Json &object, const StripeConfig &stripe) {
    std::string key = stripe.order_id.substr(kMetadataPrefix.size());
    return scalar(member(member(object, "metadata"), key));
}

// A promotion code's customer-facing code, when the session's discounts carry it expanded
// (an unexpanded one is only Stripe's promo_... id, which is nobody's referral code).
std::string promotion_code(const Json &session) {
    const Json &discounts = member(session, "discounts");
    if (!discounts.is_array()) {
        return "";
    }
    for (const Json &d : discounts) {
        std::string code = scalar(member(member(d, "promotion_code"), "code"));
        if (!code.empty()) {
            return code;
        }
    }
    return "";
}

HookMessage confirmation(const Json &object, std::string order, std::string_view amount_key,
                         const StripeConfig &stripe) {
    if (order.empty()) {
        return ignored("no order id (" + stripe.order_id + ") in the payment");
    }
    HookMessage m;
    m.type = EventType::confirm;
    add(m, "site", stripe.site);
    add(m, "order", std::move(order));
    add(m, "amount", scalar(member(object, amount_key)));
    add(m, "currency", upper(scalar(member(object, "currency"))));
    add(m, "customer", id_of(member(object, "customer")));
    m.payment = id_of(member(object, "payment_intent"));
    return m;
}

HookMessage checkout_completed(const Json &session, const StripeConfig &stripe) {
    std::string status = scalar(member(session, "payment_status"));
    if (status != "paid" && status != "no_payment_required") {
        // Delayed payment methods: checkout.session.async_payment_succeeded confirms later.
        return ignored("payment_status " + status);
    }
    std::string order = stripe.order_id == "session" ? id_of(session)
                        : stripe.order_id == "client_reference_id"
                            ? scalar(member(session, "client_reference_id"))
                            : metadata_order(session, stripe);
    HookMessage m = confirmation(session, std::move(order), "amount_total", stripe);
    add(m, "coupon", promotion_code(session));
    return m;
}

HookMessage payment_succeeded(const Json &intent, const StripeConfig &stripe) {
    if (stripe.order_id.rfind(kMetadataPrefix, 0) != 0) {
        // Only metadata ties a payment intent to an order; the session's event confirms it.
        return ignored("order_id is " + stripe.order_id + ": the checkout session confirms");
    }
    HookMessage m = confirmation(intent, metadata_order(intent, stripe), "amount_received", stripe);
    // The intent is its own payment: its refunds find the order through it.
    m.payment = id_of(intent);
    return m;
}

HookMessage by_payment(const Json &object, EventType type, const StripeConfig &stripe) {
    std::string payment = id_of(member(object, "payment_intent"));
    if (payment.empty()) {
        return ignored("no payment_intent");
    }
    HookMessage m;
    m.type = type;
    m.payment = std::move(payment);
    m.find_order = true;
    add(m, "site", stripe.site);
    return m;
}

HookMessage renewal(const Json &invoice, const StripeConfig &stripe) {
    std::string reason = scalar(member(invoice, "billing_reason"));
    if (reason != "subscription_cycle") {
        // subscription_create is the first payment, which its checkout confirms.
        return ignored("billing_reason " + reason);
    }
    HookMessage m;
    m.type = EventType::renewal;
    add(m, "site", stripe.site);
    add(m, "order", id_of(invoice));
    add(m, "amount", scalar(member(invoice, "amount_paid")));
    add(m, "currency", upper(scalar(member(invoice, "currency"))));
    add(m, "customer", id_of(member(invoice, "customer")));
    m.payment = id_of(member(invoice, "payment_intent"));
    return m;
}

}  // namespace

std::optional<HookMessage> read_stripe_event(std::string_view body, const StripeConfig &stripe) {
    Json event = parse_hook_json(body);
    std::string id = scalar(member(event, "id"));
    std::string type = scalar(member(event, "type"));
    if (!event.is_object() || id.empty() || type.empty()) {
        return std::nullopt;
    }
    const Json &object = member(member(event, "data"), "object");
    bool handled = type == "checkout.session.completed" ||
                   type == "checkout.session.async_payment_succeeded" ||
                   type == "payment_intent.succeeded" || type == "charge.refunded" ||
                   type == "charge.dispute.created" || type == "invoice.paid";
    if (!handled) {
        HookMessage m = ignored("type " + type);
        m.id = "stripe:" + id;
        return m;
    }
    if (!object.is_object()) {
        return std::nullopt;
    }
    HookMessage m;
    if (type == "payment_intent.succeeded") {
        m = payment_succeeded(object, stripe);
    } else if (type == "charge.refunded") {
        m = by_payment(object, EventType::refund, stripe);
        m.refunded_total = scalar(member(object, "amount_refunded"));
    } else if (type == "charge.dispute.created") {
        m = by_payment(object, EventType::refund, stripe);  // the whole order
    } else if (type == "invoice.paid") {
        m = renewal(object, stripe);
    } else {
        m = checkout_completed(object, stripe);
    }
    m.id = "stripe:" + id;
    add(m, "ts", created_ms(event));
    return m;
}

}  // namespace referral::rewardd
