# shellcheck shell=bash
# Helpers shared by bench/run.sh's steps: messages, ports and the processes the run starts.
# Every process started through start_bg is stopped by its PID when run.sh exits.

# shellcheck source=../../scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/ports.sh"

bench_pids=()

say() { printf '%s\n' "$*" >&2; }
# A step of the run, with the seconds since the run started.
step() { say "==> $* (at ${SECONDS}s)"; }
die() {
  say "bench: $*"
  exit 1
}

# start_bg LOG CMD...: runs CMD in the background with output to LOG; its PID is in $!.
start_bg() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  bench_pids+=("$!")
}

# stop_pid PID [SIGNAL]: asks the process to stop, kills it after 10 s.
stop_pid() {
  local pid=$1 sig=${2:-TERM} tries=100
  kill -s "$sig" "$pid" 2>/dev/null || return 0
  while [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
    tries=$((tries - 1))
    sleep 0.1
  done
  kill -s KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${bench_pids[@]}"; do
    [ "$p" = "$pid" ] || kept+=("$p")
  done
  bench_pids=("${kept[@]+"${kept[@]}"}")
}

stop_all() {
  local pid
  for pid in "${bench_pids[@]+"${bench_pids[@]}"}"; do
    stop_pid "$pid"
  done
}

# The first child of a process: nginx's single worker under its master.
child_pid() {
  local pid=$1 tries=100 child
  while :; do
    child=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    [ -n "$child" ] && break
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.05
  done
  echo "$child"
}

# Nanoseconds the process has run on a CPU (first field of schedstat).
cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
