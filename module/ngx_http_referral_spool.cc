// Spool files: written with plain write() on the worker, without an fsync per event (an append
// lands in the page cache in about a microsecond; a sync would cost milliseconds on the request
// path's worker). A worker that exits syncs its file; a machine that loses power can lose the
// last seconds of spooled events, a crashed worker loses nothing that reached write().
//
// Locks are fcntl (POSIX) record locks: the kernel drops them when their process dies, which is
// what tells a live worker's file from an orphan. They belong to the process, not to the
// descriptor, so closing *any* descriptor of a locked file releases the lock: a file this worker
// holds is never opened a second time (holds()).
//
// Provenance: whoever can write the spool directory could plant files for a worker to replay. The
// directory's owner and mode are checked at configuration time (ngx_http_referral_spool_check.cc);
// here only the worker user's own regular files of mode 0600 are adopted (opened with O_NOFOLLOW,
// checked with fstat), anything else is renamed aside; and every record carries a MAC keyed from
// the ring, so a record written without the key is copied to a quarantine file, never sent.

#include "ngx_http_referral_spool.h"

#include <dirent.h>

#include <algorithm>

#include "ngx_http_referral_counters.h"
#include "spool_format.h"

namespace spool = referral::spool;

static const size_t ngx_http_referral_spool_read_size = 64 * 1024;
static const size_t ngx_http_referral_spool_write_size = 64 * 1024;
static const time_t ngx_http_referral_spool_log_interval = 10;
static const char ngx_http_referral_spool_suffix[] = ".spool";
static const char ngx_http_referral_spool_fresh[] = ".new";
static const char ngx_http_referral_spool_quarantine[] = ".quarantine";

static bool ngx_http_referral_lock(ngx_fd_t fd) {
    struct flock fl;
    ngx_memzero(&fl, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return fcntl(fd, F_SETLK, &fl) == 0;
}

static bool ngx_http_referral_ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

static bool ngx_http_referral_write_all(ngx_fd_t fd, const char *p, size_t n, size_t *done) {
    *done = 0;
    while (*done < n) {
        ssize_t w = write(fd, p + *done, n - *done);
        if (w < 0) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }
            return false;
        }
        *done += w;
    }
    return true;
}

ngx_http_referral_spool_t::ngx_http_referral_spool_t(const ngx_str_t &dir, off_t max_size,
                                                     const referral::Keyring *keys, ngx_log_t *log)
    : dir_(reinterpret_cast<const char *>(dir.data), dir.len),
      max_size_(max_size),
      keys_(keys),
      log_(log) {}

ngx_http_referral_spool_t::~ngx_http_referral_spool_t() {
    for (files_t *list : {&writer_, &readers_}) {
        for (auto &f : *list) {
            for (ngx_fd_t fd : {f.fd, f.quarantine}) {
                if (fd != NGX_INVALID_FILE) {
                    ngx_close_file(fd);
                }
            }
        }
    }
}

bool ngx_http_referral_spool_t::may_log(time_t *last) {
    if (ngx_time() - *last < ngx_http_referral_spool_log_interval) {
        return false;
    }
    *last = ngx_time();
    return true;
}

