#!/usr/bin/env bash
# The project's build packages (scripts/deps.sh) plus what bench/run.sh drives: wrk,
# redis-server/redis-benchmark, the Lua module for the scripting peer, Google Benchmark.
# linux-perf is for profiling by hand (bench/README.md) and is not required.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/scripts/deps.sh"

packages=(wrk redis-server redis-tools libnginx-mod-http-lua libnginx-mod-http-ndk lua-resty-core
  libbenchmark-dev nginx-core curl python3 util-linux)
missing=()
for p in "${packages[@]}" linux-perf; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -gt 0 ] || exit 0

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${packages[@]}"
$SUDO apt-get install -y --no-install-recommends linux-perf ||
  echo "linux-perf is not available: profiling by hand needs valgrind instead" >&2
