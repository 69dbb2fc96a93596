# shellcheck shell=bash
# Sourced by the scripts that check a module build: module_smoke LINES starts the stock
# /usr/sbin/nginx in a temp prefix with LINES in the main context (they load the module:
# `load_module /path/to/ngx_http_referral_module.so;` or an include of modules-enabled),
# checks the configuration with nginx -t, and captures one referral link, which must answer
# with a signed referral cookie. Runs in a subshell: its traps and files stay its own.

# shellcheck source=ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

module_smoke() (
  set -euo pipefail
  local load="$1" prefix port set_cookie
  prefix="$(mktemp -d)"
  trap 'rm -rf "$prefix"' EXIT
  mkdir -p "$prefix/conf" "$prefix/logs"
  # Relative load_module paths (Debian's modules-enabled snippets) resolve as under Debian's prefix.
  ln -s /usr/lib/nginx/modules "$prefix/modules"
  port="$(free_port)"
  (umask 077 && echo "k1:$(openssl rand -hex 32)" >"$prefix/conf/referral.keys")
  {
    echo "$load"
    # Workers run as nobody by default and could not read a root-owned temp prefix.
    [ "$(id -u)" -ne 0 ] || echo "user root;"
    cat <<CONF
pid $prefix/logs/nginx.pid;
error_log $prefix/logs/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $prefix/logs/body;
    proxy_temp_path $prefix/logs/proxy;
    fastcgi_temp_path $prefix/logs/fastcgi;
    uwsgi_temp_path $prefix/logs/uwsgi;
    scgi_temp_path $prefix/logs/scgi;
    referral_secret_file referral.keys;
    server {
        listen 127.0.0.1:$port;
        server_name smoke.test;
        referral on;
        location / { return 200 "ok\n"; }
    }
}
CONF
  } >"$prefix/conf/nginx.conf"

  local nginx=(/usr/sbin/nginx -p "$prefix" -c "$prefix/conf/nginx.conf")
  "${nginx[@]}" -t
  "${nginx[@]}"
  trap '"${nginx[@]}" -s stop; rm -rf "$prefix"' EXIT
  set_cookie="$(curl -sS --retry 5 --retry-connrefused -D - -o /dev/null \
    "http://127.0.0.1:$port/?ref=alice" | grep -i '^set-cookie: ref=1\.' || true)"
  if [ -z "$set_cookie" ]; then
    echo "the module loaded but set no referral cookie" >&2
    cat "$prefix/logs/error.log" >&2
    return 1
  fi
)