// A new file is made under a name scans ignore, locked and given its header, and only then
// renamed to its .spool name: no other worker can find it unlocked, or without a header.
bool ngx_http_referral_spool_t::open_writer() {
    static const ngx_uint_t attempts = 3;
    for (ngx_uint_t i = 0; i < attempts; i++) {
        // Named by start time first, so that sorting names puts older files first.
        u_char name[NGX_TIME_T_LEN + NGX_INT64_LEN * 2 + sizeof(ngx_http_referral_spool_suffix)];
        u_char *end = ngx_sprintf(name, "%T-%P-%06ui%s", ngx_time(), ngx_pid, seq_++,
                                  ngx_http_referral_spool_suffix);
        ngx_http_referral_spool_file_t f;
        f.path = dir_ + '/' + std::string(reinterpret_cast<char *>(name), end - name);
        std::string fresh = f.path + ngx_http_referral_spool_fresh;

        f.fd = open(fresh.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (f.fd == NGX_INVALID_FILE) {
            if (ngx_errno == NGX_EEXIST) {
                continue;
            }
            if (may_log(&error_logged_)) {
                ngx_log_error(NGX_LOG_ERR, log_, ngx_errno,
                              "referral: cannot create spool file \"%s\"", fresh.c_str());
            }
            return false;
        }

        std::string header = spool::encode_header(spool::kHeaderSize);
        ngx_file_info_t fi;
        size_t done;
        // A scan may have taken the fresh file for a dead worker's and removed it: try again.
        if (!ngx_http_referral_lock(f.fd) ||
            !ngx_http_referral_write_all(f.fd, header.data(), header.size(), &done) ||
            ngx_fd_info(f.fd, &fi) == NGX_FILE_ERROR ||
            rename(fresh.c_str(), f.path.c_str()) == -1) {
            ngx_err_t err = ngx_errno;
            ngx_close_file(f.fd);
            if (i + 1 == attempts && may_log(&error_logged_)) {
                ngx_log_error(NGX_LOG_ERR, log_, err, "referral: cannot start spool file \"%s\"",
                              f.path.c_str());
            }
            continue;
        }
        f.dev = fi.st_dev;
        f.ino = fi.st_ino;
        f.size = f.parsed = f.replayed = f.header_replayed = spool::kHeaderSize;
        total_ += f.size;
        writer_records_ = 0;
        writer_.push_back(std::move(f));
        return true;
    }
    return false;
}

off_t ngx_http_referral_spool_t::framed(std::string_view record) const {
    return spool::record_size(keys_->signer().kid, record.size());
}

void ngx_http_referral_spool_t::drop() {
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_dropped);
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log_, 0,
                   "referral: event dropped: the spool is full or cannot be written");
    dropped_++;
    if (may_log(&full_logged_)) {
        ngx_log_error(NGX_LOG_ERR, log_, 0,
                      "referral: spool \"%s\" is full (max_size=%O) or cannot be written, and "
                      "there is no room in memory: %ui events lost",
                      dir_.c_str(), max_size_, dropped_);
        dropped_ = 0;
    }
}

bool ngx_http_referral_spool_t::append(std::string_view record) {
    if (record.size() > spool::kMaxPayload || !has_room(framed(record))) {
        return false;
    }
    if (writer_.empty() && !open_writer()) {
        writable_ = false;
        return false;
    }
    spool::append_record(&wbuf_, keys_->signer(), record);
    wbuf_ends_.push_back(wbuf_.size());
    total_ += framed(record);
    if (wbuf_.size() >= ngx_http_referral_spool_write_size) {
        flush();
    }
    return true;
}

void ngx_http_referral_spool_t::flush() {
    if (wbuf_.empty()) {
        return;
    }
    ngx_http_referral_spool_file_t &w = writer_.front();
    size_t done;
    bool ok = ngx_http_referral_write_all(w.fd, wbuf_.data(), wbuf_.size(), &done);
    w.size += done;

    ngx_uint_t written =
        std::upper_bound(wbuf_ends_.begin(), wbuf_ends_.end(), done) - wbuf_ends_.begin();
    writer_records_ += written;
    ngx_http_referral_count(NGX_HTTP_REFERRAL_events_spooled, written);
    if (!ok) {
        ngx_err_t err = ngx_errno;
        // The records not (wholly) written go back to the sink, payloads only.
        size_t kid = keys_->signer().kid.size();
        for (ngx_uint_t i = written; i < wbuf_ends_.size(); i++) {
            size_t start = i ? wbuf_ends_[i - 1] : 0;
            size_t skip = spool::kFrameOverhead + 1 + kid;
            unwritten_.emplace_back(wbuf_, start + skip,
                                    wbuf_ends_[i] - start - skip - spool::kMacSize);
        }
        total_ -= wbuf_.size() - done;
        writable_ = false;
        if (may_log(&error_logged_)) {
            ngx_log_error(NGX_LOG_ERR, log_, err,
                          "referral: write() to spool file \"%s\" failed: %uz events not "
                          "spooled, kept in memory while there is room",
                          w.path.c_str(), static_cast<size_t>(wbuf_ends_.size() - written));
        }
        // A torn record now ends the file: read it back as it is and append to a new one.
        readers_.splice(readers_.end(), writer_);
        writer_records_ = 0;
    }
    wbuf_.clear();
    wbuf_ends_.clear();
}

