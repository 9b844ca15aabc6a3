#!/usr/bin/env bash
# Tears down what the tests started, and only that: containers, volumes and networks labelled
# rampart.test=1, the prometheus and unleash-server the scripts started, and dockerd if up.sh started it. The fixture images stay: they are the
# cache that makes the next up.sh take seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"
# shellcheck source=SCRIPTDIR/lib/engine.sh
. "$here/lib/engine.sh"

mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/lock"
flock 9

if command -v docker >/dev/null && engine_reachable; then
  mapfile -t containers < <(docker ps -aq --filter "label=$TEST_LABEL")
  if ((${#containers[@]})); then
    step "removing ${#containers[@]} container(s) labelled $TEST_LABEL"
    # -v: the anonymous data volume each postgres container gets goes with it.
    docker rm -f -v "${containers[@]}" >/dev/null
  fi
  mapfile -t volumes < <(docker volume ls -q --filter "label=$TEST_LABEL")
  if ((${#volumes[@]})); then
    step "removing ${#volumes[@]} volume(s) labelled $TEST_LABEL"
    docker volume rm -f "${volumes[@]}" >/dev/null
  fi
  mapfile -t networks < <(docker network ls -q --filter "label=$TEST_LABEL")
  if ((${#networks[@]})); then
    step "removing ${#networks[@]} network(s) labelled $TEST_LABEL"
    docker network rm "${networks[@]}" >/dev/null
  fi
else
  step "no Docker engine reachable; no test containers to remove"
fi

# The prometheus prometheus.sh started (its data stays, like the images).
prom_pid="$(cat "$STATE_DIR/prometheus/pid" 2>/dev/null || true)"
if [[ -n "$prom_pid" && -r "/proc/$prom_pid/comm" && "$(cat "/proc/$prom_pid/comm")" == prometheus ]]; then
  step "stopping prometheus (pid $prom_pid)"
  kill "$prom_pid"
fi
rm -f "$STATE_DIR/prometheus.env"

# The unleash-server unleash.sh started, and its Postgres (the installed package stays, like the images).
unleash_pid="$(cat "$STATE_DIR/unleash/pid" 2>/dev/null || true)"
if [[ -n "$unleash_pid" && -r "/proc/$unleash_pid/cmdline" ]] && tr '\0' ' ' <"/proc/$unleash_pid/cmdline" | grep -q unleash-server; then
  step "stopping unleash-server (pid $unleash_pid)"
  kill "$unleash_pid"
fi
if command -v docker >/dev/null && engine_reachable; then
  docker rm -f -v rampart-test-env-unleash-postgres >/dev/null 2>&1 || true
fi
rm -f "$STATE_DIR/unleash.env"

if [[ "${1:-}" == --keep-engine ]]; then
  step "--keep-engine: leaving the Docker engine running"
else
  engine_stop_if_ours
fi
step "down in $(progress_elapsed)s"
