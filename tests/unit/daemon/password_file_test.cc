// rewards.toml's redis.password_file is read by the same rule as the module's password_file=:
// the first line, without its line end and the blanks around it.
#include <string>

#include <gtest/gtest.h>

#include "config.h"
#include "process.h"

namespace referral::rewardd {
namespace {

class PasswordFileTest : public ::testing::Test {
  protected:
    std::string path() const { return dir_.path() + "/pw"; }

    // The password read, or the error message.
    std::string load(const std::string &text) {
        testing_support::write_file(path(), text);
        try {
            return parse_config(
                       "[redis]\npassword_file = \"" + path() + "\"\n[referrer]\npercent = 1\n",
                       "rewards.toml")
                .redis.password;
        } catch (const ConfigError &e) {
            return e.what();
        }
    }

    testing_support::TempDir dir_;
};

TEST_F(PasswordFileTest, CrlfAndBlanksAreTrimmed) {
    EXPECT_EQ(load("s3cret\n"), "s3cret");
    EXPECT_EQ(load("s3cret\r\n"), "s3cret");
    EXPECT_EQ(load("  s3cret pass \r\n# ignored\n"), "s3cret pass");
}

TEST_F(PasswordFileTest, EmptyAndOverlongAreErrors) {
    EXPECT_EQ(load("\r\n"), "rewards.toml: redis.password_file: " + path() +
                                " is empty: put the password on its first line");
    EXPECT_EQ(load(std::string(2000, 'x')),
              "rewards.toml: redis.password_file: the first line of " + path() +
                  " is longer than 1023 bytes");
}

}  // namespace
}  // namespace referral::rewardd