bool ngx_http_referral_spool_t::backlog() const {
    if (writer_records_ || !wbuf_.empty()) {
        return true;
    }
    return std::any_of(readers_.begin(), readers_.end(),
                       [](const ngx_http_referral_spool_file_t &f) { return !f.exhausted(); });
}

bool ngx_http_referral_spool_t::read_more(ngx_http_referral_spool_file_t &f) {
    f.buf.erase(0, f.pos);
    f.pos = 0;
    off_t at = f.parsed + f.buf.size();
    size_t n = std::min<off_t>(ngx_http_referral_spool_read_size, f.size - at);
    size_t have = f.buf.size();
    f.buf.resize(have + n);
    ssize_t r = pread(f.fd, f.buf.data() + have, n, at);
    if (r <= 0) {
        f.buf.resize(have);
        if (may_log(&error_logged_)) {
            ngx_log_error(NGX_LOG_ERR, log_, r < 0 ? ngx_errno : 0,
                          "referral: cannot read spool file \"%s\" at %O", f.path.c_str(), at);
        }
        return false;
    }
    f.buf.resize(have + r);
    return true;
}

bool ngx_http_referral_spool_t::next(ngx_http_referral_event_t *event, size_t *budget) {
    for (;;) {
        for (auto it = readers_.begin(); it != readers_.end();) {
            if (next_in(*it, event, budget)) {
                return true;
            }
            if (!it->exhausted()) {
                return false;  // the budget is spent
            }
            auto done = it++;
            if (done->handed.empty()) {
                remove(done);
            }
        }
        if (writer_records_ == 0 && wbuf_.empty()) {
            return false;
        }
        // This worker's own file is read only once nothing older waits; it then takes no more
        // appends (the next append starts a new file), so reading never races writing.
        flush();
        readers_.splice(readers_.end(), writer_);
        writer_records_ = 0;
    }
}

bool ngx_http_referral_spool_t::next_in(ngx_http_referral_spool_file_t &f,
                                        ngx_http_referral_event_t *event, size_t *budget) {
    while (!f.exhausted() && *budget > 0) {
        off_t read_end = f.parsed - static_cast<off_t>(f.pos) + static_cast<off_t>(f.buf.size());
        bool at_eof = read_end == f.size;
        std::string_view rest(f.buf.data() + f.pos, f.buf.size() - f.pos);
        std::string_view body, payload;
        size_t consumed;
        spool::Parse p = spool::parse_record(rest, at_eof, &body, &consumed);
        if (p == spool::Parse::need_more) {
            if (at_eof || !read_more(f)) {
                // Unreadable: the rest of the file counts as a torn tail.
                f.skipped += f.size - f.parsed;
                f.parsed = f.size;
            }
            continue;
        }
        // Garbage may have cost a CRC over as much as was buffered: charge all of it.
        *budget -= std::min(*budget, p == spool::Parse::record ? consumed : rest.size());
        if (p == spool::Parse::record && !spool::open_record(*keys_, body, &payload)) {
            quarantine(f, rest.substr(0, consumed));
            p = spool::Parse::garbage;
        } else if (p == spool::Parse::garbage) {
            f.skipped += consumed;
        }
        f.pos += consumed;
        f.parsed += consumed;
        if (p == spool::Parse::garbage) {
            continue;
        }
        event->record.assign(payload);
        event->source = &f;
        event->end = f.parsed;
        f.handed.push_back({f.parsed, false});
        ngx_http_referral_count(NGX_HTTP_REFERRAL_events_replayed);
        return true;
    }
    return false;
}

