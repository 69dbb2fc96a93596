// The module's one error boundary (docs/design.md#errors-and-logging). nginx is C: an exception
// must never unwind into it. Every nginx callback whose work can throw (handlers, the header
// filter, variable getters, event and timer handlers, init/exit process, directive and merge
// handlers that use the standard library) runs that work through ngx_http_referral_guard(),
// which catches everything, logs it at NGX_LOG_ALERT ("referral: <where>: <what>") and returns
// the callback's failure value. An exception there is a bug or exhausted memory, never bad
// input: bad input, Redis failures and configuration mistakes are not exceptions and keep their
// own levels.
//
// Free where nothing throws: the body is inlined and the catch clause is unwinding data.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
}

#include <type_traits>

// Logs the exception being handled. Called only from within a catch clause.
void ngx_http_referral_guard_failed(ngx_log_t *log, const char *where) noexcept;

// Runs body(); when it throws, logs and returns failure.
template <typename F>
std::invoke_result_t<F &> ngx_http_referral_guard(ngx_log_t *log, const char *where,
                                                  std::invoke_result_t<F &> failure,
                                                  F &&body) noexcept {
    try {
        return body();
    } catch (...) {
        ngx_http_referral_guard_failed(log, where);
        return failure;
    }
}

// For callbacks that return nothing (event handlers, exit process).
template <typename F>
void ngx_http_referral_guard(ngx_log_t *log, const char *where, F &&body) noexcept {
    try {
        body();
    } catch (...) {
        ngx_http_referral_guard_failed(log, where);
    }
}
