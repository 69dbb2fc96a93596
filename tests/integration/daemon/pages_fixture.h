// A scripted programme for the dashboard and partner page tests: what it sends, and helpers to
// read the figures a page shows.
#pragma once

#include <string>

#include "rewardd_fixture.h"

namespace rewardd_test {

// A code and a utm_source carrying markup: shown as text or the page is broken.
inline constexpr char kMarkupCode[] = "x<b>y";  // not a valid code: only in a click's source
inline constexpr char kMarkupSource[] = "<script>alert(1)</script>";

class PagesTest : public RewarddTest {
  protected:
    // Starts the daemon with [http] secret_file, public_url, link and http_extra.
    void start_pages(const std::string &http_extra = "");
    // ALICE and BOB with clicks from several sources (one of them markup), conversions, one
    // below the minimum order; returns once everything is applied.
    void scenario();

    // The text of <div class="figure"> after <div class="muted">label</div>, "" when absent.
    static std::string figure(const std::string &html, const std::string &label);
    // Ledger sums in EUR: every reward granted.
    int64_t ledger_rewards();
    std::string partner_link(const std::string &code, const std::string &days = "30");
    std::string secret_path() const { return dir_.path() + "/secret"; }

    static constexpr char kSecret[] = "partner-secret-0123456789";
};

}  // namespace rewardd_test