void ngx_http_referral_spool_t::release(const ngx_http_referral_event_t &event) {
    ngx_http_referral_spool_file_t &f = *event.source;
    auto h = std::lower_bound(f.handed.begin(), f.handed.end(), event.end,
                              [](const auto &a, off_t end) { return a.end < end; });
    if (h == f.handed.end() || h->end != event.end) {
        return;
    }
    h->released = true;
    while (!f.handed.empty() && f.handed.front().released) {
        f.replayed = f.handed.front().end;
        f.handed.pop_front();
    }
    if (f.handed.empty() && f.exhausted()) {
        auto it = std::find_if(readers_.begin(), readers_.end(),
                               [&f](const ngx_http_referral_spool_file_t &r) { return &r == &f; });
        remove(it);
    }
}

// A file whose every record Redis has: deleted while its lock is still held, so a worker that
// opened it meanwhile finds it unlinked once it gets the lock (adopt()).
void ngx_http_referral_spool_t::remove(files_t::iterator it) {
    if (it->skipped) {
        ngx_log_error(NGX_LOG_WARN, log_, 0,
                      "referral: skipped %O corrupt or torn bytes in spool file \"%s\"",
                      it->skipped, it->path.c_str());
    }
    if (unlink(it->path.c_str()) == -1) {
        ngx_log_error(NGX_LOG_ERR, log_, ngx_errno, "referral: cannot delete spool file \"%s\"",
                      it->path.c_str());
    }
    close_file(*it);
    total_ -= it->size;
    readers_.erase(it);
}

void ngx_http_referral_spool_t::close_file(ngx_http_referral_spool_file_t &f) {
    if (f.quarantine != NGX_INVALID_FILE) {
        ngx_close_file(f.quarantine);
        f.quarantine = NGX_INVALID_FILE;
    }
    ngx_close_file(f.fd);
    f.fd = NGX_INVALID_FILE;
}

// Kept as they were, in a file of the spool's own format: an operator who finds that a key left
// the ring too early puts it back and renames the file to *.spool to have its records replayed.
void ngx_http_referral_spool_t::quarantine(ngx_http_referral_spool_file_t &f,
                                           std::string_view framed) {
    ngx_http_referral_count(NGX_HTTP_REFERRAL_spool_records_quarantined);
    std::string path = f.path + ngx_http_referral_spool_quarantine;
    if (f.quarantined++ == 0) {
        ngx_log_error(NGX_LOG_ERR, log_, 0,
                      "referral: a record of spool file \"%s\" fails its MAC (planted, or "
                      "written with a key no longer in the ring): not sent, copied to \"%s\"",
                      f.path.c_str(), path.c_str());
    }
    if (f.quarantine == NGX_INVALID_FILE) {
        f.quarantine =
            open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        ngx_file_info_t fi;
        std::string header = spool::encode_header(spool::kHeaderSize);
        size_t done;
        if (f.quarantine == NGX_INVALID_FILE || ngx_fd_info(f.quarantine, &fi) == NGX_FILE_ERROR ||
            (fi.st_size == 0 &&
             !ngx_http_referral_write_all(f.quarantine, header.data(), header.size(), &done))) {
            ngx_log_error(NGX_LOG_ERR, log_, ngx_errno, "referral: cannot write \"%s\"",
                          path.c_str());
            if (f.quarantine != NGX_INVALID_FILE) {
                ngx_close_file(f.quarantine);
                f.quarantine = NGX_INVALID_FILE;
            }
            return;
        }
    }
    size_t done;
    if (!ngx_http_referral_write_all(f.quarantine, framed.data(), framed.size(), &done) &&
        may_log(&error_logged_)) {
        ngx_log_error(NGX_LOG_ERR, log_, ngx_errno, "referral: cannot write \"%s\"", path.c_str());
    }
}

