#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt already uses for SUITE (default: bookworm), as
# "URI<TAB>KEYRING" (KEYRING empty when apt names none). The mirror is read at run time, never
# written into the repository, so the build follows whatever mirror or proxy the machine has.
# Reads /etc/apt/sources.list, sources.list.d/*.list (one-line format) and
# sources.list.d/*.sources (deb822); takes the first enabled "deb" entry whose suite is exactly
# SUITE and whose components include "main".
set -euo pipefail

suite="${1:-bookworm}"
apt_dir="${RAMPART_APT_DIR:-/etc/apt}"

one_line_files=()
[[ -f "$apt_dir/sources.list" ]] && one_line_files+=("$apt_dir/sources.list")
deb822_files=()
shopt -s nullglob
for f in "$apt_dir"/sources.list.d/*.list; do one_line_files+=("$f"); done
for f in "$apt_dir"/sources.list.d/*.sources; do deb822_files+=("$f"); done
shopt -u nullglob

# One-line format: deb [opt=val ...] URI SUITE COMPONENT...
from_one_line() {
  awk -v suite="$suite" '
    /^[[:space:]]*#/ || NF == 0 { next }
    $1 != "deb" { next }
    {
      i = 2; keyring = ""
      if ($i ~ /^\[/) {
        while (i <= NF) {
          opt = $i; gsub(/[\[\]]/, "", opt)
          if (opt ~ /^signed-by=/) { keyring = substr(opt, 11) }
          if ($i ~ /\]$/) { i++; break }
          i++
        }
      }
      uri = $i; s = $(i + 1)
      if (s != suite) next
      for (j = i + 2; j <= NF; j++) if ($j == "main") { print uri "\t" keyring; exit }
    }' "$@"
}

# deb822: stanzas separated by blank lines; continuation lines start with white space.
from_deb822() {
  awk -v suite="$suite" '
    function flush(   n, u, s, c, k, has_suite, has_main, t, has_deb) {
      if (enabled != "no") {
        has_deb = 0; n = split(types, t, /[[:space:]]+/); for (k = 1; k <= n; k++) if (t[k] == "deb") has_deb = 1
        has_suite = 0; n = split(suites, s, /[[:space:]]+/); for (k = 1; k <= n; k++) if (s[k] == suite) has_suite = 1
        has_main = 0; n = split(comps, c, /[[:space:]]+/); for (k = 1; k <= n; k++) if (c[k] == "main") has_main = 1
        if (has_deb && has_suite && has_main) {
          split(uris, u, /[[:space:]]+/)
          for (k = 1; k in u; k++) if (u[k] != "") { print u[k] "\t" (keyring ~ /^\// ? keyring : ""); found = 1; exit }
        }
      }
      types = uris = suites = comps = keyring = enabled = ""; field = ""
    }
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { flush(); next }
    /^[[:space:]]/ { next }
    {
      field = tolower($1); sub(/:$/, "", field)
      value = $0; sub(/^[^:]*:[[:space:]]*/, "", value)
      if (field == "types") types = value
      else if (field == "uris") uris = value
      else if (field == "suites") suites = value
      else if (field == "components") comps = value
      else if (field == "enabled") enabled = tolower(value)
      else if (field == "signed-by") keyring = value
    }
    END { if (!found) flush() }' "$@"
}

result=""
if ((${#one_line_files[@]})); then result="$(from_one_line "${one_line_files[@]}")"; fi
if [[ -z "$result" ]] && ((${#deb822_files[@]})); then
  for f in "${deb822_files[@]}"; do
    result="$(from_deb822 "$f")"
    [[ -n "$result" ]] && break
  done
fi

if [[ -z "$result" ]]; then
  echo "debian-mirror.sh: no enabled 'deb' source for suite '$suite' with component 'main' in" \
    "$apt_dir/sources.list or $apt_dir/sources.list.d/*.list|*.sources" >&2
  exit 1
fi
printf '%s\n' "$result"
