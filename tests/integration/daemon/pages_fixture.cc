#include "pages_fixture.h"

namespace rewardd_test {

constexpr char kProgramme[] = R"(
[programme]
currency = "EUR"
min_order = "5.00"
hold = "1d"

[referrer]
levels = [10, 5]

[friend]
fixed = "2.00"
)";

void PagesTest::start_pages(const std::string &http_extra) {
    testing_support::write_file(secret_path(), std::string(kSecret) + "\n");
    start(std::string(kProgramme) + "\n[http]\nsecret_file = \"" + secret_path() +
          "\"\nlink = \"https://shop.example/?ref={code}\"\n" + http_extra);
}

void PagesTest::scenario() {
    enroll("alice", "ALICE");
    enroll("bob", "BOB", "ALICE");
    add_all({click("c1", "ALICE", "ip1", "newsletter"), click("c2", "ALICE", "ip2", "newsletter"),
             click("c3", "ALICE", "ip3", kMarkupSource), click("c4", "ALICE", "ip4"),
             click("c5", "BOB", "ip5", "instagram"), click("c6", "BOB", "ip6", "instagram"),
             click("c7", "NOBODY", "ip7"),
             with(conversion("e1", "ALICE", "o1", 12000, "carol"), "src", "newsletter"),
             with(conversion("e2", "BOB", "o2", 4000, "dave"), "src", "instagram"),
             conversion("e3", "ALICE", "o3", 100, "erin")});
    wait_applied();
}

std::string PagesTest::figure(const std::string &html, const std::string &label) {
    std::string open = "<div class=\"muted\">" + label + "</div><div class=\"figure\">";
    size_t at = html.find(open);
    if (at == std::string::npos) {
        return "";
    }
    at += open.size();
    return html.substr(at, html.find("</div>", at) - at);
}

int64_t PagesTest::ledger_rewards() {
    int64_t sum = 0;
    for (const Entry &e : movements()) {
        if (e.at("kind") == "reward" && e.at("currency") == "EUR") {
            sum += std::stoll(e.at("amount"));
        }
    }
    return sum;
}

std::string PagesTest::partner_link(const std::string &code, const std::string &days) {
    std::string out;
    EXPECT_EQ(cli({"partner-link", code, "--days", days}, &out), 0) << out;
    // Without [http] public_url the command prints the path alone.
    size_t at = out.find("/p/");
    return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

}  // namespace rewardd_test
