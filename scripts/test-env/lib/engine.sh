# shellcheck shell=bash
# Finding or starting the Docker engine. Sourced after progress.sh and fixture-names.sh.
# Policy: a reachable engine is always used as is; only as root on Debian, with none reachable,
# do we install docker.io and start our own dockerd, and we write that down in $STATE_FILE so
# down.sh stops only an engine we started.

# vfs works on any filesystem (also inside VMs and containers); containers use host networking,
# so dockerd needs no bridge and must not touch the firewall.
DOCKERD_FLAGS=(--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none)
# Extra dockerd flags, space-separated (e.g. "--data-root /srv/docker" on a small root disk).
read -r -a DOCKERD_EXTRA_FLAGS <<<"${RAMPART_DOCKERD_ARGS:-}"

engine_reachable() {
  timeout 20 docker info >/dev/null 2>&1
}

state_get() {
  [[ -f "$STATE_FILE" ]] || return 0
  sed -n "s/^$1=//p" "$STATE_FILE" | tail -n 1
}

# True when pid $1 is alive and is a dockerd (guards against a recycled pid).
is_dockerd_pid() {
  [[ -n "$1" && -r "/proc/$1/comm" && "$(cat "/proc/$1/comm")" == dockerd ]]
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" || { apt-get update && apt-get install -y --no-install-recommends "$@"; }
}

engine_ensure() {
  if command -v docker >/dev/null && engine_reachable; then
    # A recorded dockerd that has died means the engine answering now is someone else's.
    if [[ "$(state_get dockerd_started_by_us)" == 1 ]] && ! is_dockerd_pid "$(state_get dockerd_pid)"; then
      rm -f "$STATE_FILE"
    fi
    if [[ "$(state_get dockerd_started_by_us)" == 1 ]]; then
      step "Docker engine reachable (the dockerd this test environment started, pid $(state_get dockerd_pid))"
    else
      step "Docker engine reachable (${DOCKER_HOST:-unix:///var/run/docker.sock}); using it as is"
    fi
    return 0
  fi
  if [[ "$(id -u)" != 0 || ! -f /etc/debian_version ]]; then
    fail "no Docker engine reachable at ${DOCKER_HOST:-unix:///var/run/docker.sock} ('docker info' failed)," \
      "and this is not root on Debian, so none can be installed here: start Docker, or set DOCKER_HOST"
  fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    step "installing docker.io with apt-get"
    timed "apt-get install docker.io" apt_install docker.io
  fi

  # The engine we start listens where the client will look: DOCKER_HOST if it names a socket.
  local host_flags=()
  case "${DOCKER_HOST:-}" in
    "") ;;
    unix://*) host_flags=(--host "$DOCKER_HOST") ;;
    *) fail "DOCKER_HOST=$DOCKER_HOST is not reachable and is not a local unix:// socket this script could start dockerd on" ;;
  esac

  local old_pid
  old_pid="$(state_get dockerd_pid)"
  if is_dockerd_pid "$old_pid"; then
    step "dockerd pid $old_pid (started earlier by this environment) is alive but not answering; waiting for it"
  else
    mkdir -p "$STATE_DIR"
    local flags=("${DOCKERD_FLAGS[@]}" "${host_flags[@]}" "${DOCKERD_EXTRA_FLAGS[@]}")
    step "starting dockerd ${flags[*]} (log: $DOCKERD_LOG)"
    rm -f "$DOCKERD_PIDFILE"
    # setsid: dockerd must outlive this script and not receive the CI shell's signals.
    # 9>&-: the lock fd of up.sh must not stay held by the long-lived dockerd.
    setsid dockerd "${flags[@]}" --pidfile "$DOCKERD_PIDFILE" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    local pid=$!
    printf 'dockerd_started_by_us=1\ndockerd_pid=%s\nstarted_at=%s\n' "$pid" "$(date -u +%FT%TZ)" >"$STATE_FILE"
  fi

  local waited=0
  until engine_reachable; do
    if ((waited >= 60)); then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      fail "dockerd did not answer 'docker info' within 60 s; see $DOCKERD_LOG (last lines above)"
    fi
    if ! is_dockerd_pid "$(state_get dockerd_pid)" && ! is_dockerd_pid "$(cat "$DOCKERD_PIDFILE" 2>/dev/null)"; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      fail "dockerd exited during start-up; see $DOCKERD_LOG (last lines above)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  # dockerd's own pidfile is the truth (setsid may have forked, making $! a short-lived parent).
  local ready_pid
  ready_pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
  if is_dockerd_pid "$ready_pid" && [[ "$ready_pid" != "$(state_get dockerd_pid)" ]]; then
    sed -i "s/^dockerd_pid=.*/dockerd_pid=$ready_pid/" "$STATE_FILE"
  fi
  step "dockerd ready after ${waited}s (pid $(state_get dockerd_pid))"
}

# Stops dockerd only if $STATE_FILE says this environment started it.
engine_stop_if_ours() {
  if [[ "$(state_get dockerd_started_by_us)" != 1 ]]; then
    step "Docker engine was not started by this environment; leaving it running"
    return 0
  fi
  local pid
  pid="$(state_get dockerd_pid)"
  if is_dockerd_pid "$pid"; then
    step "stopping dockerd pid $pid (started by this environment)"
    kill -TERM "$pid"
    local waited=0
    while is_dockerd_pid "$pid"; do
      if ((waited >= 30)); then
        fail "dockerd pid $pid still running 30 s after SIGTERM; see $DOCKERD_LOG"
      fi
      sleep 1
      waited=$((waited + 1))
    done
    step "dockerd stopped after ${waited}s"
  else
    step "dockerd pid ${pid:-?} recorded in $STATE_FILE is no longer running"
  fi
  rm -f "$STATE_FILE" "$DOCKERD_PIDFILE"
}
