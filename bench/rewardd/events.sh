# shellcheck shell=bash
# Events and enrolments as RESP for redis-cli --pipe, shaped as the module and the enroll
# command write them (22-character event and click ids, 16-hex ip and ua digests). Sourced by
# the scripts beside it.

# events_resp TYPE FIRST COUNT CODES: XADDs of click or conversion events number FIRST to
# FIRST+COUNT-1, for codes "code0".."code<CODES-1>" in turn; the event id is the type's first two
# letters and the number, a conversion's order and customer are its number.
events_resp() {
  awk -v type="$1" -v first="$2" -v n="$3" -v codes="$4" -v ts="$(($(date +%s) * 1000))" '
  function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
  BEGIN {
    for (i = first; i < first + n; i++) {
      printf "*%d\r\n", type == "click" ? 21 : 33
      arg("XADD"); arg("{referral}:events"); arg("*")
      arg("v"); arg("1"); arg("type"); arg(type); arg("id"); arg(sprintf("%s%020d", substr(type, 1, 2), i))
      arg("ts"); arg(ts); arg("site"); arg("shop"); arg("code"); arg("code" (i % codes))
      arg("click"); arg(sprintf("k%021d", i)); arg("ip"); arg(sprintf("%016x", i % 65536))
      arg("ua"); arg("fedcba9876543210")
      if (type != "click") {
        arg("first_ts"); arg(sprintf("%.0f", ts - 3600000)); arg("order"); arg("o" i); arg("customer"); arg("c" i)
        arg("amount"); arg(1000 + i % 9000); arg("currency"); arg("EUR")
        arg("trust"); arg("upstream")
      }
    }
  }'
}

# enrolments_resp COUNT: customers "owner<i>" owning codes "code<i>", as enroll records them,
# 1000 to a command.
enrolments_resp() {
  awk -v n="$1" '
  function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
  function flush(key, what, m,   j) {
    printf "*%d\r\n", 2 + m * (what == "codes" ? 1 : 2)
    arg(what == "codes" ? "SADD" : "HSET"); arg(key)
    for (j = from; j < from + m; j++) {
      if (what == "owner") { arg("code" j); arg("owner" j) }
      else if (what == "code_of") { arg("owner" j); arg("code" j) }
      else arg("code" j)
    }
  }
  BEGIN {
    for (from = 0; from < n; from += 1000) {
      m = n - from < 1000 ? n - from : 1000
      flush("{referral}:owner", "owner", m)
      flush("{referral}:code_of", "code_of", m)
      flush("{referral}:codes", "codes", m)
    }
  }'
}
