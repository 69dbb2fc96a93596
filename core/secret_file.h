// Password files (referral_redis password_file=, rewards.toml redis.password_file): the
// password is the file's first line. nginx and the daemon read them with this one rule, so a
// file saved with CRLF line ends, or with blanks around the password, works for both.
#pragma once

#include <cstddef>
#include <string_view>

namespace referral {

// text's first line without its line end and without the spaces and tabs around it; a '\r'
// (or several, mixed with blanks) before the end of the line goes too.
std::string_view first_line_secret(std::string_view text);

// The first line of a small file, read once at configuration time. The bytes read are wiped
// when the object goes; callers copy the secret out before that.
class SecretFile {
  public:
    enum class Status { ok, cannot_open, cannot_read, too_long, empty };
    static constexpr size_t kMaxLine = 1023;

    explicit SecretFile(const char *path);
    ~SecretFile();
    SecretFile(const SecretFile &) = delete;
    SecretFile &operator=(const SecretFile &) = delete;

    Status status() const { return status_; }
    int error() const { return errno_; }  // errno of cannot_open and cannot_read
    std::string_view secret() const { return secret_; }

  private:
    char buf_[kMaxLine + 1];
    Status status_ = Status::ok;
    int errno_ = 0;
    std::string_view secret_;
};

}  // namespace referral
