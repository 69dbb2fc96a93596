// payout --all: payee details, batch files in each provider's format, file sums equal to the
// ledger's payouts, a repeated batch that changes nothing, a batch cut short and completed.
#include "rewardd_fixture.h"

namespace rewardd_test {
namespace {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"

[referrer]
percent = 10
)";

class PayoutTest : public RewarddTest {
  protected:
    // ALICE earns 20.00, BOB exactly 5.00, CAROL 4.99, DAN (no payee details) 30.00.
    void scenario() {
        start(kProgramme);
        enroll_payee("alice", "ALICE",
                     {"--email", "alice@example.com", "--payout-id", "PAYERALICE"});
        enroll_payee("bob", "BOB", {"--email", "bob@example.com"});
        enroll_payee("carol", "CAROL", {"--email", "carol@example.com"});
        enroll("dan", "DAN");
        add_all({conversion("e1", "ALICE", "o1", 20000, "x1"),
                 conversion("e2", "BOB", "o2", 5000, "x2"),
                 conversion("e3", "CAROL", "o3", 4990, "x3"),
                 conversion("e4", "DAN", "o4", 30000, "x4")});
        wait_applied();
        ASSERT_EQ(balance("code:CAROL", "approved"), 499);
    }

    void enroll_payee(const std::string &customer, const std::string &code,
                      std::vector<std::string> details) {
        std::vector<std::string> args = {"enroll", customer, code};
        args.insert(args.end(), details.begin(), details.end());
        std::string out;
        ASSERT_EQ(cli(args, &out), 0) << out;
    }

    int payout(const std::string &format, const std::string &batch, std::string *file,
               const std::string &min = "5") {
        std::string path = dir_.path() + "/" + batch + "." + format;
        std::string out;
        int status = cli(
            {"payout", "--all", "--min", min, "--format", format, "--out", path, "--batch", batch},
            &out);
        *file = status == 0 ? testing_support::read_file(path) : out;
        return status;
    }

