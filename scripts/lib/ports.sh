# shellcheck shell=bash
# Loopback ports for the servers a script starts. Sourced by scripts/ and bench/; the C++ tests
# have their own (tests/support/process.h).

# free_ports COUNT: COUNT distinct ports nothing listens on, one a line, below the kernel's
# range for outgoing connections. (Python would bind port 0, but its start-up alone can take
# half a second on a busy machine.)
free_ports() {
  local count=$1 port picked=' '
  while [ "$count" -gt 0 ]; do
    port=$((20000 + RANDOM % 12000))
    [[ $picked != *" $port "* ]] || continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      picked+="$port "
      count=$((count - 1))
    fi
  done
}

free_port() { free_ports 1; }

# wait_port PORT [SECONDS]: waits until something accepts TCP connections on 127.0.0.1:PORT,
# 10 s at most by default; fails after that.
wait_port() {
  local port=$1 deadline=$((SECONDS + ${2:-10}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}
