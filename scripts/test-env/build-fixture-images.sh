#!/usr/bin/env bash
# Builds the fixture images from this machine's own Debian mirror, for machines that reach no
# image registry: `build-fixture-images.sh postgres node` (either or both).
# Each image is a debootstrap --variant=minbase rootfs of the suite plus its packages and the
# entrypoint from resources/fixture-images/<name>/, slimmed and loaded as a one-layer image with
# the public image's configuration (entrypoint, environment, stop signal).
# Needs root, debootstrap and a reachable engine (up.sh sees to all three).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
# shellcheck source=SCRIPTDIR/lib/progress.sh
. "$here/lib/progress.sh"
# shellcheck source=SCRIPTDIR/lib/fixture-names.sh
. "$here/lib/fixture-names.sh"

(($#)) || fail "usage: build-fixture-images.sh postgres|node ..."
[[ "$(id -u)" == 0 ]] || fail "building fixture images needs root (debootstrap and chroot); running as uid $(id -u)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"

mirror_line="$("$here/debian-mirror.sh" "$FIXTURE_SUITE")"
mirror="${mirror_line%%$'\t'*}"
keyring="${mirror_line#*$'\t'}"
step "Debian mirror for $FIXTURE_SUITE, from apt configuration: $mirror"

work="$(mktemp -d /var/tmp/rampart-fixture-build.XXXXXX)"
# Unmount anything left under the work dir before deleting it: a bind-mounted /dev or /proc
# would otherwise be deleted through. --one-file-system is the second guard.
cleanup() {
  local m
  awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

debootstrap_into() {
  local target="$1" include="$2"
  # One package cache per rootfs: the builds run in parallel.
  local args=(--variant=minbase --include="$include" --cache-dir="$target.debs")
  if [[ -n "$keyring" ]]; then args+=(--keyring="$keyring"); fi
  mkdir -p "$target.debs"
  if ! debootstrap "${args[@]}" "$FIXTURE_SUITE" "$target" "$mirror" >"$work/$(basename "$target").log" 2>&1; then
    tail -n 30 "$work/$(basename "$target").log" >&2
    [[ -f "$target/debootstrap/debootstrap.log" ]] && tail -n 30 "$target/debootstrap/debootstrap.log" >&2
    fail "debootstrap of $FIXTURE_SUITE from $mirror into $target failed (last lines above)"
  fi
}

# Documentation, manuals, translations and package indexes are not needed to run tests.
slim_rootfs() {
  local root="$1"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/usr/share/lintian "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/var/log/* "$root"/debootstrap
}

# Docker's name for this machine's architecture (images record it; dpkg names differ).
docker_arch() {
  case "$(dpkg --print-architecture)" in
    amd64) echo amd64 ;;
    arm64) echo arm64 ;;
    armhf) echo arm ;;
    i386) echo 386 ;;
    ppc64el) echo ppc64le ;;
    s390x) echo s390x ;;
    *) fail "no Docker architecture name known for dpkg architecture $(dpkg --print-architecture)" ;;
  esac
}

# Loads the rootfs as a one-layer image whose configuration (entrypoint, environment, stop
# signal…) is the JSON object $3. `docker load` of a hand-made image archive is used rather than
# `docker import` (which cannot set STOPSIGNAL) plus a Dockerfile (the classic builder copies
# the whole rootfs once per instruction on the vfs storage driver, and needs no buildx either).
load_rootfs_image() {
  local root="$1" image="$2" config="$3" dir layer_sha config_sha created
  dir="$work/$(basename "$root")-archive"
  mkdir -p "$dir"
  layer_sha="$(tar --numeric-owner -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    tee "$dir/layer.tar" | sha256sum | cut -d' ' -f1)"
  created="$(date -u +%FT%TZ)"
  printf '{"architecture":"%s","os":"linux","created":"%s","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","comment":"rampart fixture rootfs from Debian %s"}]}' \
    "$(docker_arch)" "$created" "$config" "$layer_sha" "$created" "$FIXTURE_SUITE" >"$dir/config.json"
  config_sha="$(sha256sum "$dir/config.json" | cut -d' ' -f1)"
  mv "$dir/config.json" "$dir/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config_sha" "$image" >"$dir/manifest.json"
  tar -C "$dir" -c manifest.json "$config_sha.json" layer.tar | docker load --quiet >/dev/null
}

