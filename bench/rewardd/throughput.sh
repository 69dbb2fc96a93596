#!/usr/bin/env bash
# Sustained conversions/s of referral-rewardd into the ledger (docs/design.md#performance-targets: 20k/s).
#
#   bench/rewardd/throughput.sh [BUILD_DIR] [CONVERSIONS] [BATCH]
#
# Starts a private redis-server on a free loopback port, loads CONVERSIONS conversion events
# (open enrolment, 10% to the referrer, one ledger entry each) with redis-cli --pipe, then
# starts one daemon and times it from its first ledger entry until the last one is written.
# The two processes share the machine: pin them (taskset) to compare runs fairly.
set -euo pipefail

build=${1:-build}
n=${2:-200000}
batch=${3:-500}
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
CONF

# RESP for XADD {referral}:events * v 1 type conversion id ... (argv framing, no quoting issues).
ts=$(($(date +%s) * 1000))
awk -v n="$n" -v ts="$ts" 'function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
BEGIN {
  for (i = 0; i < n; i++) {
    printf "*25\r\n"
    arg("XADD"); arg("{referral}:events"); arg("*")
    arg("v"); arg("1"); arg("type"); arg("conversion"); arg("id"); arg("bench-" i)
    arg("ts"); arg(ts); arg("site"); arg("shop"); arg("code"); arg("code" (i % 1000))
    arg("order"); arg("o" i); arg("customer"); arg("c" i); arg("amount"); arg(1000 + i % 9000)
    arg("currency"); arg("EUR"); arg("trust"); arg("upstream")
  }
}' | redis-cli -p "$port" --pipe >/dev/null

redis_cpu() {
  redis-cli -p "$port" INFO cpu | tr -d '\r' |
    awk -F: '/used_cpu_(user|sys)_main_thread/ { s += $2 } END { printf "%.3f", s }'
}
loaded_cpu=$(redis_cpu)
"$rewardd" run --config "$dir/rewards.toml" >"$dir/rewardd.log" 2>&1 &
echo $! >"$dir/rewardd.pid"
ledger() { redis-cli -p "$port" XLEN '{referral}:ledger'; }
until [ "$(ledger)" -gt 0 ]; do sleep 0.01; done
start=$(date +%s%N)
start_entries=$(ledger)
until [ "$(ledger)" -ge "$n" ]; do sleep 0.05; done
end=$(date +%s%N)
elapsed_ms=$(((end - start) / 1000000))
applied=$((n - start_entries))
echo "conversions: $applied in ${elapsed_ms} ms = $((applied * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1)))/s (batch $batch)"
# CPU time per conversion of each process: what bounds the rate on an otherwise idle machine
# (Redis runs all scripts on one thread), whatever else the machine was doing during the run.
ticks=$(getconf CLK_TCK)
daemon_cpu=$(awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$(cat "$dir/rewardd.pid")/stat")
applied_cpu=$(echo "$(redis_cpu) - $loaded_cpu" | bc)
echo "cpu per conversion: redis $(echo "$applied_cpu * 1000000 / $n" | bc) us, daemon $(echo "$daemon_cpu * 1000000 / $n" | bc) us"

