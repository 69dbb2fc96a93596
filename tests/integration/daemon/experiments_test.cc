// Experiments and programme economics: two [[variant]]s split codes by a hash of the code, the
// same way after a restart; the ledger carries each reward's variant; `report` adds up exactly
// what the ledger and the events stream say, per variant, per code and per channel.
#include <openssl/sha.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 10

[friend]
fixed = "1.00"

[signup]
referrer = { fixed = "0.50" }

[[variant]]
name = "low"
share = 50

[[variant]]
name = "high"
share = 50
referrer = { percent = 20 }
)";

// Independently of the daemon: SHA-256 of the code, first 8 bytes big-endian, mod 10000,
// against the cumulative shares (low: 0-4999, high: 5000-9999).
std::string variant_of(const std::string &code) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(code.data()), code.size(), digest);
    uint64_t head = 0;
    for (int i = 0; i < 8; ++i) {
        head = (head << 8) | digest[i];
    }
    return head % 10000 < 5000 ? "low" : "high";
}

int64_t amount(const Entry &e) {
    return std::stoll(e.at("amount"));
}

struct Expected {
    int64_t clicks = 0, signups = 0, conversions = 0, buyers = 0;
    int64_t revenue = 0, refunded = 0, cost = 0;
};

class ExperimentsTest : public RewarddTest {
  protected:
    Event sale(const std::string &id, const std::string &code, int64_t amount,
               const std::string &customer, const std::string &source) {
        Event e = conversion(id, code, "o-" + id, amount, customer);
        sent_.push_back(e);
        return with(e, "src", source);
    }

    // A registration as the module writes it (docs/design.md#event-schema).
    Event signup(const std::string &id, const std::string &code, const std::string &customer,
                 const std::string &source = "") {
        ++signups_[code];
        Event e = {{"v", "1"},
                   {"type", "signup"},
                   {"id", id},
                   {"ts", std::to_string(now_ms())},
                   {"site", "shop"},
                   {"code", code},
                   {"click", "c-" + id},
                   {"ip", "ip-" + id},
                   {"customer", customer},
                   {"trust", "upstream"}};
        if (!source.empty()) {
            e.emplace_back("src", source);
        }
        return e;
    }

    Event visit(const std::string &id, const std::string &code, const std::string &source) {
        ++clicks_[code];
        return click(id, code, "ip-" + id, source);
    }

    // What the report must say of a group of codes, from the events sent and the ledger.
    Expected expected(const std::function<bool(const std::string &code)> &in) {
        Expected x;
        std::set<std::string> customers;
        for (const Event &e : sent_) {
            std::map<std::string, std::string> f(e.begin(), e.end());
            bool first = !f.count("customer") || customers.insert(f["customer"]).second;
            if (!in(f["code"])) {
                continue;
            }
            ++x.conversions;
            x.revenue += std::stoll(f["amount"]);
            x.buyers += first;
        }
        for (const auto &[code, n] : clicks_) {
            x.clicks += in(code) ? n : 0;
        }
        for (const auto &[code, n] : signups_) {
            x.signups += in(code) ? n : 0;
        }
        for (const Entry &e : ledger()) {
            if (!in(e.at("code"))) {
                continue;
            }
            if (e.at("kind") == "reward") {
                x.cost += amount(e);
            } else if (e.at("kind") == "reversal") {
                x.cost -= amount(e);
            }
        }
        x.refunded = refunded_;
        return x;
    }

