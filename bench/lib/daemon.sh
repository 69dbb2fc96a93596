# shellcheck shell=bash
# The reward daemon's sustained conversions per second into the ledger.
# Needs: common.sh, servers.sh, $build, $daemon_events, $report.

daemon_step() {
  local daemon=$build/daemon/referral-rewardd
  if [ ! -x "$daemon" ]; then
    say "  $daemon is not built: skipping"
    echo "Not measured: \`referral-rewardd\` is not built yet." >>"$report"
    return 0
  fi
}
