// referral-rewardd: rewards computed from the referral events stream into a ledger in Redis.
// docs/rewards.md describes the programme, the keys and every command.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "admin.h"
#include "amounts.h"
#include "config.h"
#include "consumer.h"
#include "event_schema.h"
#include "hooks_http.h"
#include "metrics.h"
#include "page_routes.h"
#include "partner_token.h"
#include "payees.h"
#include "payout_batch.h"
#include "report.h"
#include "webhook_delivery.h"
#include "wall_clock.h"

namespace {

using namespace referral::rewardd;

constexpr int kUsageError = 2;  // also a configuration error
constexpr int kFailure = 1;
constexpr size_t kMaxReason = 200;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

int run(const Config &config) {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    Metrics metrics;
    Hooks hooks(config, metrics);
    std::unique_ptr<MetricsServer> server;
    if (!config.daemon.metrics_host.empty()) {
        server = std::make_unique<MetricsServer>(metrics, config.daemon.metrics_host,
                                                 config.daemon.metrics_port, page_routes(config),
                                                 &hooks);
        spdlog::info("metrics on http://{}:{}/metrics", config.daemon.metrics_host,
                     config.daemon.metrics_port);
    }
    std::unique_ptr<WebhookDispatcher> webhooks;
    if (!config.webhooks.empty()) {
        webhooks = std::make_unique<WebhookDispatcher>(config, metrics, g_stop);
    }
    Consumer(config, metrics, g_stop).run();
    spdlog::info("stopped");
    return 0;
}

std::string buckets_text(const std::string &currency, const Buckets &b) {
    int e = currency_exponent_or_points(currency);
    return fmt::format("{} pending {} approved {} paid {}\n", currency, format_minor(b.pending, e),
                       format_minor(b.approved, e), format_minor(b.paid, e));
}

std::string held_text(const HeldConversion &held) {
    std::string out = fmt::format(
        "code {} amount {} {}", held.code,
        format_minor(held.amount, currency_exponent_or_points(held.currency)), held.currency);
    if (!held.customer.empty()) {
        out += " customer " + held.customer;
    }
    return out + "\n";
}

int partner_link_command(const Config &config, const std::string &code, int64_t days) {
    if (config.http.secret.empty()) {
        std::cerr << "referral-rewardd partner-link: set [http] secret_file to sign the links\n";
        return kUsageError;
    }
    std::cout << config.http.public_url << "/p/"
              << make_partner_token(config.http.secret, code, now_s() + days * 86400) << "\n";
    return 0;
}

int payout_all_command(Redis &redis, const Config &config, std::string batch_id,
                       const std::string &minimum, const std::string &format_name,
                       const std::string &out_path) {
    if (batch_id.empty()) {
        batch_id = new_batch_id();
    }
    PayoutFormat format = *parse_payout_format(format_name);
    Scripts scripts;
    PayoutBatch batch =
        run_payout_batch(redis, scripts, Keys(config.redis.prefix), batch_id, minimum, format);
    std::string tmp = out_path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << render_payout_file(format, batch.id, batch.lines);
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
        throw std::runtime_error("cannot rename " + tmp + " to " + out_path);
    }
    std::map<std::string, int64_t> totals;
    for (const PayoutLine &line : batch.lines) {
        totals[line.currency] += line.amount;
    }
    std::cout << "batch " << batch.id << (batch.repeated ? " (already paid)" : "") << ": "
              << batch.lines.size() << " payments, min " << batch.minimum << "\n";
    for (const auto &[currency, total] : totals) {
        std::cout << "paid " << currency << " "
                  << format_minor(total, currency_exponent_or_points(currency)) << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    spdlog::set_default_logger(spdlog::stderr_color_mt("rewardd"));

    CLI::App app{"referral-rewardd: referral rewards from the events stream into a ledger"};
    app.require_subcommand(1);
    app.fallthrough();
    std::string config_path = "/etc/referral/rewards.toml";
    app.add_option("-c,--config", config_path, "programme and Redis settings (TOML)");
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "debug traces every decision on every event")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();

