#include "secret_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <openssl/crypto.h>

namespace referral {

std::string_view first_line_secret(std::string_view text) {
    std::string_view line = text.substr(0, text.find('\n'));
    size_t begin = line.find_first_not_of(" \t");
    size_t last = line.find_last_not_of(" \t\r");
    if (begin == std::string_view::npos || last == std::string_view::npos) {
        return {};
    }
    return line.substr(begin, last + 1 - begin);
}

SecretFile::SecretFile(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        status_ = Status::cannot_open;
        errno_ = errno;
        return;
    }
    size_t n = 0;
    while (n < sizeof(buf_)) {
        ssize_t got = read(fd, buf_ + n, sizeof(buf_) - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            status_ = Status::cannot_read;
            errno_ = errno;
            close(fd);
            return;
        }
        if (got == 0) {
            break;
        }
        n += static_cast<size_t>(got);
    }
    close(fd);
    std::string_view text(buf_, n);
    if (n == sizeof(buf_) && text.find('\n') == std::string_view::npos) {
        status_ = Status::too_long;
        return;
    }
    secret_ = first_line_secret(text);
    if (secret_.empty()) {
        status_ = Status::empty;
    }
}

SecretFile::~SecretFile() {
    OPENSSL_cleanse(buf_, sizeof(buf_));
}

}  // namespace referral
