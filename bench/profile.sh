#!/usr/bin/env bash
# Profiles nginx's worker in one scenario of bench/run.sh with perf (software cpu-clock
# samples: virtual machines often have no hardware counters) and prints the hottest symbols.
#
#   bench/profile.sh capture [seconds]     scenarios: plain userid lua capture cookie conv_up conv_down
#
# Expects bench/run.sh to have built build-bench/ (or BENCH_BUILD_DIR) once.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
build=${BENCH_BUILD_DIR:-$root/build-bench}
name=${1:?usage: $0 SCENARIO [seconds]}
duration=${2:-5}
module_so=$build/ngx_http_referral_module.so
[ -f "$module_so" ] || {
  echo "build $module_so first (bench/run.sh)" >&2
  exit 1
}
command -v perf >/dev/null || {
  echo "perf is not installed: apt-get install linux-perf" >&2
  exit 1
}

# shellcheck source=lib/common.sh
. "$bench_dir/lib/common.sh"
# shellcheck source=lib/servers.sh
. "$bench_dir/lib/servers.sh"
# shellcheck source=lib/http.sh
. "$bench_dir/lib/http.sh"

start_session profile
preflight

scenario "$name"
start_nginx "$kind"
wrk_args 1
taskset -c 1 wrk "${args[@]}" >/dev/null
wrk_args "$duration"
start_bg "$work/perf.log" perf record -e cpu-clock -F 20000 -o "$work/perf.data" -p "$worker_pid"
perf_pid=$!
taskset -c 1 wrk "${args[@]}" | grep -E 'Requests/sec'
stop_pid "$perf_pid" INT
report() { perf report -i "$work/perf.data" --stdio "$@" 2>/dev/null | grep -E '^ +[0-9]'; }
echo "== by object"
report --sort dso
echo "== hottest symbols"
report --sort dso,symbol | head -n 40
