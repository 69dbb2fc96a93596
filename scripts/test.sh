#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every test: formatting and shellcheck; unit and
# integration tests against the real nginx, redis-server and daemon; the same suite again with
# AddressSanitizer and UndefinedBehaviorSanitizer; each libFuzzer target for a bounded time; a
# smoke run of the benchmark harness; the Debian packages installed and loaded; the classic
# nginx build; the container images built and the compose demo run in them. Every build treats
# compiler warnings as errors (REFERRAL_WERROR).
#
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    the normal build's suite only
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "Installing dependencies"
bash scripts/deps.sh

step "Source formatting (.clang-format)"
find core module daemon tests bench \( -name '*.cc' -o -name '*.h' -o -name '*.c' \) -print0 |
  xargs -0 clang-format --dry-run -Werror

step "Shell scripts (shellcheck, .shellcheckrc)"
# Scripts by their #! line, sourced files by their "# shellcheck shell=" directive.
shell_scripts=()
while IFS= read -r -d '' file; do
  first_line=
  IFS= read -r first_line <"$file" || true
  if [[ $first_line =~ ^#!.*/(env\ )?(ba)?sh($|\ )|^#\ shellcheck\ shell= ]]; then
    shell_scripts+=("$file")
  fi
done < <(find scripts bench .ci docker packaging -type f -print0 | sort -z)
shellcheck "${shell_scripts[@]}"
echo "${#shell_scripts[@]} scripts checked"

step "Building (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFERRAL_TESTS=ON -DREFERRAL_BENCH=ON \
  -DREFERRAL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

step "Unit and integration tests"
(cd build && ctest --output-on-failure --parallel "$jobs") | tee build/ctest.log

# ctest has already failed the script on any failure; this sums what passed for the last line.
summary() {
  local passed
  passed=$(cat "$@" | grep -oE 'tests failed out of [0-9]+' | awk '{n += $NF} END {print n + 0}')
  echo "tests: $passed passed, 0 failed"
}

if [ "$quick" = 1 ]; then summary build/ctest.log; exit 0; fi

step "Building with ASan/UBSan (build-sanitize/)"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DREFERRAL_SANITIZE=ON -DREFERRAL_TESTS=ON \
  -DREFERRAL_BENCH=OFF -DREFERRAL_WERROR=ON >/dev/null
cmake --build build-sanitize -j"$jobs"

step "Unit and integration tests under ASan/UBSan"
# nginx itself is not instrumented: it loads the sanitizer runtime before the module.
REFERRAL_NGINX_PRELOAD=$(gcc -print-file-name=libasan.so) \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  bash -c 'cd build-sanitize && ctest --output-on-failure --parallel '"$jobs" | tee build-sanitize/ctest.log

step "Fuzzing each parser for ${FUZZ_SECONDS:-30}s"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

step "Benchmark harness smoke run (a few seconds, no thresholds: keeps bench/ from rotting)"
BENCH_BUILD_DIR="$PWD/build" bash bench/run.sh --quick --no-build

step "Debian packages: build, install, check nginx loads the module, purge"
bash scripts/package.sh

step "Classic build: Debian's nginx source with --add-dynamic-module=module"
bash scripts/classic-build.sh

step "Containers: images FROM debian:bookworm built, the compose demo run end to end (podman)"
bash scripts/containers.sh
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  step "Containers: the same with docker"
  CONTAINER_ENGINE=docker bash scripts/containers.sh
fi

summary build/ctest.log build-sanitize/ctest.log
