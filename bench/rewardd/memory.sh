#!/usr/bin/env bash
# Redis memory the reward books keep per click and per conversion, and Redis memory while
# CLICKS clicks stream through with a short retention (docs/operations.md, Sizing Redis).
#
#   bench/rewardd/memory.sh [BUILD_DIR] [CLICKS] [RETENTION] [PER_EVENT]
#
# Kept per event: PER_EVENT (100000) clicks, then as many conversions (1000 codes, open
# enrolment, 10% to the referrer), are written to the stream of a private redis-server with
# the daemon stopped, then applied by it; INFO memory used_memory before and after each step
# over the count is what the stream entry and what the applied books (idempotency key, ledger,
# order, balances, statistics) cost. The default event_retention (7d) trims nothing here.
#
# Bounded: the books are flushed and CLICKS (10000000) clicks are written in chunks of 200,000,
# each chunk once the daemon has fewer than a chunk left to apply, with event_retention and
# event_ttl both RETENTION (10s), so the stream and the idempotency keys keep only the last
# RETENTION of clicks; used_memory is sampled after every chunk.
set -euo pipefail

build=${1:-build}
clicks=${2:-10000000}
retention=${3:-10s}
per_event=${4:-100000}
chunk=200000
rewardd=$(realpath "$build")/daemon/referral-rewardd
[ -x "$rewardd" ] || { echo "no $rewardd: build the referral-rewardd target first" >&2; exit 1; }
here=$(dirname "$0")

# shellcheck source=private_redis.sh
. "$here/private_redis.sh"
# shellcheck source=events.sh
. "$here/events.sh"

used_memory() { rcli INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }
# Entries of the stream not yet acknowledged by the daemon's group: lag plus pending.
backlog() {
  rcli XINFO GROUPS '{referral}:events' | awk '
    prev == "lag" { lag = $0 } prev == "pending" { pending = $0 } { prev = $0 }
    END { print lag + pending }'
}
wait_applied() { until [ "$(backlog)" = 0 ]; do sleep 0.2; done; }
start_daemon() {
  cat >"$dir/rewards.toml" <<CONF
[redis]
address = "127.0.0.1:$port"
[daemon]
$1
[programme]
currency = "EUR"
open_enrolment = true
[referrer]
percent = 10
CONF
  "$rewardd" run --config "$dir/rewards.toml" >>"$dir/rewardd.log" 2>&1 &
  echo $! >"$dir/rewardd.pid"
}
stop_daemon() {
  local pid
  pid=$(cat "$dir/rewardd.pid")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$dir/rewardd.pid"
}
per() { awk -v d="$1" -v n="$2" 'BEGIN { printf "%.0f", d / n }'; }

echo "# kept per event ($per_event of each, redis $(redis-server --version | awk '{ print $3 }'))"
rcli XGROUP CREATE '{referral}:events' referral-rewardd 0 MKSTREAM >/dev/null
echo "| event | stream entry, bytes | applied books, bytes | total, bytes |"
echo "|---|---:|---:|---:|"
for type in click conversion; do
  before=$(used_memory)
  events_resp "$type" 0 "$per_event" 1000 | rcli --pipe >/dev/null
  written=$(used_memory)
  start_daemon ""
  wait_applied
  stop_daemon
  applied=$(used_memory)
  echo "| $type | $(per $((written - before)) "$per_event") | $(per $((applied - written)) "$per_event") | $(per $((applied - before)) "$per_event") |"
done
# The parts with lifetimes of their own: the ledger (kept until you trim it) and an order
# record (order_ttl).
ledger_bytes=$(rcli MEMORY USAGE '{referral}:ledger' SAMPLES 0)
order_key=$(rcli --scan --pattern '{referral}:order:*' | awk 'NR == 1')
echo
echo "ledger: $(rcli XLEN '{referral}:ledger') entries, $(per "$ledger_bytes" "$(rcli XLEN '{referral}:ledger')") bytes each (MEMORY USAGE); an order record: $(rcli MEMORY USAGE "$order_key") bytes"

echo
echo "# $clicks clicks with event_retention = event_ttl = \"$retention\""
rcli FLUSHALL >/dev/null
rcli XGROUP CREATE '{referral}:events' referral-rewardd 0 MKSTREAM >/dev/null
start_daemon "event_retention = \"$retention\"
event_ttl = \"$retention\""
base=$(used_memory)
peak=$base
started=$(date +%s)
echo "| clicks written | seconds | used_memory, MB | stream entries | keys |"
echo "|---:|---:|---:|---:|---:|"
for ((sent = 0; sent < clicks; sent += chunk)); do
  n=$((clicks - sent < chunk ? clicks - sent : chunk))
  while [ "$(backlog)" -ge "$chunk" ]; do sleep 0.2; done
  events_resp click "$sent" "$n" 1000 | rcli --pipe >/dev/null
  m=$(used_memory)
  [ "$m" -gt "$peak" ] && peak=$m
  if (((sent / chunk) % 5 == 4)) || ((sent + n >= clicks)); then
    echo "| $((sent + n)) | $(($(date +%s) - started)) | $((m / 1000000)) | $(rcli XLEN '{referral}:events') | $(rcli DBSIZE) |"
  fi
done
wait_applied
seconds=$(($(date +%s) - started))
echo
echo "applied $clicks clicks in $seconds s ($((clicks / (seconds > 0 ? seconds : 1)))/s on average)"
echo "used_memory: empty $((base / 1000000)) MB, peak $((peak / 1000000)) MB, at the end $(($(used_memory) / 1000000)) MB"
