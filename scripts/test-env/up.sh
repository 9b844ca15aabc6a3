#!/usr/bin/env bash
# Brings up the test environment: a Docker engine and the two fixture images
# (see resources/fixture-images/README.md), the Prometheus the guard tests scrape into
# (prometheus.sh) and the Unleash server the flag-source tests write to (unleash.sh). Idempotent: a reachable engine and existing images
# are reused, so the second run takes seconds.
#
#   RAMPART_USE_REGISTRY=1  pull the public postgres/node images and tag them as the fixtures
#   RAMPART_USE_REGISTRY=0  build the fixtures locally from the Debian mirror apt uses
#   unset                   pull when the engine was already running (a workstation), build
#                           when this script had to start dockerd itself (CI without registry);
#                           a failed pull falls back to the local build where that is possible
#
# Writes $STATE_DIR/images.env (RAMPART_FIXTURE_POSTGRES_IMAGE=…, RAMPART_FIXTURE_NODE_IMAGE=…).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"
# shellcheck source=SCRIPTDIR/lib/engine.sh
. "$here/lib/engine.sh"

mkdir -p "$STATE_DIR"
# Two concurrent runs would start two dockerds or build the same image twice.
exec 9>"$STATE_DIR/lock"
flock 9

engine_ensure

case "${RAMPART_USE_REGISTRY:-}" in
  1) source_mode=registry ;;
  0) source_mode=local ;;
  "") if [[ "$(state_get dockerd_started_by_us)" == 1 ]]; then source_mode=local; else source_mode=registry; fi ;;
  *) fail "RAMPART_USE_REGISTRY=${RAMPART_USE_REGISTRY} is not 0 or 1" ;;
esac

can_build_locally() {
  [[ "$(id -u)" == 0 && -f /etc/debian_version ]]
}

ensure_debootstrap() {
  if ! command -v debootstrap >/dev/null; then
    step "installing debootstrap with apt-get"
    timed "apt-get install debootstrap" apt_install debootstrap
  fi
}

image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'
}

# Sets outcome[<kind>] to how the image came to be: reused, pulled or built.
declare -A outcome
to_build=()
acquire() {
  local kind="$1" image="$2" public="$3"
  if docker image inspect "$image" >/dev/null 2>&1; then
    outcome[$kind]=reused
    step "$image present; reusing it"
    return 0
  fi
  if [[ "$source_mode" == registry ]]; then
    step "pulling $public for $image"
    if timeout "${RAMPART_PULL_TIMEOUT_SECONDS:-300}" docker pull --quiet "$public" >/dev/null; then
      docker tag "$public" "$image"
      outcome[$kind]=pulled
      step "tagged $public as $image"
      return 0
    fi
    can_build_locally || fail "could not pull $public (is a registry reachable?), and building $image locally needs root on Debian"
    step "could not pull $public; building $image locally instead"
  fi
  can_build_locally || fail "$image is missing and building it locally needs root on Debian; set RAMPART_USE_REGISTRY=1 to pull $public"
  to_build+=("$kind")
}

acquire postgres "$FIXTURE_POSTGRES_IMAGE" "$PUBLIC_POSTGRES_IMAGE"
acquire node "$FIXTURE_NODE_IMAGE" "$PUBLIC_NODE_IMAGE"

if ((${#to_build[@]})); then
  ensure_debootstrap
  build_started_ns="$(date +%s%N)"
  "$here/build-fixture-images.sh" "${to_build[@]}"
  build_seconds="$(awk -v ns="$(($(date +%s%N) - build_started_ns))" 'BEGIN { printf "%.0f", ns / 1e9 }')"
  for kind in "${to_build[@]}"; do outcome[$kind]="built in ${build_seconds}s total"; done
fi

printf 'RAMPART_FIXTURE_POSTGRES_IMAGE=%s\nRAMPART_FIXTURE_NODE_IMAGE=%s\n' \
  "$FIXTURE_POSTGRES_IMAGE" "$FIXTURE_NODE_IMAGE" >"$IMAGES_ENV_FILE"

if [[ "$(state_get dockerd_started_by_us)" == 1 ]]; then
  engine_note="dockerd started by test-env (pid $(state_get dockerd_pid))"
else
  engine_note="existing engine"
fi
step "ready in $(progress_elapsed)s: $FIXTURE_POSTGRES_IMAGE (${outcome[postgres]}, $(image_size "$FIXTURE_POSTGRES_IMAGE")), $FIXTURE_NODE_IMAGE (${outcome[node]}, $(image_size "$FIXTURE_NODE_IMAGE")); $engine_note; names in $IMAGES_ENV_FILE"

# Prometheus for the guard tests and Unleash for the flag-source tests (docs/sources.md); reused when they run.
"$here/prometheus.sh"
"$here/unleash.sh"
