#!/usr/bin/env bash
# Sustained events/s of referral-rewardd into the books (docs/design.md#performance-targets).
#
#   bench/rewardd/throughput.sh [BUILD_DIR] [EVENTS] [BATCH] [MODE]
#
# MODE conversions (the default): conversion events (open enrolment, 10% to the referrer, one
# ledger entry each). MODE clicks: click events from 50,000 addresses under a limit of 100
# clicks per address and hour, 20 utm_sources (every check a click has, none refusing). CODES
# (environment, default 1000) is how many codes the events go to in turn: the events of one
# batch of 100 share codes only when it is under 100. Starts a private redis-server on a free
# loopback port, loads EVENTS events with
# redis-cli --pipe, then starts one daemon and times it from its first applied event until the
# consumer group has acknowledged them all. Prints events/s and the CPU each process spent per
# event, and Redis's own accounting (INFO commandstats) per command and per event.
# The processes share the machine: pin them (taskset) to compare runs fairly. On a busy machine
# REDIS_CALLGRIND=1 counts the instructions Redis executes per event instead (valgrind, slow:
# use some thousands of events), which the load does not change.
set -euo pipefail

build=${1:-build}
n=${2:-200000}
batch=${3:-500}
mode=${4:-conversions}
case "$mode" in conversions | clicks) ;; *) echo "MODE: conversions or clicks" >&2; exit 2 ;; esac
rewardd=$(realpath "$build")/daemon/referral-rewardd
[ -x "$rewardd" ] || { echo "no $rewardd: build the referral-rewardd target first" >&2; exit 1; }

# shellcheck source=private_redis.sh
. "$(dirname "$0")/private_redis.sh"

cat > "$dir/rewards.toml" <<CONF
[redis]
address = "127.0.0.1:$port"
[daemon]
batch = $batch
[programme]
currency = "EUR"
open_enrolment = true
[referrer]
percent = 10
[limits]
clicks_per_ip_per_hour = 100
CONF

# RESP for XADD {referral}:events * v 1 type ... (argv framing, no quoting issues).
ts=$(($(date +%s) * 1000))
awk -v n="$n" -v ts="$ts" -v mode="$mode" -v codes="${CODES:-1000}" 'function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
BEGIN {
  for (i = 0; i < n; i++) {
    if (mode == "clicks") {
      printf "*19\r\n"
      arg("XADD"); arg("{referral}:events"); arg("*")
      arg("v"); arg("1"); arg("type"); arg("click"); arg("id"); arg("click-" i)
      arg("ts"); arg(ts); arg("site"); arg("shop"); arg("code"); arg("code" (i % codes))
      arg("ip"); arg(sprintf("%016x", i % 50000)); arg("src"); arg("source" (i % 20))
      continue
    }
    printf "*25\r\n"
    arg("XADD"); arg("{referral}:events"); arg("*")
    arg("v"); arg("1"); arg("type"); arg("conversion"); arg("id"); arg("bench-" i)
    arg("ts"); arg(ts); arg("site"); arg("shop"); arg("code"); arg("code" (i % codes))
    arg("order"); arg("o" i); arg("customer"); arg("c" i); arg("amount"); arg(1000 + i % 9000)
    arg("currency"); arg("EUR"); arg("trust"); arg("upstream")
  }
}' | rcli --pipe >/dev/null

# Events the group has been given and acknowledged: neither waiting (lag) nor pending.
applied() {
  rcli XINFO GROUPS '{referral}:events' | tr -d '\r' |
    awk -v n="$n" 'prev == "pending" { p = $1 } prev == "lag" { l = $1 } { prev = $1 }
      END { if (l == "") print 0; else print n - l - p }'
}
# Seen flags of the old form (a key per event) are looked for only up to the hour after an
# upgrade (docs/design.md#redis-keys): OLD_SEEN_KEYS=1 measures that first hour, the default
# what comes after it.
if [ "${OLD_SEEN_KEYS:-0}" != 1 ]; then
  rcli SET '{referral}:seen_hour:since' 0 >/dev/null
fi
rcli CONFIG RESETSTAT >/dev/null
if [ "${REDIS_CALLGRIND:-0}" = 1 ]; then redis_count on; fi
loaded_cpu=$(redis_cpu)
"$rewardd" run --config "$dir/rewards.toml" >"$dir/rewardd.log" 2>&1 &
echo $! >"$dir/rewardd.pid"
until [ "$(applied)" -gt 0 ]; do sleep 0.01; done
start=$(date +%s%N)
start_applied=$(applied)
until [ "$(applied)" -ge "$n" ]; do sleep 0.05; done
end=$(date +%s%N)
elapsed_ms=$(((end - start) / 1000000))
counted=$((n - start_applied))
echo "$mode: $counted in ${elapsed_ms} ms = $((counted * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1)))/s (batch $batch)"
# CPU time per event of each process: what bounds the rate on an otherwise idle machine
# (Redis runs all scripts on one thread), whatever else the machine was doing during the run.
if [ "${REDIS_CALLGRIND:-0}" = 1 ]; then
  redis_count off
  echo "redis instructions per event: $(($(redis_instructions) / n))"
fi
ticks=$(getconf CLK_TCK)
daemon_cpu=$(awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$(cat "$dir/rewardd.pid")/stat")
applied_cpu=$(echo "$(redis_cpu) - $loaded_cpu" | bc)
echo "cpu per event: redis $(echo "scale=1; $applied_cpu * 1000000 / $n" | bc) us, daemon $(echo "scale=1; $daemon_cpu * 1000000 / $n" | bc) us"
# Redis's accounting of its commands since the events were loaded: calls, usec per call, and
# usec per event (scripts include the commands they call, which are listed too).
rcli INFO commandstats | tr -d '\r' | awk -F'[:,=]' -v n="$n" '
  /^cmdstat_/ { sub("cmdstat_", "", $1); printf "  %-14s calls %9d  usec/call %9.2f  usec/event %6.2f\n", $1, $3, $7, $5 / n }'