image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'
}

build_postgres() {
  local root="$work/postgres" major="$FIXTURE_POSTGRES_MAJOR"
  timed "debootstrap for postgres" debootstrap_into "$root" "postgresql-$major,ca-certificates"
  [[ -x "$root/usr/lib/postgresql/$major/bin/postgres" ]] ||
    fail "Debian $FIXTURE_SUITE did not install PostgreSQL $major ($root/usr/lib/postgresql/$major/bin/postgres missing)"
  # The package creates a "main" cluster; the entrypoint makes its own in PGDATA instead.
  rm -rf "$root/etc/postgresql/$major/main" "$root/var/lib/postgresql/$major"
  mkdir -p "$root/var/lib/postgresql/data" "$root/run/postgresql" "$root/docker-entrypoint-initdb.d"
  chroot "$root" chown postgres:postgres /var/lib/postgresql/data /run/postgresql
  chmod 700 "$root/var/lib/postgresql/data"
  chmod 2775 "$root/run/postgresql"
  install -m 755 "$repo_root/resources/fixture-images/postgres/docker-entrypoint.sh" "$root/usr/local/bin/"
  slim_rootfs "$root"
  # The public image's configuration. SIGINT is PostgreSQL's fast shutdown; the default SIGTERM
  # would wait for every client to disconnect before `docker stop` gives up and kills it.
  local config
  config="$(printf '{"Env":["PATH=/usr/lib/postgresql/%s/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","PG_MAJOR=%s","LANG=C.UTF-8","PGDATA=/var/lib/postgresql/data"],"Entrypoint":["docker-entrypoint.sh"],"Cmd":["postgres"],"ExposedPorts":{"5432/tcp":{}},"Volumes":{"/var/lib/postgresql/data":{}},"StopSignal":"SIGINT","Labels":{"rampart.fixture":"postgres"}}' "$major" "$major")"
  timed "docker load $FIXTURE_POSTGRES_IMAGE" load_rootfs_image "$root" "$FIXTURE_POSTGRES_IMAGE" "$config"
  step "built $FIXTURE_POSTGRES_IMAGE ($(image_size "$FIXTURE_POSTGRES_IMAGE"))"
}

build_node() {
  local root="$work/node" major="$FIXTURE_NODE_MAJOR" version
  timed "debootstrap for node" debootstrap_into "$root" "nodejs,ca-certificates"
  version="$(chroot "$root" node --version)"
  [[ "$version" == "v$major."* ]] ||
    fail "Debian $FIXTURE_SUITE installed Node.js $version, not $major.x; set RAMPART_FIXTURE_NODE_MAJOR"
  # The public image has a "node" user with uid 1000; keep that for parity.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --create-home --shell /bin/sh node
  install -m 755 "$repo_root/resources/fixture-images/node/docker-entrypoint.sh" "$root/usr/local/bin/"
  slim_rootfs "$root"
  local config
  config="$(printf '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NODE_VERSION=%s","LANG=C.UTF-8"],"Entrypoint":["docker-entrypoint.sh"],"Cmd":["node"],"Labels":{"rampart.fixture":"node"}}' "${version#v}")"
  timed "docker load $FIXTURE_NODE_IMAGE" load_rootfs_image "$root" "$FIXTURE_NODE_IMAGE" "$config"
  step "built $FIXTURE_NODE_IMAGE ($(image_size "$FIXTURE_NODE_IMAGE"))"
}

# The two debootstraps are mostly waiting on downloads and dpkg, so they run side by side.
pids=()
for name in "$@"; do
  case "$name" in
    postgres) build_postgres & ;;
    node) build_node & ;;
    *) fail "unknown fixture image '$name' (known: postgres, node)" ;;
  esac
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
((failed == 0)) || fail "building the fixture images failed (messages above)"
