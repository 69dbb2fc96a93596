# shellcheck shell=bash
# redis-server and the nginx configurations of the scenarios. nginx's single worker runs on
# CPU 0; redis-server shares CPU 1 with the load generator so it never takes the worker's CPU.
# Needs: common.sh, $work (temporary directory), $module_so, $keys_file, $bench_dir; $ring_file
# (the module's key ring, default $keys_file) from scenario().
# shellcheck disable=SC2154 # those are set by the script that sources this file

redis_port=

# A one-scenario session for the profiling commands: a temporary directory, a key ring and a
# running redis-server, all removed on exit.
start_session() {
  work=$(mktemp -d "/tmp/referral-$1.XXXXXX")
  chmod 755 "$work"
  trap 'stop_all; rm -rf "$work"' EXIT
  write_keys
  dead_port=$(free_port)
  start_redis
}

# The key rings: $keys_file holds k1; $keys8_file holds seven newer keys, then k1, so a cookie
# signed with k1 is verified by the last key of an 8-key ring ("How cost grows" in
# bench/README.md).
write_keys() {
  keys_file=$work/referral.keys
  keys8_file=$work/referral8.keys
  (umask 077 && echo "k1:$(openssl rand -hex 32)" >"$keys_file")
  (
    umask 077
    for i in 8 7 6 5 4 3 2; do echo "k$i:$(openssl rand -hex 32)"; done >"$keys8_file"
    cat "$keys_file" >>"$keys8_file"
  )
}

start_redis() {
  redis_port=$(free_port)
  mkdir -p "$work/redis"
  # No persistence: the scenarios measure nginx, and a snapshot would compete for CPU 1.
  start_bg "$work/redis/redis.log" taskset -c "${BENCH_REDIS_CPU:-1}" redis-server --bind 127.0.0.1 \
    --port "$redis_port" --save '' --appendonly no --dir "$work/redis"
  wait_port "$redis_port" || die "redis-server did not start: $(cat "$work/redis/redis.log")"
}

rcli() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }

# nginx_conf KIND DIR PORT: writes DIR/nginx.conf for one scenario kind:
#   plain        return 200
#   userid       nginx's userid filter sets a uid cookie on every response
#   lua          the Lua peer (bench/peers/referral_cookie.lua) in a header filter
#   module       the referral module with Redis at $redis_port
#   module-down  the same with nothing listening at the Redis address (Redis stopped)
#   module-nosink  the same without referral_redis: events are made, then dropped
nginx_conf() {
  local kind=$1 dir=$2 port=$3 modules='' http='' location='return 200 "ok\n";'
  mkdir -p "$dir/tmp"
  # The spool must be the worker's own and closed to others (nginx -t checks it).
  [ -d "$dir/spool" ] || mkdir -m 700 "$dir/spool"
  case $kind in
    plain) ;;
    userid) location="userid on; userid_expires 30d; $location" ;;
    lua)
      modules="load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;"
      http="lua_package_path \"$bench_dir/peers/?.lua;;\";
    init_by_lua_block { require(\"referral_cookie\").init(\"$keys_file\") }"
      location="header_filter_by_lua_block { require(\"referral_cookie\").header_filter() }
            $location"
      ;;
    module | module-down | module-nosink)
      local redis=$redis_port
      [ "$kind" != module-down ] || redis=$dead_port
      modules="load_module $module_so;"
      http="referral_secret_file ${ring_file:-$keys_file};"
      [ "$kind" = module-nosink ] || http="$http
    referral_redis 127.0.0.1:$redis timeout=30s;
    referral_queue_size 1000000;
    referral_spool $dir/spool max_size=8g;"
      location="referral on;
            $location"
      ;;
    *) die "unknown nginx configuration $kind" ;;
  esac

  local user=''
  # Workers would run as nobody and could not read a root-owned temporary directory.
  [ "$(id -u)" -ne 0 ] || user='user root;'
  cat >"$dir/nginx.conf" <<CONF
$modules
daemon off;
master_process on;
$user
worker_processes 1;
worker_cpu_affinity 01;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    $http
    server {
        listen 127.0.0.1:$port;
        server_name bench.example;
        location / {
            $location
        }
$(module_locations "$kind")
    }
}
CONF
}

# The checkout page of scenarios 6 and 7 and two locations the harness reads.
module_locations() {
  case $1 in module | module-down | module-nosink) ;; *) return 0 ;; esac
  cat <<'LOC'
        location = /checkout {
            referral_conversion on;
            referral_conversion_order_id order-1;
            referral_conversion_amount 10.00;
            referral_conversion_currency EUR;
            return 200 "ok\n";
        }
        location = /code {
            referral on;
            add_header X-Referral-Code $referral_code;
            return 200 "ok\n";
        }
        location = /whoami { return 200 "$referral_cookie_status $referral_code\n"; }
        location = /status { referral_status json; }
LOC
}

nginx_port=
nginx_pid=
worker_pid=
nginx_dir=

# start_nginx KIND: a fresh nginx (and spool) for one measurement.
start_nginx() {
  nginx_dir=$(mktemp -d "$work/nginx-$1.XXXX")
  nginx_port=$(free_port)
  nginx_conf "$1" "$nginx_dir" "$nginx_port"
  start_bg "$nginx_dir/stderr.log" nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf"
  nginx_pid=$!
  if ! wait_port "$nginx_port"; then
    die "nginx ($1) did not start: $(cat "$nginx_dir/stderr.log" "$nginx_dir/error.log" 2>/dev/null)"
  fi
  # shellcheck disable=SC2034 # the scripts that measure the worker read it
  worker_pid=$(child_pid "$nginx_pid") || die "nginx ($1) has no worker"
}

stop_nginx() {
  stop_pid "$nginx_pid" QUIT
  rm -rf "$nginx_dir"
}

# The module's counters as "name value" lines, from referral_status's flat JSON.
counters() {
  curl -sf "http://127.0.0.1:$nginx_port/status" | sed 's/[,{}]/\n/g; s/"//g; s/:/ /g' |
    awk 'NF == 2'
}
