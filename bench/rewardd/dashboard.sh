#!/usr/bin/env bash
# How fast referral-rewardd answers GET /dashboard over 400 days and 10,000 codes, and a partner
# page (docs/rewards.md, Pages).
#
#   bench/rewardd/dashboard.sh [BUILD_DIR] [CODES] [DAYS] [ACTIVE_PER_DAY] [REQUESTS]
#
# Starts a private redis-server on a free loopback port and fills it directly: DAYS per-day
# hashes ending today, each with ACTIVE_PER_DAY codes (clicks, conversions, revenue and rewards
# per code) out of CODES, 20 utm_sources and 8 rejection reasons, and a balance for every code.
# Then starts one daemon and times REQUESTS requests of each page with curl.
set -euo pipefail

build=${1:-build}
codes=${2:-10000}
days=${3:-400}
active=${4:-1000}
requests=${5:-20}
rewardd=$(realpath "$build")/daemon/referral-rewardd
[ -x "$rewardd" ] || { echo "no $rewardd: build the referral-rewardd target first" >&2; exit 1; }

# shellcheck source=private_redis.sh
. "$(dirname "$0")/private_redis.sh"
http_port=$(free_port)

head -c 32 /dev/urandom | base64 >"$dir/secret"
cat >"$dir/rewards.toml" <<CONF
[redis]
address = "127.0.0.1:$port"
[metrics]
listen = "127.0.0.1:$http_port"
[http]
secret_file = "$dir/secret"
link = "https://shop.example/?ref={code}"
[programme]
currency = "EUR"
[referrer]
percent = 10
CONF

# RESP for one HSET per day and one for the balances (argv framing, no quoting issues).
today=$(($(date +%s) / 86400))
awk -v codes="$codes" -v days="$days" -v active="$active" -v today="$today" '
function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
function field(name, value) { arg(name); arg(value) }
BEGIN {
  srand(1)
  for (d = today - days + 1; d <= today; d++) {
    n = 2 + 4 * active + 3 * 20 + 8
    printf "*%d\r\n", 2 + 2 * n
    arg("HSET"); arg("{referral}:daily:" strftime("%Y%m%d", d * 86400, 1))
    field("k", active * 5); field("v", active)
    # Consecutive codes from a random start: ACTIVE distinct codes, all CODES over the days.
    first = int(rand() * codes)
    for (i = 0; i < active; i++) {
      c = "CODE" ((first + i) % codes)
      field("k:c:" c, 5); field("v:c:" c, 1)
      field("r:EUR:c:" c, 5000); field("w:EUR:c:" c, 500)
    }
    for (s = 0; s < 20; s++) {
      field("k:s:source" s, active / 4); field("v:s:source" s, active / 20)
      field("r:EUR:s:source" s, active * 250)
    }
    for (r = 0; r < 8; r++) { field("x:reason" r, r + 1) }
  }
  printf "*%d\r\n", 2 + 2 * codes
  arg("HSET"); arg("{referral}:balance:EUR")
  for (i = 0; i < codes; i++) { field("code:CODE" i ":approved", 1000 + i) }
}' | rcli --pipe >/dev/null
rcli SADD '{referral}:currencies' EUR >/dev/null

"$rewardd" run --config "$dir/rewards.toml" >"$dir/rewardd.log" 2>&1 &
echo $! >"$dir/rewardd.pid"
until curl -sf -o /dev/null "http://127.0.0.1:$http_port/metrics"; do sleep 0.05; done

from=$(date -u -d "@$(((today - days + 1) * 86400))" +%F)
to=$(date -u -d "@$((today * 86400))" +%F)
partner=$("$rewardd" partner-link CODE1 --config "$dir/rewards.toml")

# Prints the median and the slowest of REQUESTS requests, in milliseconds.
time_page() {
  local url=$1 i
  for ((i = 0; i < requests; i++)); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$url"
  done | awk '$1 != 200 { print "HTTP " $1 > "/dev/stderr"; exit 1 } { print $2 * 1000 }' |
    sort -n | awk '{ t[NR] = $1 } END { printf "median %.0f ms, slowest %.0f ms\n", t[int((NR + 1) / 2)], t[NR] }'
}
bytes=$(curl -s "http://127.0.0.1:$http_port/dashboard?from=$from&to=$to" | wc -c)
echo "dashboard, $days days ($from to $to), $active of $codes codes a day, $bytes bytes:"
echo "  $(time_page "http://127.0.0.1:$http_port/dashboard?from=$from&to=$to")"
echo "dashboard, the default 90 days:"
echo "  $(time_page "http://127.0.0.1:$http_port/dashboard")"
echo "partner page:"
echo "  $(time_page "http://127.0.0.1:$http_port${partner}")"
