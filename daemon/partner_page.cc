#include "partner_page.h"

#include <cmath>

#include <fmt/format.h>

#include "amounts.h"
#include "daily_stats.h"
#include "html.h"
#include "qr_svg.h"
#include "report.h"

namespace referral::rewardd {
namespace {

std::string link_of(const std::string &link_template, const std::string &code) {
    std::string out = link_template;
    for (size_t at = out.find("{code}"); at != std::string::npos;
         at = out.find("{code}", at + code.size())) {
        out.replace(at, 6, code);
    }
    return out;
}

std::string money(int64_t amount, const std::string &currency) {
    return format_minor(amount, currency_exponent_or_points(currency)) + " " + currency;
}

// An entry id "<ms>-<seq>" as its UTC date.
std::string entry_day(const std::string &id) {
    int64_t ms = 0;
    for (char c : id) {
        if (c < '0' || c > '9') {
            break;
        }
        ms = ms * 10 + (c - '0');
    }
    return format_day(ms / kDayMs);
}

// Clicks and conversions always; the rest of the funnel once there is some.
std::string figures(const Funnel &f) {
    Economics e = economics(f);
    std::string out = figure("clicks", std::to_string(f.clicks));
    if (f.signups > 0) {
        out += figure("signups", std::to_string(f.signups));
    }
    out += figure("conversions", std::to_string(f.conversions));
    if (f.buyers > 0) {
        out += figure("new customers", std::to_string(f.buyers));
    }
    if (e.signup_buyer_rate) {
        out += figure("signups who bought", fmt::format("{:.1f}%", 100 * *e.signup_buyer_rate));
    }
    for (const auto &[currency, average] : e.average_order) {
        out += figure("average order", money(static_cast<int64_t>(std::floor(average)), currency));
    }
    return out;
}

}  // namespace

PartnerView read_partner(const Config &config, Redis &redis, const std::string &code) {
    Keys keys(config.redis.prefix);
    PartnerView view;
    view.code = code;
    if (!config.http.link.empty()) {
        view.link = link_of(config.http.link, code);
    }
    if (Reply stats = redis.command({"HGETALL", keys.stats(code)})) {
        view.funnel = code_report(code, stats.get()).funnel;
    }
    const std::string account = "code:" + code;
    view.balances = Admin(config, redis).balance(account);
    Reply ledger =
        redis.command({"XREVRANGE", keys.ledger(), "+", "-", "COUNT", std::to_string(kLedgerScan)});
    for (size_t i = 0; ledger && ledger->type == REDIS_REPLY_ARRAY && i < ledger->elements &&
                       view.recent.size() < kRecentEntries;
         ++i) {
        const redisReply *e = ledger->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) {
            continue;
        }
        PartnerEntry entry;
        entry.id = text(e->element[0]);
        std::string entry_account, entry_code;
        const redisReply *f = e->element[1];
        for (size_t j = 0; f->type == REDIS_REPLY_ARRAY && j + 1 < f->elements; j += 2) {
            std::string_view name = text(f->element[j]), value = text(f->element[j + 1]);
            if (name == "kind") {
                entry.kind = value;
            } else if (name == "amount") {
                entry.amount = integer(f->element[j + 1]);
            } else if (name == "currency") {
                entry.currency = value;
            } else if (name == "order") {
                entry.order = value;
            } else if (name == "reason") {
                entry.reason = value;
            } else if (name == "account") {
                entry_account = value;
            } else if (name == "code") {
                entry_code = value;
            }
        }
        // Conversions held or rejected move no account's money: they are the code's own.
        if (entry_account == account || (entry_account.empty() && entry_code == code)) {
            view.recent.push_back(std::move(entry));
        }
    }
    return view;
}

std::string render_partner(const PartnerView &view) {
    std::string body =
        fmt::format("<h1>Your referral code <code>{}</code></h1>", escape(view.code));
    if (!view.link.empty()) {
        body += fmt::format(
            "<section><h2>Your link</h2><p><a href=\"{0}\"><code>{0}</code></a></p>{1}"
            "<p class=\"muted\">Print the QR code or show it from your phone: it opens your "
            "link.</p></section>",
            escape(view.link), qr_svg(view.link, "QR code of your referral link"));
    }
    body += "<section><div class=\"figures\">" + figures(view.funnel) + "</div></section>";
    body +=
        "<section><h2>Your rewards</h2><table><tr><th>currency</th><th class=\"n\">pending</th>"
        "<th class=\"n\">approved</th><th class=\"n\">paid</th></tr>";
    for (const auto &[currency, b] : view.balances) {
        body += fmt::format(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "</tr>",
            escape(currency), escape(money(b.pending, currency)),
            escape(money(b.approved, currency)), escape(money(b.paid, currency)));
    }
    if (view.balances.empty()) {
        body += "<tr><td colspan=\"4\" class=\"muted\">no rewards yet</td></tr>";
    }
    body +=
        "</table><p class=\"muted\">Pending rewards wait for the end of the return period; "
        "approved ones are paid with the next payout.</p></section>";
    body +=
        "<section><h2>Recent activity</h2><table><tr><th>date</th><th>what</th><th>order</th>"
        "<th class=\"n\">amount</th></tr>";
    for (const PartnerEntry &e : view.recent) {
        // A held or rejected conversion moves nothing: its amount is the order's.
        std::string what = e.kind == "held" || e.kind == "rejected" ? "order " + e.kind : e.kind;
        if (!e.reason.empty()) {
            what += " (" + e.reason + ")";
        }
        body += fmt::format(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
            escape(entry_day(e.id)), escape(what), escape(e.order),
            escape(e.currency.empty() ? std::to_string(e.amount) : money(e.amount, e.currency)));
    }
    if (view.recent.empty()) {
        body += "<tr><td colspan=\"4\" class=\"muted\">nothing yet</td></tr>";
    }
    body += "</table></section>";
    return html_page("Your referral code " + view.code, body);
}

}  // namespace referral::rewardd