    void expect_economics(const nlohmann::json &row, const Expected &x, const std::string &what) {
        SCOPED_TRACE(what + ": " + row.dump());
        EXPECT_EQ(row["clicks"], x.clicks);
        EXPECT_EQ(row["signups"], x.signups);
        if (x.signups > 0) {
            EXPECT_DOUBLE_EQ(row["signup_buyer_rate"].get<double>(),
                             static_cast<double>(x.buyers) / static_cast<double>(x.signups));
        } else {
            EXPECT_TRUE(row["signup_buyer_rate"].is_null());
        }
        EXPECT_EQ(row["conversions"], x.conversions);
        EXPECT_EQ(row["buyers"], x.buyers);
        EXPECT_EQ(row["revenue"].value("EUR", int64_t{0}), x.revenue);
        EXPECT_EQ(row["reward_cost"].value("EUR", int64_t{0}), x.cost);
        double net = static_cast<double>(x.revenue - x.refunded);
        if (x.buyers > 0) {
            EXPECT_DOUBLE_EQ(row["ltv"]["EUR"].get<double>(), net / static_cast<double>(x.buyers));
            EXPECT_DOUBLE_EQ(row["cac"]["EUR"].get<double>(),
                             static_cast<double>(x.cost) / static_cast<double>(x.buyers));
        }
        if (x.conversions > 0) {
            EXPECT_DOUBLE_EQ(row["average_order"]["EUR"].get<double>(),
                             net / static_cast<double>(x.conversions));
        }
        if (x.cost > 0) {
            EXPECT_DOUBLE_EQ(row["roi"]["EUR"].get<double>(),
                             (net - static_cast<double>(x.cost)) / static_cast<double>(x.cost));
        }
    }

    std::vector<Event> sent_;  // conversions, without their src
    std::map<std::string, int64_t> clicks_, signups_;
    int64_t refunded_ = 0;  // only ever of one code's order: set per group by the test
};

