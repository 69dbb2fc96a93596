#!/usr/bin/env bash
# Instructions nginx executes per request in one scenario of bench/run.sh, counted by callgrind:
# unlike time, the count does not change with the machine's load, so two builds of the module
# can be compared on a busy machine.
#
#   bench/callgrind.sh capture [seconds]
#   MODULE_SO=/path/to/other/ngx_http_referral_module.so bench/callgrind.sh capture
#   CALLGRIND_OUT=capture.out bench/callgrind.sh capture    keeps the profile for callgrind_annotate
#
# valgrind does not emulate SHA-NI: OpenSSL falls back to generic SHA-256 there, so HMAC counts
# several times its real share (the microbenchmarks time it). Expects build-bench/ (or
# BENCH_BUILD_DIR) to hold the module.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
build=${BENCH_BUILD_DIR:-$root/build-bench}
name=${1:?usage: $0 SCENARIO [seconds]}
seconds=${2:-10}
module_so=${MODULE_SO:-$build/ngx_http_referral_module.so}
command -v valgrind >/dev/null || {
  echo "valgrind is not installed: apt-get install valgrind" >&2
  exit 1
}

# shellcheck source=lib/common.sh
. "$bench_dir/lib/common.sh"
# shellcheck source=lib/servers.sh
. "$bench_dir/lib/servers.sh"
# shellcheck source=lib/http.sh
. "$bench_dir/lib/http.sh"

start_session callgrind
preflight

scenario "$name"
nginx_dir=$work/nginx
nginx_port=$(free_port)
nginx_conf "$kind" "$nginx_dir" "$nginx_port"
# One process: the requests are served by the process valgrind runs.
sed -i 's/^master_process on;/master_process off;/' "$nginx_dir/nginx.conf"
start_bg "$work/valgrind.log" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf"
nginx_pid=$!
wait_port "$nginx_port" 60 || die "nginx did not start under valgrind: $(cat "$work/valgrind.log")"

wrk_args "$seconds"
args=("${args[@]/-c50/-c10}")
requests=$(taskset -c 1 wrk "${args[@]}" | parse_wrk | cut -f4)
stop_pid "$nginx_pid" QUIT
[ -z "${CALLGRIND_OUT:-}" ] || cp "$work/callgrind.out" "$CALLGRIND_OUT"
# Everything the event loop ran: requests, filters, the sink's Redis traffic and timers.
loop=$(callgrind_annotate --inclusive=yes "$work/callgrind.out" 2>/dev/null |
  awk '/ngx_process_events_and_timers/ && !found { gsub(/,/, "", $1); print $1; found = 1 }')
awk -v i="$loop" -v n="$requests" -v s="$name" 'BEGIN {
  printf "%s: %d requests, %.0f instructions per request in the event loop\n", s, n, i / n }'
