#!/usr/bin/env bash
# Smoke check of the fixture images on host networking, loopback only: Postgres accepts a
# password login over TCP and pg_dump works through `docker exec`; Node serves HTTP.
# Run after up.sh. Removes the containers it started (and only those), pass or fail.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"

pg_port="${RAMPART_SMOKE_PG_PORT:-55432}"
node_port="${RAMPART_SMOKE_NODE_PORT:-58084}"

command -v psql >/dev/null || fail "psql is not installed on this machine (apt-get install postgresql-client)"
command -v curl >/dev/null || fail "curl is not installed on this machine (apt-get install curl)"

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for port in "$pg_port" "$node_port"; do
  if port_in_use "$port"; then
    fail "127.0.0.1:$port is already in use; free it or set RAMPART_SMOKE_PG_PORT / RAMPART_SMOKE_NODE_PORT"
  fi
done

started=()
cleanup() {
  if ((${#started[@]})); then
    docker rm -f -v "${started[@]}" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Waits up to $1 seconds for "${@:2}" to succeed.
wait_for() {
  local seconds="$1" waited=0
  shift
  until "$@" >/dev/null 2>&1; do
    ((waited < seconds)) || return 1
    sleep 1
    waited=$((waited + 1))
  done
}

step "starting $FIXTURE_POSTGRES_IMAGE on 127.0.0.1:$pg_port"
pg="$(docker run -d --network host --label "$TEST_LABEL" \
  -e POSTGRES_USER=unicorn -e POSTGRES_PASSWORD=unicorn -e POSTGRES_DB=unicorn_test \
  -e PGPORT="$pg_port" -e POSTGRES_LISTEN_ADDRESSES=127.0.0.1 \
  "$FIXTURE_POSTGRES_IMAGE")"
started+=("$pg")

pg_select_one() {
  PGPASSWORD=unicorn psql -h 127.0.0.1 -p "$pg_port" -U unicorn -d unicorn_test -tAc 'select 1'
}
if ! wait_for 60 pg_select_one; then
  docker logs "$pg" 2>&1 | tail -n 30 >&2
  fail "Postgres did not accept 'select 1' on 127.0.0.1:$pg_port within 60 s (container logs above)"
fi
[[ "$(pg_select_one)" == 1 ]] || fail "'select 1' on 127.0.0.1:$pg_port did not return 1"
step "psql over TCP with a password: select 1 = 1"

# Only the locally built image refuses it: the public one trusts 127.0.0.1, which under host
# networking is the host's loopback (see resources/fixture-images/README.md).
if [[ "$(docker image inspect -f '{{index .Config.Labels "rampart.fixture"}}' "$FIXTURE_POSTGRES_IMAGE")" == postgres ]]; then
  if PGPASSWORD=wrong psql -h 127.0.0.1 -p "$pg_port" -U unicorn -d unicorn_test -tAc 'select 1' >/dev/null 2>&1; then
    fail "Postgres accepted a wrong password on 127.0.0.1:$pg_port; TCP must require the password"
  fi
  step "a wrong password is refused over TCP"
fi

PGPASSWORD=unicorn psql -h 127.0.0.1 -p "$pg_port" -U unicorn -d unicorn_test -q -v ON_ERROR_STOP=1 \
  -c 'create table smoke (id int primary key, note text)' -c "insert into smoke values (1, 'dumped')"
dump_bytes="$(docker exec "$pg" pg_dump -U unicorn -Fc unicorn_test | wc -c)"
((dump_bytes > 0)) || fail "docker exec $pg pg_dump -U unicorn -Fc unicorn_test produced no output"
docker exec "$pg" pg_dump -U unicorn unicorn_test | grep -q dumped ||
  fail "pg_dump inside the container did not include the row inserted over TCP"
step "pg_dump inside the container: $dump_bytes bytes (custom format), includes the inserted row"

stop_started_ns="$(date +%s%N)"
docker stop "$pg" >/dev/null
[[ "$(docker inspect -f '{{.State.ExitCode}}' "$pg")" == 0 ]] ||
  fail "Postgres exited with code $(docker inspect -f '{{.State.ExitCode}}' "$pg") on docker stop; expected a clean shutdown (0)"
step "docker stop shut Postgres down cleanly (exit 0) in $(awk -v ns="$(($(date +%s%N) - stop_started_ns))" 'BEGIN { printf "%.1f", ns / 1e9 }')s"

step "starting $FIXTURE_NODE_IMAGE on 127.0.0.1:$node_port"
node_c="$(docker run -d --network host --label "$TEST_LABEL" "$FIXTURE_NODE_IMAGE" \
  node -e "require('http').createServer((q,s)=>s.end('ok')).listen($node_port,'127.0.0.1')")"
started+=("$node_c")
node_ok() {
  [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$node_port/")" == ok ]]
}
if ! wait_for 30 node_ok; then
  docker logs "$node_c" 2>&1 | tail -n 30 >&2
  fail "the Node fixture did not answer 'ok' on 127.0.0.1:$node_port within 30 s (container logs above)"
fi
step "node $(docker exec "$node_c" node --version) answered 'ok' on 127.0.0.1:$node_port"

step "smoke check passed in $(progress_elapsed)s"
