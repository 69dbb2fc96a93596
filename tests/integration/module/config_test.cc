// Configuration mistakes fail `nginx -t` with a message naming the directive.

#include <sys/stat.h>
#include <unistd.h>

#include "module_fixture.h"

namespace module_test {
namespace {

class ConfigTest : public ModuleTest {};

std::string server(const std::string &http_extra,
                   const std::string &server_extra = "referral on;") {
    return http_extra + "\nserver { listen 127.0.0.1:@PORT@; server_name shop.example; " +
           server_extra + " location / { return 200; } }\n";
}

void expect_failure(ConfigTest *t, const std::string &conf, const std::string &keys,
                    const std::vector<std::string> &needles) {
    std::string out;
    EXPECT_NE(t->test_config(conf, &out, keys), 0) << out;
    for (const auto &n : needles) {
        EXPECT_NE(out.find(n), std::string::npos) << "expected \"" << n << "\" in:\n" << out;
    }
}

}  // namespace

TEST_F(ConfigTest, GoodConfigPasses) {
    std::string out;
    EXPECT_EQ(
        test_config(server("referral_secret_file @KEYS@;\n"
                           "referral_cookie ref domain=.example.com path=/ max_age=400d secure "
                           "httponly=on samesite=strict;\n"
                           "referral_param ref r;\nreferral_code_max_length 128;\n"
                           "referral_attribution first;\nreferral_site shop;\n"),
                    &out),
        0)
        << out;
}

TEST_F(ConfigTest, KeyFileMistakesNameTheDirective) {
    const std::string conf = server("referral_secret_file @KEYS@;");
    expect_failure(this, server("referral_secret_file /nonexistent/keys;"), kKeys,
                   {"referral_secret_file", "cannot open", "/nonexistent/keys"});
    expect_failure(this, conf, "k1:00010203\n", {"referral_secret_file", "line 1"});
    expect_failure(this, conf, "just-a-line-without-colon\n", {"referral_secret_file", "line 1"});
    expect_failure(this, conf,
                   "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
                   "k1:8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778\n",
                   {"referral_secret_file", "line 2"});
    expect_failure(this, conf, "", {"referral_secret_file"});
}

TEST_F(ConfigTest, KeyFileWritableByOthersFailsReadableWarns) {
    const std::string conf = server("referral_secret_file @KEYS@;");
    for (unsigned mode : {0620u, 0602u, 0666u}) {
        std::string out;
        EXPECT_NE(test_config(conf, &out, kKeys, mode), 0) << std::oct << mode << "\n" << out;
        EXPECT_NE(out.find("referral_secret_file"), std::string::npos) << out;
        EXPECT_NE(out.find("writable by group or others"), std::string::npos) << out;
    }
    for (unsigned mode : {0640u, 0604u, 0444u}) {
        std::string out;
        EXPECT_EQ(test_config(conf, &out, kKeys, mode), 0) << std::oct << mode << "\n" << out;
        EXPECT_NE(out.find("[warn]"), std::string::npos) << out;
        EXPECT_NE(out.find("readable by group or others"), std::string::npos) << out;
    }
    for (unsigned mode : {0600u, 0400u}) {
        std::string out;
        EXPECT_EQ(test_config(conf, &out, kKeys, mode), 0) << std::oct << mode << "\n" << out;
        EXPECT_EQ(out.find("referral_secret_file"), std::string::npos) << out;
    }
}

TEST_F(ConfigTest, PlaceholderKeyFails) {
    const std::string conf = server("referral_secret_file @KEYS@;");
    expect_failure(this, conf, "k1:" + std::string(64, '0') + "\n",
                   {"referral_secret_file", "line 1", "repeated"});
    expect_failure(this, conf, "# ring\nk2:" + std::string(64, 'f') + "\n",
                   {"referral_secret_file", "line 2", "repeated"});
}

TEST_F(ConfigTest, SpoolDirectoryOthersCanWriteOrWorkersCannotReachFails) {
    testing_support::TempDir dir;
    const std::string spool = dir.path() + "/spool";
    ASSERT_EQ(mkdir(spool.c_str(), 0700), 0);
    auto conf = [](const std::string &path) {
        return server("referral_secret_file @KEYS@;\nreferral_spool " + path + ";");
    };
    std::string out;
    EXPECT_EQ(test_config(conf(spool), &out), 0) << out;
    for (mode_t mode : {0777, 0770, 0702, 0720}) {
        ASSERT_EQ(chmod(spool.c_str(), mode), 0);
        expect_failure(this, conf(spool), kKeys,
                       {"referral_spool", spool, "writable by group or others"});
    }
    ASSERT_EQ(chmod(spool.c_str(), 0700), 0);

    testing_support::write_file(dir.path() + "/file", "");
    expect_failure(this, conf(dir.path() + "/file"), kKeys, {"referral_spool", "not a directory"});

    expect_failure(this, server("referral_spool " + spool + ";", ""), kKeys,
                   {"referral_spool", "referral_secret_file"});

    if (geteuid() != 0) {
        GTEST_SKIP() << "the worker user differs from the master's only when nginx starts as root";
    }
    // Workers running as nobody: a spool they can reach passes (nginx hands it over), one under
    // a directory only root may enter fails.
    const std::string hidden = dir.path() + "/private";
    ASSERT_EQ(mkdir(hidden.c_str(), 0700), 0);
    for (const auto &[path, ok] : {std::pair{spool, true}, std::pair{hidden + "/spool", false}}) {
        testing_support::NginxServer nginx(
            "referral_secret_file @PREFIX@/conf/referral.keys;\nreferral_spool " + path + ";\n",
            "user nobody nogroup;");
        testing_support::write_secret_file(nginx.prefix() + "/conf/referral.keys", kKeys);
        out.clear();
        int rc = nginx.test_config(&out);
        if (ok) {
            EXPECT_EQ(rc, 0) << out;
        } else {
            EXPECT_NE(rc, 0) << out;
            EXPECT_NE(out.find("\"referral_spool\" \"" + path + "\" cannot be reached"),
                      std::string::npos)
                << out;
        }
    }
}

TEST_F(ConfigTest, KeyFileNeverEchoesKeyMaterial) {
    std::string out;
    test_config(server("referral_secret_file @KEYS@;"), &out,
                "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n");
    EXPECT_EQ(out.find("0a0b0c0d0e0f"), std::string::npos) << out;
}

TEST_F(ConfigTest, CookieMistakesNameTheDirective) {
    expect_failure(this, server("referral_secret_file @KEYS@; referral_cookie ref colour=blue;"),
                   kKeys, {"referral_cookie", "colour=blue"});
    expect_failure(this,
                   server("referral_secret_file @KEYS@; referral_cookie ref max_age=forever;"),
                   kKeys, {"referral_cookie", "max_age"});
    expect_failure(this, server("referral_secret_file @KEYS@; referral_cookie ref max_age=401d;"),
                   kKeys, {"referral_cookie", "400d"});
    expect_failure(this,
                   server("referral_secret_file @KEYS@; referral_cookie __Host-ref domain=a.com;"),
                   kKeys, {"referral_cookie", "__Host-"});
    expect_failure(this, server("referral_secret_file @KEYS@; referral_cookie \"bad name\";"),
                   kKeys, {"referral_cookie"});
}

TEST_F(ConfigTest, CaptureWithoutKeysFails) {
    expect_failure(this, server(""), kKeys, {"referral_secret_file"});
}

TEST_F(ConfigTest, OtherDirectiveMistakes) {
    const std::string keys = "referral_secret_file @KEYS@;";
    expect_failure(this, server(keys + " referral_code_max_length 129;"), kKeys,
                   {"referral_code_max_length"});
    expect_failure(this, server(keys + " referral_attribution sometimes;"), kKeys,
                   {"referral_attribution"});
    expect_failure(this, server(keys + " referral_param a=b;"), kKeys, {"referral_param"});
    expect_failure(this, server(keys, "referral maybe;"), kKeys, {"referral"});
}

}  // namespace module_test
