#include "module_fixture.h"

#include <ctime>

#include "base64url.h"

namespace module_test {

const char kKeys[] =
    "# test keys\n"
    "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
    "k2:8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778\n";

namespace {

std::string with_keys(std::string body, const std::string &prefix) {
    const std::string tag = "@KEYS@";
    for (size_t pos; (pos = body.find(tag)) != std::string::npos;) {
        body.replace(pos, tag.size(), prefix + "/conf/referral.keys");
    }
    return body;
}

const referral::Keyring &ring() {
    static std::unique_ptr<referral::Keyring> keys = [] {
        std::string error;
        return referral::Keyring::parse(kKeys, &error);
    }();
    return *keys;
}

}  // namespace

testing_support::NginxServer &ModuleTest::start(const std::string &http_body,
                                                const std::string &main_extra) {
    nginx_ = std::make_unique<testing_support::NginxServer>("", main_extra);
    testing_support::write_secret_file(nginx_->prefix() + "/conf/referral.keys", kKeys);
    nginx_->rewrite_config(with_keys(http_body, nginx_->prefix()), main_extra);
    nginx_->start();
    return *nginx_;
}

int ModuleTest::test_config(const std::string &http_body, std::string *output,
                            const std::string &keys, unsigned keys_mode) {
    nginx_ = std::make_unique<testing_support::NginxServer>("");
    testing_support::write_secret_file(nginx_->prefix() + "/conf/referral.keys", keys, keys_mode);
    nginx_->rewrite_config(with_keys(http_body, nginx_->prefix()));
    return nginx_->test_config(output);
}

testing_support::HttpResponse ModuleTest::get(const std::string &target,
                                              const std::vector<std::string> &headers) {
    return testing_support::http_get(nginx_->port(), target, headers);
}

nlohmann::json ModuleTest::status() {
    return nlohmann::json::parse(get("/status").body);
}

void ModuleTest::start_redis(std::vector<std::string> extra) {
    redis = std::make_unique<testing_support::RedisServer>(std::move(extra));
}

std::vector<testing_support::Fields> ModuleTest::events(size_t at_least) const {
    return redis->stream("{referral}:events", at_least);
}

void ModuleTest::TearDown() {
    if (!nginx_)
        return;
    nginx_->stop();
    std::string log = nginx_->error_log(), unexpected;
    for (const std::string &line : testing_support::serious_lines(log)) {
        bool allowed = false;
        for (const std::string &text : allowed_in_log_) {
            allowed |= line.find(text) != std::string::npos;
        }
        unexpected += allowed ? "" : line + "\n";
    }
    EXPECT_EQ(unexpected, "") << "the whole error log:\n" << log;
}

std::string cookie_value(const std::string &set_cookie) {
    size_t eq = set_cookie.find('=');
    size_t semi = set_cookie.find(';');
    return set_cookie.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
}

Decoded decode(const std::string &token, int64_t max_age) {
    std::string scratch(token.size(), '\0');
    referral::Attribution a;
    Decoded d;
    d.status =
        referral::verify_token(ring(), token, std::time(nullptr), max_age, scratch.data(), &a);
    d.code = a.code;
    d.click_id = a.click_id;
    d.source = a.source;
    d.medium = a.medium;
    d.campaign = a.campaign;
    d.issued = a.issued;
    return d;
}

std::string sign(const std::string &code, int64_t issued, const std::string &kid,
                 const std::string &source) {
    referral::Attribution a;
    a.code = code;
    a.issued = issued;
    a.click_id = "AAECAwQFBgcICQoLDA0ODw";
    a.source = source;
    std::string out(referral::kMaxTokenLength, '\0');
    out.resize(referral::sign_token(*ring().find(kid), a, out.data()));
    return out;
}

}  // namespace module_test
