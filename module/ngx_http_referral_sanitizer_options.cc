// Built into the module only with REFERRAL_SANITIZE. UBSan reads UBSAN_OPTIONS from
// /proc/self/environ at its first report, in a worker whose environment nginx has long since
// overwritten with its process title, so the options come from here: abort, so that nginx logs
// "exited on signal" as an alert the tests look for, rather than a quiet exit(1) it answers by
// respawning the worker.
extern "C" __attribute__((visibility("default"))) const char *__ubsan_default_options() {
    return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}
