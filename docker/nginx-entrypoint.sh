#!/usr/bin/env bash
# Gives a container without a mounted key ring one of its own, then runs the command. A
# generated ring lives as long as the container: mount a file to keep cookies valid across
# re-creations (docker/README.md).
set -euo pipefail

keys=/etc/nginx/referral.keys
if [ ! -s "$keys" ]; then
  umask 077
  echo "k1:$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >"$keys"
  echo "nginx-entrypoint: generated $keys" >&2
fi
exec "$@"