    app.add_subcommand("run", "consume events and apply rewards until SIGTERM");
    app.add_subcommand("check", "validate the configuration and exit");

    bool json = false;
    std::string by = "code";
    CLI::App *report = app.add_subcommand(
        "report", "per-code clicks, conversions, revenue and rewards, and programme economics");
    report->add_flag("--json", json, "machine-readable output (every table)");
    report->add_option("--by", by, "the text report's table: per code, channel or variant")
        ->check(CLI::IsMember({"code", "channel", "variant"}))
        ->capture_default_str();

    const CLI::Validator code_chars(
        [](std::string &v) {
            return referral::valid_code(v)
                       ? ""
                       : fmt::format("codes are 1-{} of [A-Za-z0-9_.-]", referral::kMaxCodeLength);
        },
        "CODE");
    const CLI::Validator id_chars(
        [](std::string &v) {
            return referral::valid_id(v)
                       ? ""
                       : fmt::format("1-{} printable ASCII characters", referral::kMaxIdLength);
        },
        "ID");
    std::string code, customer, parent, site, order;
    auto *balance = app.add_subcommand("balance", "an account's rewards by currency");
    auto *balance_code = balance->add_option("CODE", code, "referral code")->check(code_chars);
    balance->add_option("--customer", customer, "a customer's (friend) rewards instead")
        ->check(id_chars)
        ->excludes(balance_code);
    balance->require_option(1);

    auto *enroll = app.add_subcommand("enroll", "give a customer a referral code");
    enroll->add_option("CUSTOMER", customer)->required()->check(id_chars);
    enroll->add_option("CODE", code)->required()->check(code_chars);
    enroll->add_option("--parent", parent, "the code that referred this customer")
        ->check(code_chars);
    std::string email, payout_id;
    enroll->add_option("--email", email, "the payee's email address, for payout batches")
        ->check(CLI::Validator(
            [](std::string &v) { return valid_email(v) ? "" : "not an email address"; }, "EMAIL"));
    enroll->add_option("--payout-id", payout_id, "the payee's PayPal PayerID or account id")
        ->check(id_chars);

    std::string amount;
    auto *refund = app.add_subcommand("refund", "write a refund event for an order");
    refund->add_option("--site", site)->required()->check(id_chars);
    refund->add_option("ORDER", order)->required()->check(id_chars);
    // Checked here, before anything is written: an event with an amount the daemon would
    // refuse helps nobody.
    refund->add_option("--amount", amount, "partial refund, in minor units (1250 = 12.50 EUR)")
        ->check(CLI::Validator(
            [](std::string &v) -> std::string {
                std::optional<int64_t> minor = parse_minor_units(v);
                if (minor == 0) {
                    return "0 refunds nothing: leave --amount out to refund the whole order";
                }
                return minor ? ""
                             : fmt::format("{} is not a whole number of minor units from 1 to {}",
                                           v, kMaxAmount);
            },
            "MINOR"));

    auto *approve = app.add_subcommand("approve", "show and apply a conversion held for approval");
    approve->add_option("--site", site)->required()->check(id_chars);
    approve->add_option("ORDER", order)->required()->check(id_chars);

    std::string reason;
    auto *reject = app.add_subcommand("reject", "show and drop a conversion held for approval");
    reject->add_option("--site", site)->required()->check(id_chars);
    reject->add_option("ORDER", order)->required()->check(id_chars);
    reject->add_option("--reason", reason, "why, recorded with the rejection")
        ->check(CLI::Validator(
            [](std::string &v) {
                bool printable = std::all_of(v.begin(), v.end(), [](char c) {
                    return static_cast<unsigned char>(c) >= 0x20 &&
                           static_cast<unsigned char>(c) < 0x7F;
                });
                return printable && v.size() <= kMaxReason
                           ? ""
                           : fmt::format("at most {} printable ASCII characters", kMaxReason);
            },
            "TEXT"));

