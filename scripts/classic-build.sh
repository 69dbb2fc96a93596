#!/usr/bin/env bash
# The classic way to build the module: Debian's nginx source (`apt-get source nginx`),
# `./configure` with the flags Debian's nginx was built with plus
# `--add-dynamic-module=<repo>/module`, and `make modules`. The resulting .so is then loaded
# into the stock /usr/sbin/nginx, which proves module/config builds a binary-compatible module.
#
#   scripts/classic-build.sh [work-dir]     (default: build-classic/)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$root/build-classic}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive

bash "$root/scripts/deps.sh"

# apt-get source needs a deb-src entry for Debian's own archive; mirror the deb entries.
if ! grep -rqs '^[[:space:]]*\(deb-src\|Types:.*deb-src\)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
      $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
      $SUDO tee /etc/apt/sources.list.d/debian-src.list >/dev/null
  fi
  $SUDO apt-get update
fi

# The source of the installed nginx. A mirror may list a security update's source before it
# serves it; any Debian revision of the same upstream version builds a compatible module
# (Debian's revisions of 1.22.1 all provide nginx-abi-1.22.1-7), so older ones are the fallback.
installed="$(dpkg-query -W -f='${Version}' nginx)"
mapfile -t versions < <({ echo "$installed"; apt-cache showsrc nginx | sed -n 's/^Version: //p' | sort -rV; } |
  awk -v upstream="${installed%%-*}-" 'index($0, upstream) == 1 && !seen[$0]++')
mkdir -p "$work"
cd "$work"
src="$(find . -maxdepth 1 -type d -name 'nginx-*' | head -n 1)"
if [ -z "$src" ] || ! grep -qxF -f "$src/.referral-source-version" <(printf '%s\n' "${versions[@]}") 2>/dev/null; then
  src=
  for version in "${versions[@]}"; do
    rm -rf ./nginx-* ./nginx_*
    if apt-get -o APT::Sandbox::User=root source "nginx=$version"; then
      src="$(find . -maxdepth 1 -type d -name 'nginx-*' | head -n 1)"
      echo "$version" >"$src/.referral-source-version"
      break
    fi
  done
  [ -n "$src" ] || { echo "classic build: apt-get source nginx failed for ${versions[*]}" >&2; exit 1; }
fi
echo "classic build: nginx source $(cat "$src/.referral-source-version") (installed: $installed)"
cd "$src"

# Debian's configure flags (nginx-dev records them) and its compiler and linker flags, as
# debian/rules passes them.
. /usr/share/nginx/src/conf_flags
./configure "${NGX_CONF_FLAGS[@]}" \
  --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
  --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" \
  --add-dynamic-module="$root/module" >configure.log 2>&1 ||
  { tail -n 30 configure.log; exit 1; }
make -j"$(nproc)" modules
module="$PWD/objs/ngx_http_referral_module.so"

# Load it into the stock nginx and capture one referral.
. "$root/scripts/lib/module-smoke.sh"
module_smoke "load_module $module;"
echo "classic build: $module loads into /usr/sbin/nginx and sets the cookie"
