#include "ngx_http_referral_guard.h"

#include <exception>

void ngx_http_referral_guard_failed(ngx_log_t *log, const char *where) noexcept {
    try {
        throw;
    } catch (const std::exception &e) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "referral: %s: %s", where, e.what());
    } catch (...) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "referral: %s: unknown exception", where);
    }
}
