#include "event_builder.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace referral {
namespace {

const Key &key() {
    static const std::unique_ptr<Keyring> ring =
        Keyring::parse("k1:" + std::string(32, 'a') + std::string(32, 'b') + "\n", nullptr);
    return ring->signer();
}

std::vector<std::pair<std::string, std::string>> fields_of(const EventRecord &record) {
    EventFields fields;
    EXPECT_TRUE(decode_event(record.bytes(), &fields));
    return {fields.begin(), fields.end()};
}

std::string hash_hex(std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    SipHash64::Tag d{};
    EXPECT_TRUE(key().ip_hash.mac(value, &d));
    std::string out;
    for (size_t i = 0; i < d.size(); ++i) {
        out += kHex[d[i] >> 4];
        out += kHex[d[i] & 15];
    }
    return out;
}

EventOrigin origin() {
    EventOrigin o;
    o.id = "AAECAwQFBgcICQoLDA0ODw";
    o.ts_ms = 1795429438123;
    o.site = "shop.example";
    o.code = "alice";
    o.click = "EBESExQVFhcYGRobHB0eHw";
    o.client = std::string_view("\x0a\x00\x00\x01", 4);
    o.user_agent = "curl/8";
    return o;
}

std::map<std::string, std::string> conversion_map(const ConversionValues &v, bool *amount_invalid) {
    auto fields = fields_of(conversion_event(key(), origin(), v, amount_invalid));
    return {fields.begin(), fields.end()};
}

TEST(EventBuilder, ClickFieldsInOrder) {
    EventOrigin o = origin();
    o.source = "tg";
    o.campaign = "spring";
    using Fields = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(fields_of(click_event(key(), o)),
              (Fields{{"v", "1"},
                      {"type", "click"},
                      {"id", "AAECAwQFBgcICQoLDA0ODw"},
                      {"ts", "1795429438123"},
                      {"site", "shop.example"},
                      {"code", "alice"},
                      {"click", "EBESExQVFhcYGRobHB0eHw"},
                      {"ip", hash_hex(std::string_view("\x0a\x00\x00\x01", 4))},
                      {"ua", hash_hex("curl/8")},
                      {"src", "tg"},
                      {"cmp", "spring"}}));
}

TEST(EventBuilder, ConversionFieldsInOrder) {
    ConversionValues v;
    v.first_ts_ms = 1795429000000;
    v.order = "1001";
    v.customer = "carol";
    v.amount = "99.5";
    v.currency = "jpy";
    v.trust_request = true;
    v.status = 201;
    bool amount_invalid = false;
    auto fields = fields_of(conversion_event(key(), origin(), v, &amount_invalid));
    EXPECT_TRUE(amount_invalid);  // JPY has no decimals
    using Fields = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(Fields(fields.begin() + 9, fields.end()), (Fields{{"first_ts", "1795429000000"},
                                                                {"order", "1001"},
                                                                {"customer", "carol"},
                                                                {"currency", "JPY"},
                                                                {"amount_raw", "99.5"},
                                                                {"trust", "request"},
                                                                {"status", "201"}}));
}

TEST(EventBuilder, SignupIsAClickWithTheCustomerAndTrust) {
    EventOrigin o = origin();
    o.source = "tg";
    using Fields = std::vector<std::pair<std::string, std::string>>;
    Fields click = fields_of(click_event(key(), o));
    Fields signup = fields_of(signup_event(key(), o, "bob", false));
    ASSERT_EQ(signup.size(), click.size() + 2);
    for (size_t i = 0; i < click.size(); ++i) {
        EXPECT_EQ(signup[i].first, click[i].first);
        EXPECT_EQ(signup[i].second, i == 1 ? "signup" : click[i].second);
    }
    EXPECT_EQ(Fields(signup.end() - 2, signup.end()),
              (Fields{{"customer", "bob"}, {"trust", "upstream"}}));

    // Outside 0x21-0x7E or over 128 bytes: customer_raw, cut, as a conversion's.
    auto raw = fields_of(signup_event(key(), o, "has space", true));
    std::map<std::string, std::string> fields(raw.begin(), raw.end());
    EXPECT_EQ(fields.count("customer"), 0u);
    EXPECT_EQ(fields["customer_raw"], "has space");
    EXPECT_EQ(fields["trust"], "request");
    const std::string long_id(200, 'c');
    raw = fields_of(signup_event(key(), o, long_id, false));
    fields = {raw.begin(), raw.end()};
    EXPECT_EQ(fields["customer_raw"], std::string(128, 'c'));
}

TEST(EventBuilder, AConversionWithoutCookieHasNoCodeOrClick) {
    EventOrigin o = origin();
    o.code = "";
    o.click = "";
    ConversionValues v;
    v.order = "1001";
    v.customer = "bob";
    v.amount = "10";
    bool amount_invalid = false;
    auto bare = fields_of(conversion_event(key(), o, v, &amount_invalid));
    std::map<std::string, std::string> m(bare.begin(), bare.end());
    EXPECT_EQ(m.count("code"), 0u);
    EXPECT_EQ(m.count("click"), 0u);
    EXPECT_EQ(m.count("first_ts"), 0u);
    EXPECT_EQ(m["customer"], "bob");
}

TEST(EventBuilder, InvalidValuesGoRawAndCut) {
    const std::string order(200, 'o'), amount(100, '9');
    ConversionValues v;
    v.order = order;
    v.customer = "has space";
    v.amount = amount;
    v.currency = "not a currency at all";
    bool amount_invalid = false;
    auto fields = conversion_map(v, &amount_invalid);
    EXPECT_TRUE(amount_invalid);
    EXPECT_EQ(fields.count("order"), 0u);
    EXPECT_EQ(fields["order_raw"], std::string(128, 'o'));
    EXPECT_EQ(fields["customer_raw"], "has space");
    EXPECT_EQ(fields["amount_raw"], std::string(64, '9'));
    EXPECT_EQ(fields["currency_raw"], "not a currency a");
    EXPECT_EQ(fields["trust"], "upstream");
    EXPECT_EQ(fields["status"], "0");
}

TEST(EventBuilder, AmountWithoutCurrencyHasTwoDecimals) {
    ConversionValues v;
    v.amount = "12.3";
    bool amount_invalid = true;
    auto fields = conversion_map(v, &amount_invalid);
    EXPECT_FALSE(amount_invalid);
    EXPECT_EQ(fields["amount"], "1230");
    EXPECT_EQ(fields.count("currency"), 0u);
    EXPECT_EQ(fields.count("order"), 0u);  // empty values are not sent
    EXPECT_EQ(fields.count("order_raw"), 0u);
}

TEST(EventBuilder, Refund) {
    using Fields = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(fields_of(refund_event("r1", 5, "shop", "1001", 250)), (Fields{{"v", "1"},
                                                                             {"type", "refund"},
                                                                             {"id", "r1"},
                                                                             {"ts", "5"},
                                                                             {"site", "shop"},
                                                                             {"order", "1001"},
                                                                             {"amount", "250"}}));
    EXPECT_EQ(fields_of(refund_event("r1", 5, "shop", "1001", std::nullopt)).size(), 6u);
}

TEST(EventBuilder, EventIdIsBase64urlOfTheBytes) {
    uint8_t bytes[kEventIdBytes] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    EXPECT_EQ(make_event_id(bytes).view(), "AAECAwQFBgcICQoLDA0ODw");
}

}  // namespace
}  // namespace referral
