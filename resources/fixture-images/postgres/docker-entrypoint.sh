#!/bin/bash
# Entrypoint of rampart-fixture/postgres, the locally built stand-in for the public `postgres`
# image. It honours the same environment contract, so tests and `rampart demo up` pass the
# same variables to either image:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
#   POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default: the user), each also as *_FILE;
#   POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR, POSTGRES_HOST_AUTH_METHOD, PGDATA,
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz run once after the first initdb;
#   arguments starting with "-" are passed to postgres ("-c port=5433", "-c fsync=off").
# Additions for host networking (containers here share the host's network):
#   POSTGRES_LISTEN_ADDRESSES (default '*') and PGPORT (default 5432, read by postgres itself).
# Postgres runs as PID 1 under the postgres user, so `docker stop` (SIGINT, a fast shutdown)
# stops it cleanly.
set -Eeuo pipefail

die() {
  echo "docker-entrypoint.sh: $*" >&2
  exit 1
}

# VAR may also come from the file named by VAR_FILE (Docker secrets); both at once is an error.
file_env() {
  local var="$1" file_var="$1_FILE" default="${2:-}" value
  if [[ -n "${!var:-}" && -n "${!file_var:-}" ]]; then
    die "both $var and $file_var are set; set only one"
  fi
  value="$default"
  if [[ -n "${!var:-}" ]]; then
    value="${!var}"
  elif [[ -n "${!file_var:-}" ]]; then
    [[ -r "${!file_var}" ]] || die "$file_var=${!file_var}: file not readable"
    value="$(<"${!file_var}")"
  fi
  export "$var=$value"
  unset "$file_var"
}

if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi
# Any other command (bash, psql, pg_dump…) runs as given, like in the official image.
if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

# As root: make the data and socket directories ours, then re-run this script as postgres.
# setpriv execs in place, so postgres still ends up as PID 1.
if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql
  chmod 2775 /var/run/postgresql
  if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
  fi
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

file_env POSTGRES_USER postgres
file_env POSTGRES_PASSWORD
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
auth_method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

run_init_file() {
  local f="$1"
  case "$f" in
    *.sh)
      if [[ -x "$f" ]]; then
        echo "docker-entrypoint.sh: running $f"
        "$f"
      else
        echo "docker-entrypoint.sh: sourcing $f"
        # shellcheck disable=SC1090
        . "$f"
      fi
      ;;
    *.sql)
      echo "docker-entrypoint.sh: running $f"
      psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$f"
      ;;
    *.sql.gz)
      echo "docker-entrypoint.sh: running $f"
      gzip -dc "$f" | psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB"
      ;;
    *) echo "docker-entrypoint.sh: ignoring $f" ;;
  esac
}

initialise_cluster() {
  if [[ -z "$POSTGRES_PASSWORD" && "$auth_method" != trust ]]; then
    die "the database is uninitialised and POSTGRES_PASSWORD is not set. Set POSTGRES_PASSWORD" \
      "(or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one"
  fi

  # TCP connections need the password even from 127.0.0.1: under host networking that is the
  # host's loopback, and trusting it would hide wrong-password bugs the public image (behind
  # its own network namespace) would reveal. The Unix socket stays trusted, as in the official
  # image, so `docker exec … pg_dump -U user` works without a password.
  local initdb_args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth_method")
  local pwfile=""
  if [[ -n "$POSTGRES_PASSWORD" ]]; then
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb_args+=(--pwfile="$pwfile")
  fi
  if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
    initdb_args+=(--waldir="$POSTGRES_INITDB_WALDIR")
  fi
  # POSTGRES_INITDB_ARGS is a space-separated option list by contract, hence no quotes.
  # shellcheck disable=SC2086
  initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS
  if [[ -n "$pwfile" ]]; then rm -f "$pwfile"; fi

  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [[ "$auth_method" == md5 ]]; then
    echo "password_encryption = md5" >>"$PGDATA/postgresql.conf"
  fi
  echo "host all all all $auth_method" >>"$PGDATA/pg_hba.conf"

  # A socket-only server for set-up, so no client can connect before the database exists.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
      --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    if [[ -e "$f" ]]; then run_init_file "$f"; fi
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "docker-entrypoint.sh: initialised $PGDATA for user $POSTGRES_USER, database $POSTGRES_DB"
}

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  initialise_cluster
fi
unset POSTGRES_PASSWORD

# Listed first so a "-c listen_addresses=…" among the arguments still wins.
listen_args=()
if [[ -n "${POSTGRES_LISTEN_ADDRESSES:-}" ]]; then
  listen_args=(-c "listen_addresses=$POSTGRES_LISTEN_ADDRESSES")
fi
shift
exec postgres "${listen_args[@]}" "$@"
