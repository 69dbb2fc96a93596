# shellcheck shell=bash
# The reward daemon's sustained conversions per second into the ledger: a backlog of
# conversion events is written to the stream first, then the daemon (on CPU 0, redis-server on
# CPU 1) works through it while the ledger's length is polled.
# Needs: common.sh, servers.sh, $build, $daemon_events, $report, $work, $bench_dir.
# shellcheck disable=SC2154 # those are set by the script that sources this file

daemon_step() {
  local daemon=$build/daemon/referral-rewardd
  if [ ! -x "$daemon" ]; then
    say "  $daemon is not built: skipping"
    echo "Not measured: \`referral-rewardd\` is not built yet." >>"$report"
    return 0
  fi
  rcli FLUSHALL >/dev/null
  # Open enrolment: any code earns, so every conversion makes one ledger entry.
  cat >"$work/rewards.toml" <<TOML
[redis]
address = "127.0.0.1:$redis_port"

[metrics]
listen = ""

[programme]
currency = "EUR"
open_enrolment = true

[referrer]
percent = 10
TOML
  python3 "$bench_dir/lib/conversions.py" "$redis_port" '{referral}:events' "$daemon_events"
  local started pid result entries seconds rate rejected
  # Timed from the daemon's start (its connection and script loading included) to the
  # ledger's last entry.
  started=$(date +%s.%N)
  start_bg "$work/rewardd.log" taskset -c 0 "$daemon" run --config "$work/rewards.toml"
  pid=$!
  result=$(python3 "$bench_dir/lib/xlen_rate.py" "$redis_port" '{referral}:ledger' \
    "$daemon_events" --since "$started")
  stop_pid "$pid"
  read -r entries _ seconds rate <<<"$result"
  rejected=$(rcli XLEN '{referral}:rejected')
  awk -v e="$entries" -v n="$daemon_events" -v s="$seconds" -v r="$rate" \
    -v x="$rejected" 'BEGIN {
    printf "| conversions | ledger entries | rejected | seconds | conversions/s | target |\n"
    printf "|---:|---:|---:|---:|---:|---|\n"
    printf "| %d | %d | %d | %s | %d | ≥ 20000: %s |\n", n, e, x, s, r,
      (r >= 20000 && e == n) ? "met" : "NOT met" }' >>"$report"
  [ "$entries" = "$daemon_events" ] ||
    say "  the ledger has $entries entries for $daemon_events conversions: see $work/rewardd.log"
}
