#!/usr/bin/env bash
# Starts an Unleash server for the Unleash flag-source tests (docs/sources.md), or reuses the one
# it started before. Unleash is no dependency of Rampart: the `unleash-server` package is
# installed once with npm into its own folder, $STATE_DIR/unleash (outside the repository, never
# into its node_modules), and run with this machine's Node on 127.0.0.1, backed by a Postgres
# fixture container of its own (host networking, 127.0.0.1, its own port and database).
# An Admin API token (the admin user's personal access token) is created through the API for the tests.
#
# Writes $STATE_DIR/unleash.env (RAMPART_TEST_UNLEASH_URL, …_ADMIN_TOKEN, …_VERSION). down.sh
# stops the server and removes its Postgres container.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"

UNLEASH_VERSION="${RAMPART_TEST_UNLEASH_VERSION:-7.5.1}"
UNLEASH_DIR="$STATE_DIR/unleash"
UNLEASH_ENV_FILE="$STATE_DIR/unleash.env"
PG_CONTAINER=rampart-test-env-unleash-postgres
PG_PASSWORD=unleash-test
ADMIN_PASSWORD=unleash-test-admin

mkdir -p "$UNLEASH_DIR"
exec 7>"$STATE_DIR/unleash.lock"
flock 7

free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
healthy() {
  curl -sf --max-time 2 "$1/health" 2>/dev/null | grep -q GOOD
}
is_unleash() {
  [[ -n "$1" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q unleash-server
}

if [[ -f "$UNLEASH_ENV_FILE" && -f "$UNLEASH_DIR/pid" ]]; then
  url="$(sed -n 's/^RAMPART_TEST_UNLEASH_URL=//p' "$UNLEASH_ENV_FILE")"
  if is_unleash "$(cat "$UNLEASH_DIR/pid")" && healthy "$url"; then
    step "unleash-server running (pid $(cat "$UNLEASH_DIR/pid"), $url); reusing it"
    exit 0
  fi
fi

installed="$(node -p "require('$UNLEASH_DIR/node_modules/unleash-server/package.json').version" 2>/dev/null || true)"
if [[ "$installed" != "$UNLEASH_VERSION" ]]; then
  step "installing unleash-server@$UNLEASH_VERSION into $UNLEASH_DIR (once; about 190 MB)"
  timed "npm install unleash-server" \
    npm install --prefix "$UNLEASH_DIR" --no-audit --no-fund --loglevel=error "unleash-server@$UNLEASH_VERSION"
fi

# Its own Postgres: a fresh database each start, so no state of an earlier run leaks into the tests.
docker rm -f -v "$PG_CONTAINER" >/dev/null 2>&1 || true
pg_port="$(free_port)"
step "starting $PG_CONTAINER ($FIXTURE_POSTGRES_IMAGE) on 127.0.0.1:$pg_port"
docker run -d --name "$PG_CONTAINER" --label rampart.test-env=unleash --network host \
  -e POSTGRES_USER=unleash -e POSTGRES_PASSWORD="$PG_PASSWORD" -e POSTGRES_DB=unleash \
  -e PGPORT="$pg_port" -e POSTGRES_LISTEN_ADDRESSES=127.0.0.1 \
  "$FIXTURE_POSTGRES_IMAGE" postgres -c listen_addresses=127.0.0.1 -c fsync=off >/dev/null
for _ in $(seq 1 120); do
  docker exec "$PG_CONTAINER" pg_isready -h 127.0.0.1 -p "$pg_port" -U unleash -d unleash >/dev/null 2>&1 && break
  sleep 0.5
done
docker exec "$PG_CONTAINER" pg_isready -h 127.0.0.1 -p "$pg_port" -U unleash -d unleash >/dev/null ||
  fail "$PG_CONTAINER did not accept connections within 60 s"

port="$(free_port)"
url="http://127.0.0.1:$port"
step "starting unleash-server $UNLEASH_VERSION on $url"
# setsid: it outlives this script, as dockerd does; the lock descriptors stay here.
(
  cd "$UNLEASH_DIR"
  DATABASE_HOST=127.0.0.1 DATABASE_PORT="$pg_port" DATABASE_USERNAME=unleash DATABASE_PASSWORD="$PG_PASSWORD" \
    DATABASE_NAME=unleash DATABASE_SSL=false HTTP_HOST=127.0.0.1 HTTP_PORT="$port" LOG_LEVEL=warn \
    UNLEASH_DEFAULT_ADMIN_USERNAME=admin UNLEASH_DEFAULT_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    CHECK_VERSION=false SEND_TELEMETRY=false \
    setsid node node_modules/unleash-server/dist/server.js >"$UNLEASH_DIR/unleash.log" 2>&1 </dev/null 7>&- 8>&- 9>&- &
  echo $! >"$UNLEASH_DIR/pid"
)
for _ in $(seq 1 240); do
  healthy "$url" && break
  is_unleash "$(cat "$UNLEASH_DIR/pid")" || fail "unleash-server exited; see $UNLEASH_DIR/unleash.log"
  sleep 0.5
done
healthy "$url" || fail "unleash-server did not answer GOOD on /health within 120 s; see $UNLEASH_DIR/unleash.log"

# The admin token, through the API as an operator would: log in, then create it.
cookies="$UNLEASH_DIR/cookies"
curl -sf -c "$cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$url/auth/simple/login" >/dev/null ||
  fail "could not log in to unleash-server as admin"
# Unleash 7 creates no new "admin"-type API tokens; an admin's personal access token is its Admin API token.
token="$(curl -sf -b "$cookies" -H 'Content-Type: application/json' \
  -d '{"description":"rampart-tests","expiresAt":"2099-01-01T00:00:00.000Z"}' \
  "$url/api/admin/user/tokens" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).secret))')" ||
  fail "could not create an Admin API token (personal access token of admin)"
rm -f "$cookies"

umask 077
printf 'RAMPART_TEST_UNLEASH_URL=%s\nRAMPART_TEST_UNLEASH_ADMIN_TOKEN=%s\nRAMPART_TEST_UNLEASH_VERSION=%s\n' \
  "$url" "$token" "$UNLEASH_VERSION" >"$UNLEASH_ENV_FILE.tmp"
mv "$UNLEASH_ENV_FILE.tmp" "$UNLEASH_ENV_FILE"
step "unleash-server $UNLEASH_VERSION ready at $url (pid $(cat "$UNLEASH_DIR/pid")); names in $UNLEASH_ENV_FILE"
