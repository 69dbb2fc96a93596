# shellcheck shell=bash
# A private redis-server for one bench run: a temporary directory ($dir), a free loopback port
# ($port), and on exit the daemon (if $dir/rewardd.pid exists) and Redis stopped and the
# directory removed. Sourced by the scripts beside it.

# shellcheck source=../../scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/ports.sh"
dir=$(mktemp -d)
port=$(free_port)
cleanup() {
  if [ -f "$dir/rewardd.pid" ]; then kill "$(cat "$dir/rewardd.pid")" 2>/dev/null || true; fi
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  if [ -n "${KEEP_CALLGRIND:-}" ]; then cp "$dir"/callgrind.out.* "$KEEP_CALLGRIND" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# REDIS_CALLGRIND=1: redis-server runs under callgrind with counting off; redis_count on / off
# count the instructions it executes in between, redis_instructions prints the count.
if [ "${REDIS_CALLGRIND:-0}" = 1 ]; then
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$dir/callgrind.out" \
    --log-file="$dir/valgrind.log" redis-server --port "$port" --bind 127.0.0.1 --save "" \
    --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
  redis_pid=$!
else
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$dir" --logfile "$dir/redis.log"
fi
redis_count() { callgrind_control -i "$1" "$redis_pid" >/dev/null 2>&1; }
redis_instructions() {
  callgrind_control -d "$redis_pid" >/dev/null 2>&1
  cat "$dir"/callgrind.out.* | awk '/^totals:/ { s += $2 } END { printf "%.0f\n", s }'
}
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done

rcli() { redis-cli -p "$port" "$@"; }
# CPU seconds Redis's main thread has used so far.
redis_cpu() {
  rcli INFO cpu | tr -d '\r' |
    awk -F: '/used_cpu_(user|sys)_main_thread/ { s += $2 } END { printf "%.6f", s }'
}
