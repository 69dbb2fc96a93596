#!/usr/bin/env bash
# How the reward daemon's cost grows: conversions/s into the ledger and Redis CPU per
# conversion with 1, 2 and 4 daemons on one Redis, with 1k and 1M codes enrolled, and with
# 0 and FILL entries already in the stream.
#
#   bench/rewardd/scaling.sh [BUILD_DIR] [CONVERSIONS] [FILL]
#
# Each case starts from an empty private redis-server (pinned to CPU 1; the daemons share
# CPU 0), writes CONVERSIONS (200000) conversion events with redis-cli --pipe, then starts the
# daemons and times them from their start until the ledger has an entry per conversion.
# Redis CPU per conversion is used_cpu_user + used_cpu_sys of Redis's main thread over that
# interval, daemon CPU the daemons' utime + stime: unlike the rate, they depend little on what
# else the machine is doing. (INFO commandstats' usec is wall time inside a command, preemption
# included: on a loaded machine it is noisier than the CPU time.)
#   daemons  1, 2, 4 daemons; open enrolment, 1000 codes
#   codes    1 daemon; 1000 or 1000000 codes enrolled (owner, code_of, codes written in bulk as
#            enroll writes them) and open_enrolment = false, conversions spread over them
#   stream   1 daemon; FILL (10000000) clicks written before, the group created after them:
#            history the daemon has nothing left to do with, kept by event_retention
set -euo pipefail

build=${1:-build}
n=${2:-200000}
fill=${3:-10000000}
rewardd=$(realpath "$build")/daemon/referral-rewardd
[ -x "$rewardd" ] || { echo "no $rewardd: build the referral-rewardd target first" >&2; exit 1; }
here=$(dirname "$0")

# shellcheck source=private_redis.sh
. "$here/private_redis.sh"
# shellcheck source=events.sh
. "$here/events.sh"

taskset -cp 1 "$(rcli INFO server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')" >/dev/null
# CPU seconds the daemons have used so far.
daemons_cpu() {
  local pid
  for pid in "${pids[@]}"; do cat "/proc/$pid/stat"; done |
    awk -v t="$(getconf CLK_TCK)" '{ s += $14 + $15 } END { printf "%.6f", s / t }'
}
pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  pids=()
}
trap 'stop_daemons; cleanup' EXIT

# run_case LABEL DAEMONS OPEN_ENROLMENT: the conversions already written, applied and timed.
run_case() {
  cat >"$dir/rewards.toml" <<CONF
[redis]
address = "127.0.0.1:$port"
[programme]
currency = "EUR"
open_enrolment = $3
[referrer]
percent = 10
CONF
  local cpu0 start end i
  cpu0=$(redis_cpu)
  start=$(date +%s%N)
  for ((i = 0; i < $2; i++)); do
    taskset -c 0 "$rewardd" run --config "$dir/rewards.toml" >>"$dir/rewardd.log" 2>&1 &
    pids+=($!)
  done
  until [ "$(rcli XLEN '{referral}:ledger')" -ge "$n" ]; do sleep 0.05; done
  end=$(date +%s%N)
  local cpu1 dcpu
  cpu1=$(redis_cpu)
  dcpu=$(daemons_cpu)
  stop_daemons
  awk -v label="$1" -v n="$n" -v ns="$((end - start))" -v c0="$cpu0" -v c1="$cpu1" \
    -v d="$dcpu" -v r="$(rcli XLEN '{referral}:rejected')" 'BEGIN {
    printf "| %s | %d | %d | %.2f | %d | %.1f | %.1f |\n", label, n, r, ns / 1e9,
      n / (ns / 1e9), (c1 - c0) * 1e6 / n, d * 1e6 / n }'
}

conversions() { events_resp conversion 0 "$n" "$1" | rcli --pipe >/dev/null; }

echo "| case | conversions | rejected | seconds | conversions/s | Redis CPU µs/conversion | daemon CPU µs/conversion |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for daemons in 1 2 4; do
  rcli FLUSHALL >/dev/null
  conversions 1000
  run_case "$daemons daemon(s), 1000 codes, open enrolment" "$daemons" true
done
for codes in 1000 1000000; do
  rcli FLUSHALL >/dev/null
  enrolments_resp "$codes" | rcli --pipe >/dev/null
  conversions "$codes"
  run_case "1 daemon, $codes codes enrolled" 1 false
done
for entries in 0 "$fill"; do
  rcli FLUSHALL >/dev/null
  if [ "$entries" -gt 0 ]; then
    events_resp click 1000000000 "$entries" 1000 | rcli --pipe >/dev/null
  fi
  rcli XGROUP CREATE '{referral}:events' referral-rewardd '$' MKSTREAM >/dev/null
  conversions 1000
  run_case "1 daemon, $entries entries in the stream before" 1 true
done
