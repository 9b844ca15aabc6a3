#!/bin/sh
# Entrypoint of rampart-fixture/node, the locally built stand-in for the public `node` image.
# Same contract: no command runs `node`; a first argument that is an option ("-e …") or not a
# command on PATH (a script name such as "server.js") is handed to node; anything else
# (sh, npm…) runs as given. `exec` keeps the command as PID 1 so `docker stop` reaches it.
set -e

if [ "$#" -eq 0 ]; then
  set -- node
elif [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi

exec "$@"
