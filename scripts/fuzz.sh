#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and fuzzes each for N seconds
# (default 30; `scripts/fuzz.sh 300` for longer). Inputs that once crashed a target are kept
# in tests/fuzz/regressions/<target>/ and replayed first. A crash found now is copied there
# and makes the script fail: fix the bug, keep the file.
set -euo pipefail

seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_query fuzz_bots fuzz_token fuzz_amount fuzz_keyring fuzz_event fuzz_event_builder
  fuzz_spool fuzz_resp fuzz_redis_address fuzz_rewardd_events fuzz_rewardd_config fuzz_stream_reply
  fuzz_webhook_config fuzz_hook_signatures fuzz_hook_messages fuzz_partner_token fuzz_dashboard_query)
# Further arguments name the targets to run (`scripts/fuzz.sh 60 fuzz_spool`).
[ "$#" -gt 1 ] && targets=("${@:2}")

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DREFERRAL_FUZZ=ON -DREFERRAL_SANITIZE=OFF -DREFERRAL_BENCH=OFF -DREFERRAL_WERROR=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"

failed=()
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/$target"
  regressions="$root/tests/fuzz/regressions/$target"
  logs="$build/fuzz-logs/$target"
  mkdir -p "$logs"

  mapfile -t old < <(find "$regressions" -type f 2>/dev/null | sort)
  if [ "${#old[@]}" -gt 0 ]; then
    echo "== $target: replaying ${#old[@]} regression input(s)"
    if ! "$binary" "${old[@]}" >"$logs/replay.log" 2>&1; then
      echo "FAIL $target: a regression input crashes again, see $logs/replay.log"
      failed+=("$target")
      continue
    fi
  fi

  # Fuzz a copy: the checked-in seeds stay small and hand-picked.
  corpus="$(mktemp -d)"
  artifacts="$(mktemp -d)"
  cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
  echo "== $target: fuzzing for ${seconds}s"
  if "$binary" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$logs/fuzz.log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$logs/fuzz.log" |
      sed "s/^/   /"
  else
    mkdir -p "$regressions"
    cp "$artifacts"/* "$regressions/" 2>/dev/null || true
    echo "FAIL $target: crash saved to $regressions/, log in $logs/fuzz.log"
    tail -n 30 "$logs/fuzz.log"
    failed+=("$target")
  fi
  rm -rf "$corpus" "$artifacts"
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}"
  exit 1
fi
echo "fuzzing passed: ${targets[*]} (${seconds}s each)"
