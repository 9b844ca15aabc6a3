# shellcheck shell=bash
# Progress lines with elapsed time, so a slow CI step shows where the minutes went.
# Sourced by the test-env scripts; expects `set -euo pipefail` from the caller.

# Exported so child scripts report times from the same start.
export progress_started_ns="${progress_started_ns:-$(date +%s%N)}"

# Seconds since the script started, one decimal.
progress_elapsed() {
  local now_ns
  now_ns="$(date +%s%N)"
  awk -v ns="$((now_ns - progress_started_ns))" 'BEGIN { printf "%.1f", ns / 1e9 }'
}

step() {
  printf '[test-env %6ss] %s\n' "$(progress_elapsed)" "$*" >&2
}

fail() {
  printf '[test-env %6ss] ERROR: %s\n' "$(progress_elapsed)" "$*" >&2
  exit 1
}

# Runs "$@" and reports how long it took: `timed "debootstrap postgres" debootstrap ...`.
timed() {
  local label="$1" started_ns ended_ns
  shift
  started_ns="$(date +%s%N)"
  "$@"
  ended_ns="$(date +%s%N)"
  step "$label took $(awk -v ns="$((ended_ns - started_ns))" 'BEGIN { printf "%.1f", ns / 1e9 }')s"
}
