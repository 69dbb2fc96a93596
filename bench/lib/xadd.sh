# shellcheck shell=bash
# The module's sustained XADD rate against redis-benchmark's on the same redis-server.
# The client side (nginx's worker, redis-benchmark) runs on CPU 0, redis-server on CPU 1.
# Needs: common.sh, servers.sh, $xadd_events, $xadd_burst, $report, $bench_dir.
# shellcheck disable=SC2154 # those are set by the script that sources this file

stream='{referral}:events'

# redis-benchmark -P 16 XADD of a click event's fields; prints requests per second.
redis_benchmark_xadd() {
  rcli FLUSHALL >/dev/null
  taskset -c 0 redis-benchmark -h 127.0.0.1 -p "$redis_port" -P 16 -n "$xadd_events" --csv \
    XADD bench:xadd '*' v 1 type click id AAECAwQFBgcICQoLDA0ODw ts 1795429438123 \
    site bench.example code alice click EBESExQVFhcYGRobHB0eHw ip 0123456789abcdef \
    ua fedcba9876543210 src x |
    awk -F'","' 'NR == 2 { print $2 + 0 }'
}

# A burst of capturing requests while Redis holds writes back (CLIENT PAUSE WRITE), so the
# worker's queue fills; then Redis resumes and the queue drains with no request arriving:
# events per second from XLEN is the sink's own rate, not the request rate.
module_xadd() {
  rcli FLUSHALL >/dev/null
  start_nginx module
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/?ref=alice"
  local tries=100
  until [ "$(rcli XLEN "$stream")" = 1 ]; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || {
      say "  the module delivered no event to Redis: skipping its XADD rate"
      stop_nginx
      return 1
    }
    sleep 0.05
  done
  rcli CLIENT PAUSE 120000 WRITE >/dev/null
  local requests rate
  taskset -c 1 wrk -t1 -c50 -d"$xadd_burst"s "http://127.0.0.1:$nginx_port/?ref=alice&utm_source=x" >/dev/null
  requests=$(counters | awk '$1 == "clicks" { print $2 }')
  rate=$(python3 "$bench_dir/lib/xlen_rate.py" "$redis_port" "$stream" "$requests" --unpause)
  stop_nginx
  echo "$requests $rate"
}

xadd_step() {
  local bench_rate module
  bench_rate=$(redis_benchmark_xadd)
  module=$(module_xadd) || module=
  {
    echo "| XADD client | events | seconds | events/s | vs redis-benchmark |"
    echo "|---|---:|---:|---:|---|"
    echo "| redis-benchmark -P 16 -n $xadd_events XADD (a click's 10 fields) | $xadd_events | | $bench_rate | |"
    if [ -n "$module" ]; then
      read -r total _ added seconds rate <<<"$module"
      awk -v r="$rate" -v b="$bench_rate" -v a="$added" -v s="$seconds" -v t="$total" 'BEGIN {
        ratio = r / b
        printf "| module: queue of %d clicks drained (%d delivered) | %d | %s | %d | %.0f%% (target ≥ 50%%: %s) |\n",
          t, a, a, s, r, ratio * 100, (ratio >= 0.5 ? "met" : "NOT met") }'
    else
      echo "| module | | | | not measured: no event reached Redis (sink not built yet) |"
    fi
  } >>"$report"
}
