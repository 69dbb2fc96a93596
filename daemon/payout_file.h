// A payout batch as the file a payment provider's mass-payout upload takes (docs/rewards.md,
// Payout batches): PayPal Payouts Web CSV, Wise's "send by email" batch CSV, or a plain CSV.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace referral::rewardd {

enum class PayoutFormat { kCsv, kPayPal, kWise };

std::optional<PayoutFormat> parse_payout_format(std::string_view name);

// One payee paid in one currency, with the payee's details as the batch recorded them.
struct PayoutLine {
    std::string code, customer, email, payout_id, currency;
    int64_t amount = 0;  // minor units
};

// "" when the payee's details are enough for the format's recipient column, otherwise why not.
std::string missing_details(PayoutFormat format, const std::string &code, const std::string &email,
                            const std::string &payout_id);

std::string render_payout_file(PayoutFormat format, const std::string &batch,
                               const std::vector<PayoutLine> &lines);

}  // namespace referral::rewardd
