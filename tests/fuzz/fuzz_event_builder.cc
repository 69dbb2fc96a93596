// A conversion's values as a shop's response can carry them, and a signup's customer: the records
// built from them always decode, and every value either follows its field's syntax or went, cut,
// as the _raw field.
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "event_builder.h"
#include "event_schema.h"
#include "money.h"

namespace {

const referral::Key &key() {
    static const std::unique_ptr<referral::Keyring> ring = referral::Keyring::parse(
        "k1:" + std::string(32, 'a') + std::string(32, 'b') + "\n", nullptr);
    return ring->signer();
}

bool digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void check_fields(const referral::EventRecord &record, bool amount_invalid) {
    referral::EventFields fields;
    check(referral::decode_event(record.bytes(), &fields));
    using referral::EventField;
    for (const auto &[name, value] : fields) {
        if (name == field_name(EventField::order) || name == field_name(EventField::customer)) {
            check(referral::valid_id(value));
        } else if (name == field_name(EventField::order_raw) ||
                   name == field_name(EventField::customer_raw)) {
            check(!value.empty() && value.size() <= referral::kMaxIdLength);
        } else if (name == field_name(EventField::amount)) {
            check(digits(value) && !amount_invalid);
        } else if (name == field_name(EventField::amount_raw)) {
            check(amount_invalid && value.size() <= referral::kMaxAmountRawLength);
        } else if (name == field_name(EventField::currency)) {
            check(referral::currency_exponent(value) >= 0);
        } else if (name == field_name(EventField::currency_raw)) {
            check(value.size() <= referral::kMaxCurrencyRawLength);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // order, customer, amount and currency: the input split at NUL bytes.
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::string_view parts[4];
    for (std::string_view &part : parts) {
        size_t end = input.find('\0');
        part = input.substr(0, end);
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    }
    referral::ConversionValues values;
    values.order = parts[0];
    values.customer = parts[1];
    values.amount = parts[2];
    values.currency = parts[3];
    referral::EventOrigin origin;
    origin.id = "AAECAwQFBgcICQoLDA0ODw";
    origin.code = "alice";
    bool amount_invalid = false;
    referral::EventRecord record =
        referral::conversion_event(key(), origin, values, &amount_invalid);

    check_fields(record, amount_invalid);
    check_fields(referral::signup_event(key(), origin, values.customer, false), false);
    return 0;
}
