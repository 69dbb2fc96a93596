// A sweep of generated malformed requests against the running module: every one is answered
// with a well-formed response and no worker dies.

#include <random>

#include "module_fixture.h"

namespace module_test {
namespace {

class BadInputTest : public ModuleTest {};

std::string random_bytes(std::mt19937 &rng, size_t max_len, const std::string &alphabet) {
    std::uniform_int_distribution<size_t> len(0, max_len), pick(0, alphabet.size() - 1);
    std::string s(len(rng), '\0');
    for (char &c : s)
        c = alphabet[pick(rng)];
    return s;
}

TEST_F(BadInputTest, ThousandMalformedRequestsAreAnsweredAndNoWorkerDies) {
    start(
        "referral_secret_file @KEYS@;\n"
        "server { listen 127.0.0.1:@PORT@; server_name s; referral on;\n"
        "  referral_consent $cookie_consent; referral_skip $arg_skip;\n"
        "  location / { add_header X-Code $referral_code always; return 200 ok; }\n"
        "  location /r { referral_redirect on; return 200; }\n"
        "  location /done { referral_conversion on; referral_conversion_order_id $arg_o;\n"
        "    referral_conversion_amount $arg_a; referral_conversion_currency $arg_c; return 200; "
        "}\n"
        "}\n");

    std::mt19937 rng(20261123);  // fixed: a failure reproduces
    const std::string url_chars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%+=&;/?#[]@!$'()*,";
    const std::string any_printable = url_chars + " \"<>\\^`{|}";
    std::string valid = sign("alice", std::time(nullptr) - 5);
    const std::vector<std::string> paths = {"/", "/r", "/done", "/%2e%2e/", "/x?"};
    const std::vector<std::string> methods = {"GET",    "HEAD",    "POST", "PUT",
                                              "DELETE", "OPTIONS", "BREW"};
    const std::vector<std::string> params = {
        "ref", "REF", "utm_source", "utm_medium", "utm_campaign", "o", "a", "c", "skip"};

    std::uniform_int_distribution<int> coin(0, 3);
    for (int i = 0; i < 1000; i++) {
        std::string target = paths[i % paths.size()] + "?";
        for (int k = coin(rng) + 1; k > 0; k--) {
            target += params[rng() % params.size()] + "=" + random_bytes(rng, 40, url_chars) + "&";
        }
        if (i % 97 == 0)
            target += std::string(6000, 'r') + "&ref=long";

        std::string cookie;
        switch (coin(rng)) {
            case 0:
                cookie = "ref=" + random_bytes(rng, 300, any_printable);
                break;
            case 1: {
                std::string t = valid;
                t[rng() % t.size()] = url_chars[rng() % url_chars.size()];
                cookie = "ref=" + t + "; ref=" + valid.substr(0, rng() % valid.size());
                break;
            }
            case 2:
                cookie = "consent=" + random_bytes(rng, 3, "01x") + "; ref=" + valid;
                break;
            default:
                cookie = random_bytes(rng, 100, any_printable);
                break;
        }

        std::string req = methods[rng() % methods.size()] + " " + target + " HTTP/1.1\r\n" +
                          "Host: localhost\r\nConnection: close\r\nCookie: " + cookie + "\r\n" +
                          "User-Agent: " + random_bytes(rng, 60, any_printable) + "\r\n";
        if (coin(rng) == 0)
            req += "Sec-Fetch-Dest: " + random_bytes(rng, 8, "iframeimagscript") + "\r\n";
        if (coin(rng) == 0)
            req += "Sec-Purpose: " + random_bytes(rng, 10, "prefetch;") + "\r\n";
        req += "Content-Length: 0\r\n\r\n";

        std::string resp = testing_support::http_raw(nginx_->port(), req);
        ASSERT_EQ(resp.compare(0, 9, "HTTP/1.1 "), 0) << "request " << i << ":\n"
                                                      << req << "\n---\n"
                                                      << resp;
        int status = std::stoi(resp.substr(9, 3));
        EXPECT_LT(status, 500) << "request " << i << ":\n" << req;
    }
    EXPECT_EQ(nginx_->error_log().find("exited on signal"), std::string::npos);
}

}  // namespace
}  // namespace module_test
