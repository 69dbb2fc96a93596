#!/usr/bin/env bash
# Measures what ngx_http_referral_module costs on nginx's hot path, side by side with plain
# nginx, nginx's userid filter and a Lua peer, plus microbenchmarks, the module's XADD rate and
# the reward daemon's rate. See bench/README.md.
#
#   bench/run.sh                 the full run (5 rounds of 8 s per scenario, about 12 minutes)
#   bench/run.sh --quick         checks that the harness works (under a minute, no thresholds)
#   bench/run.sh --rounds 3 --seconds 5
#   bench/run.sh --only "plain capture"   some HTTP scenarios only, and no other step (also
#                                         capture_nosink, which the full run leaves out)
#   bench/run.sh --no-build      measures what build-bench/ holds (no package or build step)
#
# BENCH_BUILD_DIR (default build-bench/) is the CMake build directory it uses.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
build=${BENCH_BUILD_DIR:-$root/build-bench}

only='' build_step=1 rounds=5 duration=8 warmup=2 micro_time=0.5 xadd_events=200000 xadd_burst=3
daemon_events=100000
command_line="bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) rounds=1 duration=1 warmup=0 micro_time=0.01 xadd_events=20000 xadd_burst=1
      daemon_events=2000 ;;
    --rounds) rounds=$2 && shift ;;
    --seconds) duration=$2 && shift ;;
    --only) only=$2 && shift ;;
    --no-build) build_step=0 ;;
    *)
      echo "usage: $0 [--quick] [--rounds N] [--seconds S] [--only \"SCENARIO...\"] [--no-build]" >&2
      exit 2
      ;;
  esac
  shift
done

# shellcheck source=lib/common.sh
. "$bench_dir/lib/common.sh"
# shellcheck source=lib/servers.sh
. "$bench_dir/lib/servers.sh"
# shellcheck source=lib/http.sh
. "$bench_dir/lib/http.sh"
# shellcheck source=lib/xadd.sh
. "$bench_dir/lib/xadd.sh"
# shellcheck source=lib/daemon.sh
. "$bench_dir/lib/daemon.sh"

work=$(mktemp -d /tmp/referral-bench.XXXXXX)
chmod 755 "$work"
report=$work/report.md
trap 'stop_all; rm -rf "$work"' EXIT

if [ "$build_step" = 1 ]; then
  step "Debian packages"
  bash "$bench_dir/lib/deps.sh"

  step "Building ($build)"
  [ -f "$build/CMakeCache.txt" ] ||
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFERRAL_BENCH=ON >/dev/null
  cmake --build "$build" -j2 --target ngx_http_referral_module referral_micro referral-rewardd \
    >"$work/build.log" 2>&1 ||
    die "build failed: $(tail -n 30 "$work/build.log")"
fi
module_so=$build/ngx_http_referral_module.so

write_keys
dead_port=$(free_port)

machine_facts() {
  echo "- command: \`$command_line\` ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs" \
    "($(grep -c -w sha_ni /proc/cpuinfo) with SHA-NI); kernel $(uname -r)"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(openssl version | cut -d' ' -f1-2)," \
    "redis-server $(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')," \
    "$(dpkg-query -W -f='libnginx-mod-http-lua ${Version}' libnginx-mod-http-lua)"
  echo "- wrk -t1 -c50 -d${duration}s on CPU 1, nginx's worker on CPU 0, $rounds round(s)"
}
{
  echo "## Results"
  echo
  machine_facts
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >"$report"

http_step() {
  local scenarios=(plain plain_cookie userid lua capture cookie cookie_read conv_up conv_down)
  if [ -n "$only" ]; then
    read -ra scenarios <<<"$only"
    # The baseline every ratio is taken against.
    [[ " $only " == *" plain "* ]] || scenarios=(plain "${scenarios[@]}")
  fi
  : >"$work/http.tsv"
  local round i
  for round in $(seq "$rounds"); do
    # Rotate the order so no scenario always runs first or after the same neighbour.
    for i in "${!scenarios[@]}"; do
      measure "$round" "${scenarios[$(((i + round - 1) % ${#scenarios[@]}))]}"
    done
  done
  python3 "$bench_dir/lib/report.py" "$work/http.tsv"
  echo
  echo "- load average after the HTTP scenarios: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
}

micro_step() {
  echo "### Microbenchmarks (CPU 0)"
  echo
  echo '```'
  taskset -c 0 "$build/bench/referral_micro" --benchmark_min_time="$micro_time" 2>&1 |
    grep -E '^(BM_|Benchmark|-)'
  echo '```'
  echo
}

start_redis
step "Checking the scenarios"
preflight
step "HTTP scenarios: $rounds round(s) of ${duration}s each"
http_step >>"$report"
if [ -z "$only" ]; then
  step "Microbenchmarks"
  micro_step >>"$report"
  step "XADD rate"
  printf '### XADD rate\n\n' >>"$report"
  xadd_step
  step "Reward daemon"
  printf '\n### Reward daemon\n\n' >>"$report"
  daemon_step
fi

echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$report"
mkdir -p "$build/bench-results"
cp "$report" "$build/bench-results/report.md"
cp "$work/http.tsv" "$build/bench-results/http.tsv"
cat "$report"
say "(saved in $build/bench-results/)"
