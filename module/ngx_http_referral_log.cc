#include "ngx_http_referral_log.h"

static const ngx_uint_t ngx_http_referral_log_per_second = 10;

void ngx_http_referral_log_bad_input(ngx_http_request_t *r, const char *what, const u_char *value,
                                     size_t len) {
    static time_t window;
    static ngx_uint_t logged;

    if (r->connection->log->log_level < NGX_LOG_INFO) {
        return;
    }
    if (window != ngx_time()) {
        window = ngx_time();
        logged = 0;
    }
    if (logged++ >= ngx_http_referral_log_per_second) {
        return;
    }

    static const size_t limit = 64;
    u_char buf[limit * 4];
    u_char *p = buf;
    for (size_t i = 0; i < len && i < limit; i++) {
        u_char ch = value[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '"') {
            p = ngx_sprintf(p, "\\x%02xd", ch);
        } else {
            *p++ = ch;
        }
    }
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0, "referral: %s \"%*s\"%s", what,
                  static_cast<size_t>(p - buf), buf, len > limit ? "..." : "");
}
