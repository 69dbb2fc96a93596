// The disk spool of one worker (docs/design.md#spool-format): events Redis cannot take now are
// appended to a file this worker holds under an fcntl write lock; files whose lock can be taken
// belong to no live process (their worker exited or died) and are adopted and replayed. Only
// the worker user's own regular files of mode 0600 are adopted, and only records whose MAC a key
// of the ring verifies are sent: others are copied to a quarantine file and counted.
#pragma once

#include "ngx_http_referral_sink.h"

#include <deque>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "keyring.h"

struct ngx_http_referral_spool_file_t {
    std::string path;
    ngx_fd_t fd = NGX_INVALID_FILE;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;  // bytes in the file (the writer's: written so far)

    // Reading back: buf holds file bytes from offset parsed - pos on; pos is the next to parse.
    std::string buf;
    size_t pos = 0;
    off_t parsed = 0;
    off_t skipped = 0;  // corrupt or torn bytes passed over

    // Records that failed their MAC, copied as they are to path + ".quarantine".
    ngx_fd_t quarantine = NGX_INVALID_FILE;
    ngx_uint_t quarantined = 0;

    // Records handed out and not yet released, in file order; `replayed` is the offset below
    // which every record was released, the value the file's header should hold.
    struct handed_t {
        off_t end;
        bool released;
    };
    std::deque<handed_t> handed;
    off_t replayed = 0;
    off_t header_replayed = 0;  // what the header holds now

    bool exhausted() const { return parsed == size; }
};

class ngx_http_referral_spool_t {
  public:
    ngx_http_referral_spool_t(const ngx_str_t &dir, off_t max_size, const referral::Keyring *keys,
                              ngx_log_t *log);
    ~ngx_http_referral_spool_t();
    ngx_http_referral_spool_t(const ngx_http_referral_spool_t &) = delete;
    ngx_http_referral_spool_t &operator=(const ngx_http_referral_spool_t &) = delete;

    // Appends a record to this worker's file (buffered until flush()). False when it is not
    // taken (no room, or no file could be started): the caller decides where the event goes.
    bool append(std::string_view record);
    // An event lost for want of room here and in memory: counted, and logged at most every few
    // seconds.
    void drop();
    // Whether append() of records taking `bytes` (framed()) would fit under max_size, and the
    // spool has not failed a write since the last scan (a full disk).
    bool has_room(off_t bytes) const { return writable_ && total_ + bytes <= max_size_; }
    // The events of appends whose write() failed since the last call, oldest first: the sink
    // keeps them in memory if it can.
    std::vector<std::string> take_unwritten() {
        std::vector<std::string> out;
        out.swap(unwritten_);
        return out;
    }
    off_t framed(std::string_view record) const;
    // Writes buffered appends; records count as spooled once written.
    void flush();

    // Whether spooled events wait to be read back.
    bool backlog() const;
    // The next spooled record, oldest file first; false when there is none now, or when the
    // bytes parsed have used up *budget (left at 0 then: call again on a later turn).
    bool next(ngx_http_referral_event_t *event, size_t *budget);
    // Redis has the event: its file may advance past it.
    void release(const ngx_http_referral_event_t &event);

    // Periodic work: records progress in the headers of files being read and, with `scan`,
    // re-counts the directory's size and adopts orphan files.
    void housekeeping(bool scan);
    // Exit: writes and syncs this worker's file, records progress, releases every lock.
    void sync_and_close();

  private:
    using files_t = std::list<ngx_http_referral_spool_file_t>;

    bool open_writer();
    bool next_in(ngx_http_referral_spool_file_t &f, ngx_http_referral_event_t *event,
                 size_t *budget);
    bool read_more(ngx_http_referral_spool_file_t &f);
    void write_header(ngx_http_referral_spool_file_t &f);
    void remove(files_t::iterator it);
    void close_file(ngx_http_referral_spool_file_t &f);
    void quarantine(ngx_http_referral_spool_file_t &f, std::string_view framed);
    void adopt(const std::string &path);
    void set_aside(const std::string &path, const char *suffix, const char *why);
    bool holds(const ngx_file_info_t &fi) const;
    bool may_log(time_t *last);

    std::string dir_;
    off_t max_size_;
    const referral::Keyring *keys_;
    ngx_log_t *log_;

    files_t writer_;   // this worker's file for appends: none or one
    files_t readers_;  // files being read back, oldest first; a full writer joins them
    std::string wbuf_;
    std::vector<size_t> wbuf_ends_;  // record boundaries in wbuf_
    std::vector<std::string> unwritten_;
    bool writable_ = true;
    ngx_uint_t writer_records_ = 0;
    ngx_uint_t seq_ = 0;

    off_t total_ = 0;         // bytes in the directory at the last count plus appends since
    ngx_uint_t dropped_ = 0;  // since the last "full" log line
    time_t full_logged_ = 0;
    time_t error_logged_ = 0;
};
