#!/usr/bin/env bash
# Installs and starts what the test suite needs, then nothing else: Debian's Chromium for the
# end-to-end tests (driven by playwright-core, never a downloaded browser) and Debian's
# prometheus for the Prometheus guard source, a Docker engine with the fixture images, a
# running Prometheus and Unleash server (scripts/test-env/up.sh: reused when present, images
# built from this machine's apt sources when no registry is reachable, unleash-server installed
# into its own folder outside the project), and the npm dependencies; then audits the production ones.
# Idempotent: what is already there is reused. Run as root on Debian, or with the packages present.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: missing ${need_apt[*]}; install them (Debian: apt-get install ${need_apt[*]}) and run again" >&2
    exit 1
  fi
  say "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
say "chromium: $(chromium --version 2>/dev/null || echo missing)"
say "prometheus: $(prometheus --version 2>&1 | head -1)"

say "Docker engine, fixture images, Prometheus and Unleash"
bash scripts/test-env/up.sh

# The Electron binary is not needed by any test (the renderer is tested in Chromium through
# browser mode), and cannot be downloaded everywhere. An install that matches package-lock.json
# (say from `npm run setup` just before) is reused rather than made again.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
say "npm packages"
node scripts/npm-install.mjs

# Production dependencies against the registry's advisories; says plainly when they could not be checked.
say "npm audit --omit=dev"
node scripts/audit-advisories.mjs
say "test dependencies ready"
