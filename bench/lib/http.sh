# shellcheck shell=bash
# The HTTP scenarios: one wrk measurement of one scenario on a fresh nginx, appended to
# $work/http.tsv. Needs: common.sh, servers.sh, $duration, $warmup, $work.
# shellcheck disable=SC2154 # those are set by the script that sources this file

# Every scenario's requests look like a browser's navigation: the module reads the User-Agent
# (crawler check, hashed into events) and the Sec-Fetch-Dest header.
browser=(-H 'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
  -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
  -H 'Sec-Fetch-Dest: document')

# Nineteen cookies another application set, in front of the referral cookie or alone.
other_cookies=$(for i in $(seq 19); do printf 'app%d=%s; ' "$i" "v$i-0123456789abcdef"; done)

# scenario NAME: sets kind, path, the module's key ring, and which cookies wrk sends (send_cookie:
# the referral cookie; many_cookies: the other 19 in front of it, or alone).
# shellcheck disable=SC2034 # nginx_conf (servers.sh) reads ring_file
scenario() {
  send_cookie=0 many_cookies=0 ring_file=$keys_file
  case $1 in
    plain) kind=plain path=/ ;;
    # What nginx alone spends on the Cookie header that scenarios 5 to 7 carry.
    plain_cookie) kind=plain path=/ send_cookie=1 ;;
    userid) kind=userid path=/ ;;
    lua) kind=lua path='/?ref=alice&utm_source=x' ;;
    capture) kind=module path='/?ref=alice&utm_source=x' ;;
    # Not in the full run (--only names it): scenario 4 with its click made but not delivered.
    capture_nosink) kind=module-nosink path='/?ref=alice&utm_source=x' ;;
    cookie) kind=module path=/ send_cookie=1 ;;
    cookie_read) kind=module path=/code send_cookie=1 ;;
    conv_up) kind=module path=/checkout send_cookie=1 ;;
    conv_down) kind=module-down path=/checkout send_cookie=1 ;;
    # How cost grows (not in the full run; --only names them): an 8-key ring, whose last key
    # verifies the cookie; and 20 cookies per request.
    capture_keys8) kind=module path='/?ref=alice&utm_source=x' ring_file=$keys8_file ;;
    cookie_read_keys8) kind=module path=/code send_cookie=1 ring_file=$keys8_file ;;
    conv_up_keys8) kind=module path=/checkout send_cookie=1 ring_file=$keys8_file ;;
    plain_cookies20) kind=plain path=/ send_cookie=1 many_cookies=1 ;;
    capture_cookies20) kind=module path='/?ref=alice&utm_source=x' many_cookies=1 ;;
    cookie_read_cookies20) kind=module path=/code send_cookie=1 many_cookies=1 ;;
    conv_up_cookies20) kind=module path=/checkout send_cookie=1 many_cookies=1 ;;
    *) die "unknown scenario $1" ;;
  esac
}

# Request rate, latency percentiles (µs), completed requests and failures from wrk --latency.
parse_wrk() {
  awk '
    function us(v) {
      if (v ~ /us$/) return v + 0
      if (v ~ /ms$/) return v * 1000
      if (v ~ /s$/) return v * 1000000
      return v
    }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    END { printf "%s\t%s\t%s\t%s\t%d\n", rps, p50, p99, requests, bad }
  '
}

# The Cookie header of the scenario's requests, or nothing.
cookie_header() {
  local value=''
  [ "$many_cookies" = 0 ] || value=$other_cookies
  [ "$send_cookie" = 0 ] || value="${value}ref=$cookie"
  value=${value%; }
  [ -z "$value" ] || printf 'Cookie: %s' "$value"
}

wrk_args() {
  local seconds=$1 header
  args=(-t1 -c50 "-d${seconds}s" --latency "${browser[@]}")
  header=$(cookie_header)
  [ -z "$header" ] || args+=(-H "$header")
  args+=("http://127.0.0.1:$nginx_port$path")
}

# The module's counters that say what the scenario did: clicks, conversions, events.
counter_delta() {
  [ -n "$1" ] || {
    printf -- '-\t-\t-\t-\t-\n'
    return
  }
  awk '
    FNR == NR { before[$1] = $2; next }
    { after[$1] = $2 }
    END {
      n = split("clicks conversions events_acked events_spooled events_dropped", names, " ")
      for (i = 1; i <= n; i++) printf "%d%s", after[names[i]] - before[names[i]], i < n ? "\t" : "\n"
    }' "$1" "$2"
}

