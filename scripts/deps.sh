#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need.
# Non-interactive; safe to run again.
#
#   scripts/deps.sh           everything
#   scripts/deps.sh --build   only what building the packages needs (the container images)
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config ca-certificates
  nginx-core nginx-dev libpcre2-dev zlib1g-dev
  libssl-dev libhiredis-dev libqrencode-dev
  libtomlplusplus-dev libcpp-httplib-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
)
packages=(
  "${build_packages[@]}" git redis-server redis-sentinel
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format shellcheck
  curl python3 lintian
  chromium fonts-dejavu-core
)
if [ "${1:-}" = --build ]; then packages=("${build_packages[@]}"); fi

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
# The packaged services are not used: tests and the demo start their own on loopback.
for svc in nginx redis-server redis-sentinel; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
