#!/usr/bin/env bash
# Starts Debian's prometheus for the guard tests (docs/sources.md), or reuses the one it started
# before: listening on 127.0.0.1 only, scraping every 500 ms the targets the tests list in
# $STATE_DIR/prometheus/targets/*.json (file-based discovery, re-read as files appear), with its
# data in $STATE_DIR/prometheus/data. apt-get's package starts nothing; this script does.
#
# Writes $STATE_DIR/prometheus.env (RAMPART_TEST_PROMETHEUS_URL, …_TARGETS_DIR, …_SCRAPE_MS,
# …_VERSION) for the tests. down.sh stops it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"

PROM_DIR="$STATE_DIR/prometheus"
PROM_ENV_FILE="$STATE_DIR/prometheus.env"
SCRAPE_MS=500

mkdir -p "$PROM_DIR/targets" "$PROM_DIR/data"
exec 8>"$PROM_DIR/lock"
flock 8

is_ours() {
  local pid="$1"
  [[ -n "$pid" && -r "/proc/$pid/comm" && "$(cat "/proc/$pid/comm")" == prometheus ]]
}

ready() {
  curl -sf --max-time 2 "$1/-/ready" >/dev/null 2>&1
}

if [[ -f "$PROM_ENV_FILE" && -f "$PROM_DIR/pid" ]]; then
  url="$(sed -n 's/^RAMPART_TEST_PROMETHEUS_URL=//p' "$PROM_ENV_FILE")"
  pid="$(cat "$PROM_DIR/pid")"
  if is_ours "$pid" && ready "$url"; then
    step "prometheus running (pid $pid, $url); reusing it"
    exit 0
  fi
fi

command -v prometheus >/dev/null || fail "prometheus is not installed (Debian: apt-get install prometheus; scripts/install-test-deps.sh does it)"
version="$(prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p')"
port="$(node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port"

cat >"$PROM_DIR/prometheus.yml" <<YAML
# Written by scripts/test-env/prometheus.sh: the tests list their demo services in targets/.
global:
  scrape_interval: ${SCRAPE_MS}ms
  scrape_timeout: 400ms
  evaluation_interval: 1m
scrape_configs:
  - job_name: rampart-test
    file_sd_configs:
      - files: ['$PROM_DIR/targets/*.json']
        refresh_interval: 1s
YAML

step "starting prometheus $version on $url"
# setsid: it outlives this script, as dockerd does; down.sh stops it.
setsid prometheus \
  --config.file="$PROM_DIR/prometheus.yml" \
  --storage.tsdb.path="$PROM_DIR/data" \
  --storage.tsdb.retention.time=1d \
  --web.listen-address="127.0.0.1:$port" \
  >"$PROM_DIR/prometheus.log" 2>&1 </dev/null 8>&- 9>&- &
echo $! >"$PROM_DIR/pid"

for _ in $(seq 1 120); do
  ready "$url" && break
  is_ours "$(cat "$PROM_DIR/pid")" || fail "prometheus exited; see $PROM_DIR/prometheus.log"
  sleep 0.25
done
ready "$url" || fail "prometheus did not become ready within 30 s; see $PROM_DIR/prometheus.log"

printf 'RAMPART_TEST_PROMETHEUS_URL=%s\nRAMPART_TEST_PROMETHEUS_TARGETS_DIR=%s\nRAMPART_TEST_PROMETHEUS_SCRAPE_MS=%s\nRAMPART_TEST_PROMETHEUS_VERSION=%s\n' \
  "$url" "$PROM_DIR/targets" "$SCRAPE_MS" "$version" >"$PROM_ENV_FILE.tmp"
mv "$PROM_ENV_FILE.tmp" "$PROM_ENV_FILE"
step "prometheus $version ready at $url (pid $(cat "$PROM_DIR/pid")); names in $PROM_ENV_FILE"
