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
  rm -rf "$dir"
}
trap cleanup EXIT

redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$dir" --logfile "$dir/redis.log"
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
