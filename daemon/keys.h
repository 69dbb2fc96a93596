// Redis key names, all under the configured prefix (a Cluster hash tag, "{referral}" by
// default), so every script's keys live in one slot. docs/rewards.md lists them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace referral::rewardd {

class Keys {
  public:
    explicit Keys(std::string prefix);

    const std::string &prefix() const { return prefix_; }
    const std::string &events() const { return events_; }
    const std::string &ledger() const { return ledger_; }
    const std::string &rejected() const { return rejected_; }
    const std::string &owner() const { return owner_; }
    const std::string &code_of() const { return code_of_; }
    const std::string &referred_by() const { return referred_by_; }
    const std::string &codes() const { return codes_; }
    const std::string &buyers() const { return buyers_; }
    const std::string &currencies() const { return currencies_; }
    const std::string &due() const { return due_; }
    const std::string &held_expiry() const { return held_expiry_; }
    // customer → "<code> <ts>" of the conversion that made them a referred customer, for renewals
    const std::string &first_conversion() const { return first_conversion_; }
    // customer → when a signup bound them to the code in referred_by (unix ms)
    const std::string &bound_at() const { return bound_at_; }

    // An event's own seen flag: for events whose time may not be their own (docs/rewards.md).
    std::string seen(std::string_view event_id) const { return key("seen:", event_id); }
    // The seen flags of the events of one hour of their own ts, a field each.
    std::string seen_in_hour(int64_t ts_ms) const;
    std::string balance(std::string_view currency) const { return key("balance:", currency); }
    std::string stats(std::string_view code) const { return key("stats:", code); }
    std::string payee(std::string_view code) const { return key("payee:", code); }
    std::string payees() const { return key("payees"); }
    std::string webhooks_dead() const { return key("webhooks:dead"); }
    std::string payout_batch(std::string_view id) const { return key("payout:batch:", id); }
    // The order's id is hashed: it is outside input of up to 128 bytes.
    std::string order(std::string_view site, std::string_view order_id) const;
    // A conversion held for approval (trust=request), until approved, rejected or expired.
    std::string held(std::string_view site, std::string_view order_id) const;
    // A provider's confirmation that came before the order's conversion.
    std::string confirmed(std::string_view site, std::string_view order_id) const;

    // A hook message taken (by its id), and what Stripe's messages refer to each other by.
    std::string hooked(std::string_view message_id) const { return key("hooked:", message_id); }
    std::string stripe_order(std::string_view payment) const {
        return key("stripe:order:", payment);
    }
    std::string stripe_refunded(std::string_view payment) const {
        return key("stripe:refunded:", payment);
    }

    // Counters of one UTC period, named after the period of the event's time.
    std::string clicks_in_hour(int64_t ts_ms) const;
    std::string conversions_on_day(int64_t ts_ms) const;
    std::string signups_in_hour(int64_t ts_ms) const;  // by ip
    std::string signups_on_day(int64_t ts_ms) const;   // by code
    std::string rewards_in_month(int64_t ts_ms) const;
    // Per-day counters of the dashboard (docs/rewards.md, Per-day counters).
    std::string daily(int64_t ts_ms) const;

  private:
    std::string key(std::string_view name, std::string_view suffix = {}) const;
    std::string per_order(std::string_view name, std::string_view site,
                          std::string_view order_id) const;
    std::string prefix_;
    // The keys every event names, made once.
    std::string events_, ledger_, rejected_, owner_, code_of_, referred_by_, codes_, buyers_,
        currencies_, due_, held_expiry_, first_conversion_, bound_at_;
};

}  // namespace referral::rewardd