# measure ROUND NAME
measure() {
  local round=$1 name=$2 before='' after='' t0 t1 out
  scenario "$name"
  [ "$kind" != module ] || rcli FLUSHALL >/dev/null
  start_nginx "$kind"
  check_scenario "$name"

  # Warm-up: connections, Lua's JIT, the Redis connection, the first spool file.
  if [ "$warmup" -gt 0 ]; then
    wrk_args "$warmup"
    taskset -c 1 wrk "${args[@]}" >/dev/null
  fi

  if [[ $kind == module* ]]; then
    before=$nginx_dir/counters.before after=$nginx_dir/counters.after
    counters >"$before"
  fi
  wrk_args "$duration"
  t0=$(cpu_ns "$worker_pid")
  out=$(taskset -c 1 wrk "${args[@]}")
  t1=$(cpu_ns "$worker_pid")
  [ -z "$after" ] || counters >"$after"

  local stats requests cpu busy
  stats=$(parse_wrk <<<"$out")
  requests=$(cut -f4 <<<"$stats")
  [ "${requests:-0}" -gt 0 ] || die "$name: wrk completed no request: $out"
  cpu=$(awk -v d=$((t1 - t0)) -v n="$requests" 'BEGIN { printf "%.3f", d / n / 1000 }')
  # The worker's share of CPU 0: well below 100% means it waited for something else (the load
  # generator, or other processes on a busy machine), and req/s says little about nginx.
  busy=$(awk -v d=$((t1 - t0)) -v s="$duration" 'BEGIN { printf "%.0f", d / s / 1e7 }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$stats" "$cpu" \
    "$(counter_delta "$before" "$after")" "$busy" >>"$work/http.tsv"
  say "  round $round $(printf '%-10s' "$name") $(cut -f1 <<<"$stats") req/s, $cpu µs CPU/request"
  stop_nginx
}

# Fails the run when a scenario does not do what it claims.
check_scenario() {
  local url="http://127.0.0.1:$nginx_port$path" headers=("${browser[@]}") header
  header=$(cookie_header)
  [ -z "$header" ] || headers+=(-H "$header")
  local response
  response=$(curl -s -i "${headers[@]}" "$url" | tr -d '\r')
  grep -q '^HTTP/1.1 200' <<<"$response" || die "$1: $url answered: $response"
  case $1 in
    userid) grep -qi '^set-cookie: uid=' <<<"$response" || die "userid: no uid cookie: $response" ;;
    lua | capture*) grep -qi '^set-cookie: ref=1\.' <<<"$response" || die "$1: no ref cookie: $response" ;;
    cookie | cookie_read* | conv_*)
      ! grep -qi '^set-cookie:' <<<"$response" || die "$1: a valid cookie was replaced: $response"
      [[ $1 != cookie_read* ]] || grep -qi '^x-referral-code: alice$' <<<"$response" ||
        die "$1: \$referral_code is not the cookie's: $response"
      [ "$(curl -s -H "Cookie: ref=$cookie" "http://127.0.0.1:$nginx_port/whoami")" = "valid alice" ] ||
        die "$1: the module did not accept the cookie"
      ;;
  esac
}

set_cookie_value() {
  curl -s -D - -o /dev/null "${browser[@]}" "$1" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: ref=\([^;]*\);.*/\1/p'
}

# Takes the module's cookie for scenarios 5 to 7 from one capturing request, and checks that
# the Lua peer's cookie is one the module accepts: the two do the same signing work.
preflight() {
  local capture='?ref=alice&utm_source=x' lua_cookie
  start_nginx lua
  lua_cookie=$(set_cookie_value "http://127.0.0.1:$nginx_port/$capture")
  stop_nginx
  start_nginx module
  cookie=$(set_cookie_value "http://127.0.0.1:$nginx_port/$capture")
  [ -n "$cookie" ] || die "the module set no cookie"
  [ "$(curl -s -H "Cookie: ref=$lua_cookie" "http://127.0.0.1:$nginx_port/whoami")" = \
    "valid alice" ] || die "the module does not accept the Lua peer's cookie ($lua_cookie)"
  stop_nginx
}
