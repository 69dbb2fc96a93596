#!/usr/bin/env bash
# Builds the Debian packages (libnginx-mod-http-referral, referral-rewardd) with CPack, checks
# them with lintian, then installs them on this machine, checks that Debian's nginx loads the
# module through the package's modules-enabled snippet and that the daemon's package is
# complete, and purges them again (with the system user the daemon's package created). Needs
# root for the install check.
#
#   scripts/package.sh               build, install, check, purge (what CI runs)
#   scripts/package.sh --keep        ... and leave them installed
#   scripts/package.sh --build-only  just the .deb files (docker/Dockerfile uses this)
#
# Build directory: $BUILD_DIR (default build/). An existing one is reused as it is configured
# (scripts/test.sh's); a new one is configured without tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode="${1:-check}"
case "$mode" in check | --keep | --build-only) ;; *) echo "usage: $0 [--keep|--build-only]" >&2; exit 2 ;; esac
build="${BUILD_DIR:-build}"

if [ "$mode" = --build-only ]; then bash scripts/deps.sh --build; else bash scripts/deps.sh; fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFERRAL_TESTS=OFF -DREFERRAL_BENCH=OFF
fi
cmake --build "$build" -j"$(nproc)"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB)
mapfile -t debs < <(find "$build/packages" -maxdepth 1 -name '*.deb' | sort)
for deb in "${debs[@]}"; do
  echo "== $(basename "$deb")"
  dpkg-deb --field "$deb" Package Version Depends
done
[ "$mode" = --build-only ] && exit 0

fail() { echo "package check failed: $*" >&2; exit 1; }

# Debian's own standard: no lintian error or warning. A warning that does not apply is
# overridden, with the reason, in packaging/<package>/lintian-overrides.
lintian --fail-on error,warning "${debs[@]}" || fail "lintian (above)"
echo "package check: lintian passes both packages"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

packages=()
for deb in "${debs[@]}"; do packages+=("$(dpkg-deb --field "$deb" Package)"); done
[[ " ${packages[*]} " == *" libnginx-mod-http-referral "* ]] || fail "no libnginx-mod-http-referral package"
had_user=0
getent passwd referral-rewardd >/dev/null && had_user=1

# Purge on the way out, whatever happens below, unless asked to keep them.
cleanup() {
  dpkg -P "${packages[@]}" >/dev/null
  if [ "$had_user" = 0 ] && getent passwd referral-rewardd >/dev/null; then userdel referral-rewardd; fi
}
[ "$mode" = --keep ] || trap cleanup EXIT
dpkg -i "${debs[@]}"

# The module, enabled the way Debian's module packages are.
link=/etc/nginx/modules-enabled/50-mod-http-referral.conf
[ -f /usr/lib/nginx/modules/ngx_http_referral_module.so ] || fail "module not in /usr/lib/nginx/modules"
[ "$(readlink "$link")" = /usr/share/nginx/modules-available/mod-http-referral.conf ] ||
  fail "$link does not enable the module"
nginx -t
# Debian's way of loading modules, then a server that uses the module's directives.
. scripts/lib/module-smoke.sh
module_smoke "include /etc/nginx/modules-enabled/*.conf;"
echo "package check: nginx loads the packaged module through $link"

if [[ " ${packages[*]} " == *" referral-rewardd "* ]]; then
  [ -x /usr/bin/referral-rewardd ] || fail "no /usr/bin/referral-rewardd"
  getent passwd referral-rewardd >/dev/null || fail "no referral-rewardd user"
  # The default configuration is valid and readable by the user the unit runs as.
  runuser -u referral-rewardd -- /usr/bin/referral-rewardd check --config /etc/referral/rewards.toml
  [ "$(stat -c '%U:%G %a' /etc/referral/rewards.toml)" = "root:referral-rewardd 640" ] ||
    fail "/etc/referral/rewards.toml is $(stat -c '%U:%G %a' /etc/referral/rewards.toml)"
  unit=/usr/lib/systemd/system/referral-rewardd.service
  [ -f "$unit" ] || fail "no $unit"
  if command -v systemd-analyze >/dev/null 2>&1; then systemd-analyze verify "$unit"; fi
  # Every command and option the daemon's --help lists is in its manual page (which spells
  # hyphens \-).
  manual=$(zcat /usr/share/man/man8/referral-rewardd.8.gz)
  mapfile -t commands < <(referral-rewardd --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
  [ "${#commands[@]}" -gt 0 ] || fail "no commands in referral-rewardd --help"
  for command in "" "${commands[@]}"; do
    [ -z "$command" ] || grep -q "^\.SS ${command//-/\\\\-}\b" <<<"$manual" ||
      fail "referral-rewardd(8) has no section for the command $command"
    # shellcheck disable=SC2086 # no command: the options of referral-rewardd itself
    for option in $(referral-rewardd $command --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
      grep -qF -- "${option//-/\\-}" <<<"$manual" ||
        fail "referral-rewardd(8) does not document $option${command:+ of $command}"
    done
  done
  echo "package check: referral-rewardd(8) documents all ${#commands[@]} commands and their options"
  echo "package check: referral-rewardd installs its binary, user, configuration and unit"
else
  echo "package check: no referral-rewardd package (daemon/ not built yet)"
fi

if [ "$mode" != --keep ]; then
  trap - EXIT
  cleanup
  [ ! -e "$link" ] || fail "$link left behind after purge"
  nginx -t
  echo "package check: purged, nginx -t passes without the module"
fi