// Not adopted, and renamed so that later scans pass over it: the operator decides. Counted by
// the worker whose rename succeeds (every worker's scan may find the same file).
void ngx_http_referral_spool_t::set_aside(const std::string &path, const char *suffix,
                                          const char *why) {
    std::string aside = path + suffix;
    if (rename(path.c_str(), aside.c_str()) == -1) {
        if (ngx_errno != NGX_ENOENT && may_log(&error_logged_)) {
            ngx_log_error(NGX_LOG_ERR, log_, ngx_errno,
                          "referral: \"%s\" %s and cannot be renamed: not replayed", path.c_str(),
                          why);
        }
        return;
    }
    ngx_http_referral_count(NGX_HTTP_REFERRAL_spool_files_rejected);
    ngx_log_error(NGX_LOG_ERR, log_, 0, "referral: \"%s\" %s: not replayed, renamed to \"%s\"",
                  path.c_str(), why, aside.c_str());
}

void ngx_http_referral_spool_t::write_header(ngx_http_referral_spool_file_t &f) {
    std::string header = spool::encode_header(f.replayed);
    if (pwrite(f.fd, header.data(), header.size(), 0) == static_cast<ssize_t>(header.size())) {
        f.header_replayed = f.replayed;
    } else if (may_log(&error_logged_)) {
        ngx_log_error(NGX_LOG_ERR, log_, ngx_errno,
                      "referral: cannot record progress in spool file \"%s\"", f.path.c_str());
    }
}

bool ngx_http_referral_spool_t::holds(const ngx_file_info_t &fi) const {
    for (const files_t *list : {&writer_, &readers_}) {
        for (const auto &f : *list) {
            if (f.dev == fi.st_dev && f.ino == fi.st_ino) {
                return true;
            }
        }
    }
    return false;
}

void ngx_http_referral_spool_t::adopt(const std::string &path) {
    // O_NONBLOCK: a FIFO planted under a spool name must not stall the worker in open().
    ngx_fd_t fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd == NGX_INVALID_FILE) {
        ngx_err_t err = ngx_errno;
        if (err == ELOOP) {
            set_aside(path, ".rejected", "is a symbolic link");
        } else if (err == NGX_EACCES || err == NGX_EPERM) {
            set_aside(path, ".rejected", "is not the worker user's");
        } else if (err != NGX_ENOENT && may_log(&error_logged_)) {
            // Gone meanwhile is normal; anything else needs the operator.
            ngx_log_error(NGX_LOG_ERR, log_, err, "referral: cannot open spool file \"%s\"",
                          path.c_str());
        }
        return;
    }
    ngx_file_info_t fi;
    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_close_file(fd);
        return;
    }
    if (!S_ISREG(fi.st_mode)) {
        ngx_close_file(fd);
        set_aside(path, ".rejected", "is not a regular file");
        return;
    }
    if (!ngx_http_referral_lock(fd) || ngx_fd_info(fd, &fi) == NGX_FILE_ERROR || fi.st_nlink == 0) {
        // A live process holds it (whoever it runs as), or its last reader deleted it after we
        // opened it.
        ngx_close_file(fd);
        return;
    }
    if (fi.st_uid != geteuid() || (fi.st_mode & 07777) != 0600) {
        ngx_close_file(fd);
        set_aside(
            path, ".rejected",
            fi.st_uid != geteuid() ? "is not owned by the worker user" : "does not have mode 0600");
        return;
    }

    char header[spool::kHeaderSize];
    uint64_t replayed = 0;
    ssize_t n = pread(fd, header, sizeof(header), 0);
    bool valid = n == static_cast<ssize_t>(sizeof(header)) &&
                 spool::decode_header({header, sizeof(header)}, &replayed);
    if (!valid && fi.st_size >= static_cast<off_t>(spool::kHeaderSize)) {
        // Not ours to read (or of the earlier format, without MACs), and not ours to delete.
        ngx_close_file(fd);
        set_aside(path, ".corrupt", "is not a spool file of this version");
        return;
    }

    ngx_http_referral_spool_file_t f;
    f.path = path;
    f.fd = fd;
    f.dev = fi.st_dev;
    f.ino = fi.st_ino;
    f.size = fi.st_size;
    if (!valid || replayed < spool::kHeaderSize || replayed > static_cast<uint64_t>(f.size)) {
        // Cut short while it was created, or a header this worker cannot trust: read it all.
        replayed = std::min<off_t>(spool::kHeaderSize, f.size);
    }
    f.parsed = f.replayed = f.header_replayed = replayed;
    readers_.push_back(std::move(f));
    if (readers_.back().exhausted()) {
        remove(std::prev(readers_.end()));
        return;
    }
    ngx_log_error(NGX_LOG_NOTICE, log_, 0, "referral: replaying spool file \"%s\" from offset %O",
                  path.c_str(), static_cast<off_t>(replayed));
}

