// Both pages rendered by real headless Chromium: screenshots land in <build>/screenshots (kept
// as CI artifacts, and the source of the pictures in docs/rewards.md), and the DOM Chromium
// built shows the ledger's figures, markup from visitors as text, and no script.
#include <filesystem>

#include "pages_fixture.h"

namespace rewardd_test {
namespace {

class BrowserTest : public PagesTest {
  protected:
    // chromium --headless on url: the DOM after rendering, and a screenshot to <name>.png.
    std::string render(const std::string &url, const std::string &name, const std::string &size) {
        std::filesystem::create_directories(SCREENSHOT_DIR);
        // Root (CI containers) needs --no-sandbox; a profile of its own keeps runs apart.
        std::vector<std::string> common = {
            CHROMIUM_BINARY,        "--headless",
            "--no-sandbox",         "--disable-gpu",
            "--hide-scrollbars",    "--user-data-dir=" + dir_.path() + "/chromium-" + name,
            "--window-size=" + size};
        std::vector<std::string> shot = common;
        shot.insert(shot.end(),
                    {"--screenshot=" + std::string(SCREENSHOT_DIR) + "/" + name + ".png", url});
        std::string out;
        EXPECT_EQ(testing_support::run_command(shot, &out), 0) << out;
        EXPECT_TRUE(std::filesystem::exists(std::string(SCREENSHOT_DIR) + "/" + name + ".png"))
            << out;
        std::vector<std::string> dump = common;
        dump.insert(dump.end(), {"--dump-dom", url});
        EXPECT_EQ(testing_support::run_command(dump, &out), 0) << out;
        return out;
    }
    std::string url(const std::string &path) const {
        return "http://127.0.0.1:" + std::to_string(metrics_port_) + path;
    }
};

TEST_F(BrowserTest, DashboardAsRendered) {
    ASSERT_TRUE(std::filesystem::exists(CHROMIUM_BINARY)) << "run scripts/deps.sh";
    start_pages();
    scenario();
    std::string dom = render(url("/dashboard"), "dashboard", "1280,2000");
    EXPECT_EQ(figure(dom, "clicks"), "6");
    EXPECT_EQ(figure(dom, "revenue"), "160.00 EUR");
    EXPECT_EQ(figure(dom, "rewards"), "22.00 EUR") << "the ledger's sum";
    EXPECT_EQ(ledger_rewards(), 2200);
    // As a DOM: the source is a text node, never an element.
    EXPECT_NE(dom.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(dom.find("<script"), std::string::npos);
    EXPECT_NE(dom.find("<svg"), std::string::npos);
}

TEST_F(BrowserTest, PartnerPageAsRendered) {
    ASSERT_TRUE(std::filesystem::exists(CHROMIUM_BINARY)) << "run scripts/deps.sh";
    start_pages();
    scenario();
    std::string dom = render(url(partner_link("ALICE")), "partner", "800,1100");
    EXPECT_EQ(figure(dom, "clicks"), "4");
    EXPECT_EQ(figure(dom, "conversions"), "1");
    EXPECT_NE(dom.find("14.00 EUR"), std::string::npos);
    EXPECT_NE(dom.find("QR code of your referral link"), std::string::npos);
}

}  // namespace
}  // namespace rewardd_test
