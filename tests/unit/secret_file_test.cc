#include "secret_file.h"

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "process.h"

namespace referral {
namespace {

TEST(FirstLineSecret, TrimsTheLineEndAndBlanks) {
    struct Case {
        std::string text;
        std::string secret;
    };
    const Case cases[] = {
        {"s3cret", "s3cret"},
        {"s3cret\n", "s3cret"},
        {"s3cret\r\n", "s3cret"},
        {"  s3cret pass \r\n# ignored\n", "s3cret pass"},
        {"\ts3cret\t\n", "s3cret"},
        {"s3cret \r \r\n", "s3cret"},
        {"first\nsecond\n", "first"},
        {"with\rinside\n", "with\rinside"},
        {"", ""},
        {"\n", ""},
        {"\r\n", ""},
        {"   \t\r\n", ""},
        {"  \r", ""},
        {"\nsecond\n", ""},
    };
    for (const Case &c : cases) {
        EXPECT_EQ(first_line_secret(c.text), c.secret) << "text: " << c.text;
    }
}

class SecretFileTest : public ::testing::Test {
  protected:
    std::string path() const { return dir_.path() + "/pw"; }
    void write(const std::string &text) { testing_support::write_file(path(), text); }

    testing_support::TempDir dir_;
};

TEST_F(SecretFileTest, ReadsTheFirstLine) {
    write("  s3cret pass \r\n# ignored\n");
    SecretFile file(path().c_str());
    EXPECT_EQ(file.status(), SecretFile::Status::ok);
    EXPECT_EQ(file.secret(), "s3cret pass");
}

TEST_F(SecretFileTest, LongestLine) {
    write(std::string(SecretFile::kMaxLine, 'x') + "\n");
    SecretFile file(path().c_str());
    EXPECT_EQ(file.status(), SecretFile::Status::ok);
    EXPECT_EQ(file.secret().size(), SecretFile::kMaxLine);
}

TEST_F(SecretFileTest, FirstLineTooLong) {
    write(std::string(SecretFile::kMaxLine + 1, 'x') + "\n");
    EXPECT_EQ(SecretFile(path().c_str()).status(), SecretFile::Status::too_long);
}

TEST_F(SecretFileTest, Empty) {
    for (const char *text : {"", "\n", " \r\n", "\nsecond line\n"}) {
        write(text);
        EXPECT_EQ(SecretFile(path().c_str()).status(), SecretFile::Status::empty) << text;
    }
}

TEST_F(SecretFileTest, Missing) {
    SecretFile file((dir_.path() + "/missing").c_str());
    EXPECT_EQ(file.status(), SecretFile::Status::cannot_open);
    EXPECT_EQ(file.error(), ENOENT);
}

TEST_F(SecretFileTest, Directory) {
    SecretFile file(dir_.path().c_str());
    EXPECT_EQ(file.status(), SecretFile::Status::cannot_read);
    EXPECT_EQ(file.error(), EISDIR);
}

}  // namespace
}  // namespace referral