void ngx_http_referral_spool_t::housekeeping(bool scan) {
    for (auto &f : readers_) {
        if (f.replayed != f.header_replayed) {
            write_header(f);
        }
    }
    if (!scan) {
        return;
    }
    // Disk space may have been freed: the next append tries again.
    writable_ = true;

    DIR *dir = opendir(dir_.c_str());
    if (dir == NULL) {
        if (may_log(&error_logged_)) {
            ngx_log_error(NGX_LOG_ERR, log_, ngx_errno, "referral: cannot open spool \"%s\"",
                          dir_.c_str());
        }
        return;
    }
    off_t total = 0;
    std::vector<std::string> orphans, abandoned, links, others;
    while (struct dirent *de = readdir(dir)) {
        std::string_view name(de->d_name);
        const std::string_view suffix(ngx_http_referral_spool_suffix);
        const std::string_view fresh(ngx_http_referral_spool_fresh);
        bool is_fresh = ngx_http_referral_ends_with(name, fresh);
        if (is_fresh) {
            name.remove_suffix(fresh.size());
        }
        if (!ngx_http_referral_ends_with(name, suffix) || name.size() == suffix.size()) {
            continue;
        }
        std::string path = dir_ + '/' + de->d_name;
        ngx_file_info_t fi;
        if (ngx_link_info(path.c_str(), &fi) == NGX_FILE_ERROR) {
            continue;
        }
        if (!S_ISREG(fi.st_mode)) {
            // Planted: workers make nothing but regular files.
            (S_ISLNK(fi.st_mode) ? links : others).push_back(std::move(path));
            continue;
        }
        total += fi.st_size;
        if (holds(fi)) {
            continue;
        }
        if (is_fresh) {
            abandoned.push_back(std::move(path));
        } else {
            orphans.push_back(std::move(path));
        }
    }
    closedir(dir);
    total_ = total + wbuf_.size();

    for (const auto &path : links) {
        set_aside(path, ".rejected", "is a symbolic link");
    }
    for (const auto &path : others) {
        set_aside(path, ".rejected", "is not a regular file");
    }

    // Oldest first.
    std::sort(orphans.begin(), orphans.end());
    for (const auto &path : orphans) {
        adopt(path);
    }
    // A worker died while creating these: they hold no events.
    for (const auto &path : abandoned) {
        ngx_fd_t fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd == NGX_INVALID_FILE) {
            continue;
        }
        if (ngx_http_referral_lock(fd)) {
            unlink(path.c_str());
        }
        ngx_close_file(fd);
    }
}

void ngx_http_referral_spool_t::sync_and_close() {
    flush();
    for (auto &w : writer_) {
        if (writer_records_ == 0) {
            unlink(w.path.c_str());
        } else if (fsync(w.fd) == -1) {
            ngx_log_error(NGX_LOG_ERR, log_, ngx_errno, "referral: fsync(\"%s\") failed",
                          w.path.c_str());
        }
        ngx_close_file(w.fd);
        w.fd = NGX_INVALID_FILE;
    }
    writer_.clear();

    // Files read back in part keep what Redis has not acknowledged: their header tells the
    // worker that adopts them next where to start.
    while (!readers_.empty()) {
        ngx_http_referral_spool_file_t &f = readers_.front();
        if (f.handed.empty() && f.exhausted()) {
            remove(readers_.begin());
            continue;
        }
        if (f.replayed != f.header_replayed) {
            write_header(f);
            (void)fsync(f.fd);
        }
        close_file(f);
        readers_.pop_front();
    }
}