    // What the ledger paid in a batch, by code.
    std::map<std::string, int64_t> paid_in(const std::string &batch) {
        std::map<std::string, int64_t> paid;
        for (const Entry &e : ledger()) {
            if (e.count("batch") && e.at("batch") == batch) {
                EXPECT_EQ(e.at("kind"), "payout");
                paid[e.at("account")] += std::stoll(e.at("amount"));
            }
        }
        return paid;
    }
};

TEST_F(PayoutTest, PayPalFileMatchesTheLedger) {
    scenario();
    std::string file;
    ASSERT_EQ(payout("paypal", "B1", &file), 0) << file;
    // No header; recipient (PayerID first), amount, currency, customer id, note.
    EXPECT_EQ(file,
              "PAYERALICE,20.00,EUR,ALICE,\"Referral rewards, payout B1\"\r\n"
              "bob@example.com,5.00,EUR,BOB,\"Referral rewards, payout B1\"\r\n");
    std::map<std::string, int64_t> paid = paid_in("B1");
    EXPECT_EQ(paid, (std::map<std::string, int64_t>{{"code:ALICE", 2000}, {"code:BOB", 500}}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 0);
    EXPECT_EQ(balance("code:ALICE", "paid"), 2000);
    EXPECT_EQ(balance("code:CAROL", "approved"), 499);  // under the minimum
    EXPECT_EQ(balance("code:DAN", "approved"), 3000);   // no payee details: not a payee
}

TEST_F(PayoutTest, SameBatchTwiceChangesNothing) {
    scenario();
    std::string first, second;
    ASSERT_EQ(payout("wise", "B2", &first), 0) << first;
    EXPECT_EQ(first,
              "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,"
              "sourceCurrency,targetCurrency\r\n"
              "alice,alice@example.com,B2,PERSON,target,20.00,EUR,EUR\r\n"
              "bob,bob@example.com,B2,PERSON,target,5.00,EUR,EUR\r\n");
    size_t entries = ledger().size();
    // More approved money for ALICE: the same batch still pays nothing more.
    add(conversion("e5", "ALICE", "o5", 10000, "x5"));
    wait_applied();
    entries += 1;
    ASSERT_EQ(payout("wise", "B2", &second, "0"), 0) << second;
    EXPECT_EQ(second, first);
    EXPECT_EQ(ledger().size(), entries);
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(balance("code:ALICE", "paid"), 2000);

    // A new batch pays what has been approved since.
    std::string csv;
    ASSERT_EQ(payout("csv", "B3", &csv), 0) << csv;
    EXPECT_EQ(csv,
              "batch,code,customer,email,payout_id,currency,amount\r\n"
              "B3,ALICE,alice,alice@example.com,PAYERALICE,EUR,10.00\r\n");
    EXPECT_EQ(paid_in("B3"), (std::map<std::string, int64_t>{{"code:ALICE", 1000}}));
}

TEST_F(PayoutTest, BatchCutShortIsCompletedByTheSameId) {
    scenario();
    // ZED sorts last; its details under the wrong type make its script fail before any write.
    enroll_payee("zed", "ZED", {"--email", "zed@example.com"});
    add(conversion("e6", "ZED", "o6", 7000, "x6"));
    wait_applied();
    redis_.command({"DEL", key("payee:ZED")});
    redis_.command({"SET", key("payee:ZED"), "broken"});
    std::string out;
    ASSERT_NE(payout("csv", "B4", &out), 0);
    EXPECT_NE(out.find("WRONGTYPE"), std::string::npos) << out;
    EXPECT_EQ(paid_in("B4"),
              (std::map<std::string, int64_t>{{"code:ALICE", 2000}, {"code:BOB", 500}}));
    EXPECT_EQ(balance("code:ZED", "approved"), 700);

    // Meanwhile ALICE earns more; completing B4 pays ZED alone.
    add(conversion("e7", "ALICE", "o7", 10000, "x7"));
    wait_applied();
    redis_.command({"DEL", key("payee:ZED")});
    enroll_payee("zed", "ZED", {"--email", "zed@example.com"});
    std::string file;
    ASSERT_EQ(payout("csv", "B4", &file), 0) << file;
    EXPECT_EQ(paid_in("B4"), (std::map<std::string, int64_t>{
                                 {"code:ALICE", 2000}, {"code:BOB", 500}, {"code:ZED", 700}}));
    EXPECT_EQ(balance("code:ALICE", "approved"), 1000);
    EXPECT_EQ(file,
              "batch,code,customer,email,payout_id,currency,amount\r\n"
              "B4,ALICE,alice,alice@example.com,PAYERALICE,EUR,20.00\r\n"
              "B4,BOB,bob,bob@example.com,,EUR,5.00\r\n"
              "B4,ZED,zed,zed@example.com,,EUR,7.00\r\n");
}

TEST_F(PayoutTest, BadInputIsRefusedBeforeAnythingIsPaid) {
    scenario();
    std::string out;
    EXPECT_EQ(cli({"enroll", "erin", "ERIN", "--email", "not-an-address"}, &out), 2) << out;
    EXPECT_EQ(cli({"payout", "--all", "--format", "csv"}, &out), 2) << out;  // no --out
    EXPECT_NE(payout("csv", "B5", &out, "1.005"), 0);
    EXPECT_NE(out.find("1.005"), std::string::npos) << out;
    // Wise needs an email: a payee with only a PayerID stops the batch before it starts.
    enroll_payee("fay", "FAY", {"--payout-id", "PAYERFAY"});
    EXPECT_NE(payout("wise", "B6", &out), 0);
    EXPECT_NE(out.find("FAY"), std::string::npos) << out;
    EXPECT_TRUE(paid_in("B5").empty());
    EXPECT_TRUE(paid_in("B6").empty());
    EXPECT_EQ(balance("code:ALICE", "approved"), 2000);
}

}  // namespace
}  // namespace rewardd_test
