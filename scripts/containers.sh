#!/usr/bin/env bash
# Builds the container images of docker/ and runs the compose demo end to end: nginx with the
# module in front of the demo shop, Redis (append-only) and referral-rewardd. It follows a
# referral link, buys, checks the reward with the daemon's own command line, Redis's
# persistence and the daemon's /metrics, then removes every container, volume, pod and network
# it made. The images stay, for the next run to reuse their layers.
#
#   scripts/containers.sh           build, run, check, tear down (what CI runs)
#   scripts/containers.sh --keep    ... and leave the demo running (docker/README.md)
#   scripts/containers.sh --down    tear down a demo left running
#
# CONTAINER_ENGINE=podman (the default; installed with apt when missing, with podman-compose)
# or docker (a running daemon, with the compose plugin or docker-compose). No container registry is needed, only
# the Debian mirror apt uses: when the engine has no debian:bookworm image, the script makes
# one with debootstrap and imports it. Run as root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode="${1:-check}"
case "$mode" in check | --keep | --down) ;; *) echo "usage: $0 [--keep|--down]" >&2; exit 2 ;; esac
engine="${CONTAINER_ENGINE:-podman}"
case "$engine" in podman | docker) ;; *) echo "CONTAINER_ENGINE is podman or docker" >&2; exit 2 ;; esac
base=docker.io/library/debian:bookworm
state="$root/build/containers"
mkdir -p "$state"

step() { printf '\n[containers %ds] %s\n' "$SECONDS" "$*"; }
fail() { echo "container check failed: $*" >&2; exit 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  local missing=() p
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Podman as it works on machines that are themselves containers or VMs with hybrid cgroups
# and tight limits: runc (crun fails on hybrid cgroups), cgroupfs (no systemd to ask), and
# limits within this machine's hard limits (podman's default nofile is above them). The dnsname
# plugin lets the compose services find each other by name. The settings apply to this
# script's podman commands only, through CONTAINERS_CONF.
setup_podman() {
  apt_install podman runc podman-compose golang-github-containernetworking-plugin-dnsname
  cat >"$state/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  export CONTAINERS_CONF="$state/containers.conf"
}

# podman-compose; docker's compose plugin, or else Debian's docker-compose 1.29.
compose() {
  if [ "$engine" = podman ]; then
    podman-compose -p "$project" -f docker/compose.yaml "$@"
  elif docker compose version >/dev/null 2>&1; then
    docker compose -p "$project" -f docker/compose.yaml "$@"
  else
    docker-compose -p "$project" -f docker/compose.yaml "$@"
  fi
}

# debian:bookworm as debootstrap makes it from the Debian mirror this machine's apt uses, with
# the same suites (updates, security) in its sources, so that images build where no registry
# is reachable. Like Debian's official image, dpkg does not fsync (a container's root is thrown
# away rather than repaired after a crash) and apt fetches no translations.
make_base_image() {
  "$engine" image inspect "$base" >/dev/null 2>&1 && return 0
  step "Making $base with debootstrap"
  apt_install debootstrap
  local sources mirror rootfs
  # shellcheck disable=SC2016 # apt's own $(FIELD) syntax
  sources=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' |
    awk '$2 ~ /^bookworm(-updates|-security)?$/ && $3 == "main" { print $1, $2 }' | sort -u)
  mirror=$(awk '$2 == "bookworm" { print $1; exit }' <<<"$sources")
  [ -n "$mirror" ] || fail "no Debian bookworm mirror in apt's sources"
  rootfs=$(mktemp -d /var/tmp/bookworm-rootfs.XXXXXX)
  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d" "$rootfs/etc/apt/apt.conf.d"
  echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/unsafe-io"
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/no-languages"
  if debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1; then
    awk '{ print "deb", $1, $2, "main" }' <<<"$sources" >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | "$engine" import - "$base" >>"$state/debootstrap.log" 2>&1 || true
  fi
  rm -rf --one-file-system "$rootfs"
  "$engine" run --rm "$base" cat /etc/debian_version >/dev/null 2>&1 ||
    { tail -20 "$state/debootstrap.log"; fail "no $base (log: $state/debootstrap.log)"; }
}

build_images() {
  local flags=(--network host) target
  # Never look for the base image in a registry.
  if [ "$engine" = podman ]; then flags+=(--pull=never); fi
  for target in nginx rewardd redis; do
    step "Building referral-$target (docker/Dockerfile, target $target)"
    logged "build-$target" "$engine" build "${flags[@]}" -f docker/Dockerfile --target "$target" \
      -t "referral-$target" .
  done
}