    auto *payout = app.add_subcommand("payout", "mark approved rewards as paid");
    auto *payout_code = payout->add_option("CODE", code, "one code")->check(code_chars);
    bool all = false;
    std::string minimum, format_name = "csv", out_path, batch_id;
    auto *payout_all =
        payout->add_flag("--all", all, "every payee, as a batch with a file for the provider")
            ->excludes(payout_code);
    payout->add_option("--min", minimum, "smallest balance paid, in major units (10.00)")
        ->needs(payout_all);
    payout->add_option("--format", format_name, "the file's format")
        ->check(CLI::IsMember({"csv", "paypal", "wise"}))
        ->capture_default_str()
        ->needs(payout_all);
    auto *payout_out =
        payout->add_option("--out", out_path, "where to write the batch's file")->needs(payout_all);
    payout->add_option("--batch", batch_id, "the batch's id; the same id again changes nothing")
        ->check(id_chars)
        ->needs(payout_all);
    payout_all->needs(payout_out);
    payout->require_option(1, 0);

    int64_t days = 30;
    auto *partner_link =
        app.add_subcommand("partner-link", "print the address of a referrer's own page");
    partner_link->add_option("CODE", code)->required()->check(code_chars);
    partner_link->add_option("--days", days, "how long the address works")
        ->check(CLI::Range(int64_t{1}, int64_t{3650}))
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        // app.exit prints the message (or the help, which is no error).
        return app.exit(e) == 0 ? 0 : kUsageError;
    }
    const std::string name = app.get_subcommands().front()->get_name();
    spdlog::set_level(spdlog::level::from_str(log_level));

    Config config;
    try {
        config = load_config(config_path);
    } catch (const ConfigError &e) {
        std::cerr << "referral-rewardd: " << e.what() << "\n";
        return kUsageError;
    }
    try {
        if (name == "run") {
            return run(config);
        }
        if (name == "check") {
            std::cout << config_path << ": ok\n";
            return 0;
        }
        if (name == "partner-link") {
            return partner_link_command(config, code, days);
        }
        Redis redis = connect_serving(config.redis, Keys(config.redis.prefix).events());
        Admin admin(config, redis);
        if (name == "report") {
            Report r = build_report(redis, Keys(config.redis.prefix), config, now_ms());
            ReportBy table = by == "variant"   ? ReportBy::kVariant
                             : by == "channel" ? ReportBy::kChannel
                                               : ReportBy::kCode;
            std::cout << (json ? render_json(r) : render_text(r, table));
        } else if (name == "balance") {
            std::string account = code.empty() ? "customer:" + customer : "code:" + code;
            for (const auto &[currency, b] : admin.balance(account)) {
                std::cout << buckets_text(currency, b);
            }
        } else if (name == "enroll") {
            admin.enroll(customer, code, parent);
            save_payee(redis, Keys(config.redis.prefix), code, customer, email, payout_id);
            std::cout << "enrolled " << customer << " with code " << code << "\n";
        } else if (name == "refund") {
            std::optional<int64_t> minor;
            if (!amount.empty()) {
                minor = parse_minor_units(amount);
            }
            std::cout << "refund event " << admin.refund(site, order, minor) << "\n";
        } else if (name == "approve") {
            Approval approval = admin.approve(site, order);
            std::cout << (approval.held ? held_text(*approval.held) : "") << approval.outcome
                      << "\n";
            return approval.applied ? 0 : kFailure;
        } else if (name == "reject") {
            std::cout << held_text(admin.reject(site, order, reason)) << "rejected\n";
        } else if (name == "payout" && all) {
            return payout_all_command(redis, config, batch_id, minimum, format_name, out_path);
        } else if (name == "payout") {
            for (const auto &[currency, paid] : admin.payout(code)) {
                std::cout << "paid " << currency << " "
                          << format_minor(paid, currency_exponent_or_points(currency)) << "\n";
            }
        }
        return 0;
    } catch (const std::exception &e) {
        // Only a bug or a failure to start gets `run` here: Redis going away is the consumer's
        // to handle (docs/rewards.md, Logs).
        if (name == "run") {
            spdlog::critical("{}", e.what());
        } else {
            std::cerr << "referral-rewardd " << name << ": " << e.what() << "\n";
        }
        return kFailure;
    }
}
