#include "payout_file.h"

#include "amounts.h"

namespace referral::rewardd {
namespace {

// RFC 4180 quoting, only where a field needs it.
std::string field(const std::string &value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        return value;
    }
    std::string out = "\"";
    for (char c : value) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

void row(std::string &out, std::initializer_list<std::string> fields) {
    bool first = true;
    for (const std::string &f : fields) {
        out += first ? "" : ",";
        out += field(f);
        first = false;
    }
    out += "\r\n";
}

std::string major(const PayoutLine &line) {
    return format_minor(line.amount, currency_exponent_or_points(line.currency));
}

}  // namespace

std::optional<PayoutFormat> parse_payout_format(std::string_view name) {
    if (name == "csv") {
        return PayoutFormat::kCsv;
    }
    if (name == "paypal") {
        return PayoutFormat::kPayPal;
    }
    if (name == "wise") {
        return PayoutFormat::kWise;
    }
    return std::nullopt;
}

std::string missing_details(PayoutFormat format, const std::string &code, const std::string &email,
                            const std::string &payout_id) {
    if (format == PayoutFormat::kPayPal && email.empty() && payout_id.empty()) {
        return "payee " + code + " has neither --email nor --payout-id, one of which PayPal needs";
    }
    if (format == PayoutFormat::kWise && email.empty()) {
        return "payee " + code + " has no --email, which Wise needs";
    }
    return "";
}

std::string render_payout_file(PayoutFormat format, const std::string &batch,
                               const std::vector<PayoutLine> &lines) {
    std::string out;
    switch (format) {
        case PayoutFormat::kCsv:
            row(out, {"batch", "code", "customer", "email", "payout_id", "currency", "amount"});
            for (const PayoutLine &l : lines) {
                row(out, {batch, l.code, l.customer, l.email, l.payout_id, l.currency, major(l)});
            }
            break;
        case PayoutFormat::kPayPal:
            // Payouts Web takes no header row: recipient (PayPal PayerID or email), amount,
            // currency, customer id (PayPal's reference for the line), note to the recipient.
            for (const PayoutLine &l : lines) {
                row(out, {l.payout_id.empty() ? l.email : l.payout_id, major(l), l.currency, l.code,
                          "Referral rewards, payout " + batch});
            }
            break;
        case PayoutFormat::kWise:
            // The "send by email" batch template: Wise asks each recipient for their bank
            // details; amountCurrency "target" makes the recipient get the amount exactly.
            row(out, {"name", "recipientEmail", "paymentReference", "receiverType",
                      "amountCurrency", "amount", "sourceCurrency", "targetCurrency"});
            for (const PayoutLine &l : lines) {
                row(out, {l.customer, l.email, batch, "PERSON", "target", major(l), l.currency,
                          l.currency});
            }
            break;
    }
    return out;
}

}  // namespace referral::rewardd