# Everything compose made for the project, by its label, then a check that nothing is left.
teardown() {
  local label="label=com.docker.compose.project=$project" left
  compose down -v >/dev/null 2>&1 || true
  # podman-compose 1.0 leaves the network (and would leave anything a failed run half-made).
  "$engine" ps -aq --filter "$label" | xargs -r "$engine" rm -f >/dev/null
  "$engine" volume ls -q --filter "$label" | xargs -r "$engine" volume rm -f >/dev/null
  "$engine" network ls -q --filter "$label" | xargs -r "$engine" network rm >/dev/null
  left=$("$engine" ps -aq --filter "$label"; "$engine" volume ls -q --filter "$label"
    "$engine" network ls -q --filter "$label")
  if [ "$engine" = podman ]; then left+=$(podman pod ls -q --filter "name=$project"); fi
  [ -z "$left" ] || fail "left behind after teardown: $left"
  echo "containers: $project torn down, nothing left"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs "$@" with its output in $state/$1.log, shown (the end of it) only when it fails.
logged() {
  local log="$state/$1.log"
  shift
  "$@" >"$log" 2>&1 || { tail -40 "$log"; fail "$* (log: $log)"; }
}

# Runs "$@" until it succeeds, for at most $1 seconds.
wait_for() {
  local seconds=$1 deadline
  shift
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

service() { # the container of a compose service
  "$engine" ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" | head -1
}
in_service() { local id; id=$(service "$1"); shift; "$engine" exec "$id" "$@"; }

balance_is() { [ "$(in_service rewardd referral-rewardd balance alice)" = "$1" ]; }

# The walk of docker/README.md: alice's link, a purchase of 49.90 EUR, her 10 % reward.
check_demo() {
  local http="127.0.0.1:$REFERRAL_HTTP_PORT" status="127.0.0.1:$REFERRAL_STATUS_PORT"
  local metrics="127.0.0.1:$REFERRAL_METRICS_PORT" jar="$state/cookies" out
  step "Following a referral link, buying, checking the reward"
  wait_for 120 curl -fsS "http://$http/" || fail "nginx does not answer on $http"
  out=$(curl -sS -i -c "$jar" "http://$http/?ref=alice&utm_source=newsletter")
  grep -q '^Set-Cookie: ref=' <<<"$out" || fail "no referral cookie: $out"
  out=$(curl -sS -i -b "$jar" -X POST -d status=paid "http://$http/payment/return?order=1001&total=49.90")
  grep -q '^HTTP/1.1 303' <<<"$out" || fail "payment return is not a 303: $out"
  out=$(curl -sS -i -b "$jar" "http://$http/checkout/done?order=1001&total=49.90")
  grep -q '^HTTP/1.1 200' <<<"$out" || fail "thank-you page: $out"
  ! grep -qi '^X-Order-' <<<"$out" || fail "the shop's order headers reached the browser: $out"

  local want="EUR pending 0.00 approved 4.99 paid 0.00"
  wait_for 120 balance_is "$want" ||
    fail "alice's balance is \"$(in_service rewardd referral-rewardd balance alice || true)\", not \"$want\""
  echo "referral-rewardd balance alice: $want"
  in_service rewardd referral-rewardd report

  out=$(curl -fsS "http://$status/referral-status")
  grep -q '"conversions":1,' <<<"$out" || fail "nginx's counters: $out"
  out=$(curl -fsS "http://$metrics/metrics")
  grep -qx 'referral_rewardd_events_total{type="conversion",result="applied"} 1' <<<"$out" ||
    fail "the daemon's metrics do not count the conversion: $out"
  grep -qx 'referral_rewardd_redis_up 1' <<<"$out" || fail "the daemon's metrics: Redis is not up"
  [ "$(in_service redis redis-cli config get appendonly | tail -1)" = yes ] ||
    fail "Redis runs without its append-only file"
  echo "containers: reward, nginx's counters, the daemon's metrics and Redis's AOF check out"
}

if [ "$engine" = podman ]; then setup_podman; fi
apt_install curl python3
if [ "$mode" = --down ]; then
  project=referral-demo
  teardown
  exit 0
fi

if [ "$mode" = check ]; then
  # Its own name and free ports, so that it runs beside a demo or another checkout's run.
  project="referral-check-$$"
  REFERRAL_HTTP_PORT=$(free_port) REFERRAL_STATUS_PORT=$(free_port) REFERRAL_METRICS_PORT=$(free_port)
else
  project=referral-demo
fi
export REFERRAL_HTTP_PORT="${REFERRAL_HTTP_PORT:-8080}"
export REFERRAL_STATUS_PORT="${REFERRAL_STATUS_PORT:-8081}"
export REFERRAL_METRICS_PORT="${REFERRAL_METRICS_PORT:-9465}"

make_base_image
build_images

on_exit() {
  local status=$?
  if [ "$status" != 0 ]; then
    step "Logs of $project"
    compose logs 2>&1 | tail -100 || true
  fi
  step "Tearing down $project"
  teardown
}
if [ "$mode" = check ]; then trap on_exit EXIT; else teardown >/dev/null; fi
step "Starting $project: redis, shop, nginx, rewardd"
# (podman without systemd logs that it cannot schedule the Redis healthcheck: docker's
# depends_on needs it, podman-compose starts the services in order without it.)
logged compose-up compose up -d --no-build
check_demo
if [ "$mode" = --keep ]; then
  echo "The demo is running: http://127.0.0.1:$REFERRAL_HTTP_PORT/ (docker/README.md);"
  echo "stop it with: bash scripts/containers.sh --down"
fi