TEST_F(ExperimentsTest, VariantsSplitCodesStablyAndTheReportMatchesTheLedger) {
    const std::vector<std::string> codes = {"ANNA", "BEN", "CLEO", "DAN", "EVA", "FRED"};
    std::map<std::string, int> per_variant;
    for (const std::string &code : codes) {
        ++per_variant[variant_of(code)];
    }
    ASSERT_EQ(per_variant.size(), 2u) << "the codes must fall in both variants";

    start(kProgramme);
    for (size_t i = 0; i < codes.size(); ++i) {
        enroll("owner" + std::to_string(i), codes[i]);
    }
    // c1 and c3 register before they buy; c7 registers and never buys.
    add_all({signup("s1", "ANNA", "c1", "tg"), signup("s2", "CLEO", "c3"),
             signup("s3", "BEN", "c7", "fb")});
    wait_applied();
    add_all({visit("k1", "ANNA", "tg"), visit("k2", "ANNA", "fb"), visit("k3", "BEN", "fb"),
             visit("k4", "CLEO", "tg"), visit("k5", "EVA", "tg"), visit("k6", "FRED", "fb"),
             visit("k7", "ANNA", "tg"), sale("e1", "ANNA", 10000, "c1", "tg"),
             sale("e2", "ANNA", 5000, "c1", "tg"), sale("e3", "BEN", 20000, "c2", "fb"),
             sale("e4", "CLEO", 8000, "c3", "tg"), sale("e5", "CLEO", 3000, "", "tg"),
             sale("e6", "EVA", 12000, "c4", "fb")});
    wait_applied();
    add(refund("r1", "o-e6", 6000));
    wait_applied();

    std::map<std::string, std::string> seen;  // code → the variant its rewards were paid under
    auto check_ledger = [&] {
        for (const Entry &e : movements()) {
            ASSERT_TRUE(e.count("variant")) << e.at("kind") << " " << e.at("code");
            EXPECT_EQ(e.at("variant"), variant_of(e.at("code"))) << e.at("code");
            auto [it, fresh] = seen.emplace(e.at("code"), e.at("variant"));
            EXPECT_EQ(it->second, e.at("variant")) << e.at("code") << " changed variant";
            if (e.at("kind") == "reward" && e.at("party") == "referrer" &&
                e.at("order").rfind("signup:", 0) != 0) {
                const Event *sold = nullptr;
                for (const Event &s : sent_) {
                    if (std::find(s.begin(), s.end(),
                                  std::pair<std::string, std::string>("id", e.at("event"))) !=
                        s.end()) {
                        sold = &s;
                    }
                }
                ASSERT_NE(sold, nullptr);
                int64_t order = std::stoll(
                    std::map<std::string, std::string>(sold->begin(), sold->end()).at("amount"));
                EXPECT_EQ(amount(e), order * (e.at("variant") == "high" ? 20 : 10) / 100);
            }
        }
    };
    check_ledger();

    // The same codes after a restart: the same variants.
    EXPECT_EQ(daemon_.stop(), 0);
    daemon_ = spawn("rewardd-2.log");
    add_all({sale("e7", "DAN", 7000, "c5", "tg"), sale("e8", "ANNA", 4000, "c6", "fb"),
             sale("e9", "FRED", 9000, "c1", "fb")});
    wait_applied();
    check_ledger();
    EXPECT_EQ(seen.size(), 6u);

    std::string out;
    ASSERT_EQ(cli({"report", "--json"}, &out), 0) << out;
    nlohmann::json report = nlohmann::json::parse(out);
    ASSERT_EQ(report["variants"].size(), 2u);
    for (const nlohmann::json &row : report["variants"]) {
        std::string v = row["variant"];
        refunded_ = variant_of("EVA") == v ? 6000 : 0;
        expect_economics(row, expected([&](const std::string &c) { return variant_of(c) == v; }),
                         "variant " + v);
    }
    EXPECT_EQ(report["variants"][0]["variant"], "low");  // configured order
    for (const nlohmann::json &row : report["codes"]) {
        std::string code = row["code"];
        EXPECT_EQ(row["variant"], variant_of(code));
        refunded_ = code == "EVA" ? 6000 : 0;
        expect_economics(row["economics"],
                         expected([&](const std::string &c) { return c == code; }), code);
    }
    refunded_ = 6000;
    expect_economics(report["economics"], expected([](const std::string &) { return true; }),
                     "all codes");
    // FRED's customer c1 bought through ANNA first: a sale, not a new customer.
    EXPECT_EQ(report["codes"][5]["economics"]["buyers"], 0);
    EXPECT_EQ(report["codes"][5]["economics"]["conversions"], 1);

    // Channels: conversions and revenue by their utm_source, rewards as granted.
    std::map<std::string, int64_t> channel_revenue, channel_cost;
    std::map<std::string, std::string> source_of = {
        {"e1", "tg"}, {"e2", "tg"}, {"e3", "fb"}, {"e4", "tg"}, {"e5", "tg"}, {"e6", "fb"},
        {"e7", "tg"}, {"e8", "fb"}, {"e9", "fb"}, {"s1", "tg"}, {"s3", "fb"}};
    for (const Event &e : sent_) {
        std::map<std::string, std::string> f(e.begin(), e.end());
        channel_revenue[source_of.at(f["id"])] += std::stoll(f["amount"]);
    }
    for (const Entry &e : ledger()) {
        if (e.at("kind") == "reward" && source_of.count(e.at("event"))) {
            channel_cost[source_of.at(e.at("event"))] += amount(e);
        }
    }
    ASSERT_EQ(report["channels"].size(), 2u);
    for (const nlohmann::json &row : report["channels"]) {
        std::string source = row["utm_source"];
        EXPECT_EQ(row["revenue"]["EUR"], channel_revenue[source]) << source;
        EXPECT_EQ(row["reward_cost"]["EUR"], channel_cost[source]) << source;
    }
    EXPECT_EQ(report["channels"][0]["utm_source"], "tg");  // 4 clicks against fb's 3
    EXPECT_EQ(report["channels"][0]["buyers"], 4);         // c1, c3, the anonymous e5 and c5
    EXPECT_EQ(report["channels"][0]["signups"], 1);
    EXPECT_EQ(report["channels"][1]["signups"], 1);
    EXPECT_EQ(report["economics"]["signups"], 3);

    ASSERT_EQ(cli({"report", "--by", "variant"}, &out), 0) << out;
    EXPECT_NE(out.find("variant                clicks  signups conversions  buyers"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\nlow "), std::string::npos) << out;
    EXPECT_NE(out.find("\nhigh "), std::string::npos) << out;
    ASSERT_EQ(cli({"report", "--by", "channel"}, &out), 0) << out;
    EXPECT_NE(out.find("\ntg "), std::string::npos) << out;
    EXPECT_NE(cli({"report", "--by", "week"}, &out), 0);
}

}  // namespace
}  // namespace rewardd_test
