#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Re-fetch the dashboard's vendored front-end files from the npm registry and check them against the sha256 sums in
# hub/dashboard/static/vendor/VENDORED.md. The dashboard uses no CDN: these files are served by the hub itself.
#
#   scripts/vendor-frontend.sh           fetch into the vendor folder, fail when a hash differs from VENDORED.md
#   scripts/vendor-frontend.sh --check   only check the files already in the vendor folder (no network)
#
# To upgrade: change a version below, run with --update, review the diff, and commit the new files and VENDORED.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/hub/dashboard/static/vendor"
manifest="$vendor/VENDORED.md"
mode="${1:-fetch}"

# package@version  file-in-package  licence
files=(
  "htmx.org@2.0.11 dist/htmx.min.js 0BSD"
  "uplot@1.6.32 dist/uPlot.iife.min.js MIT"
  "uplot@1.6.32 dist/uPlot.min.css MIT"
)

expected_hash() {  # the sha256 VENDORED.md records for a file name
  [ -f "$manifest" ] || return 0
  awk -F'|' -v f="$1" '{gsub(/[ `]/, "", $4); gsub(/[ `]/, "", $5)} $4 == f {print $5}' "$manifest"
}

if [ "$mode" != "--check" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  declare -A fetched=()
  for entry in "${files[@]}"; do
    read -r spec path licence <<<"$entry"
    if [ -z "${fetched[$spec]:-}" ]; then
      mkdir -p "$work/$spec"
      (cd "$work/$spec" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
      fetched[$spec]=1
      name="${spec%@*}"
      cp "$work/$spec/package/LICENSE" "$vendor/LICENSE.$name"
    fi
    cp "$work/$spec/package/$path" "$vendor/$(basename "$path")"
  done
fi

status=0
for entry in "${files[@]}"; do
  read -r spec path licence <<<"$entry"
  file="$(basename "$path")"
  actual="$(sha256sum "$vendor/$file" | cut -d' ' -f1)"
  want="$(expected_hash "$file")"
  if [ "$mode" = "--update" ]; then
    echo "$spec $file $licence sha256 $actual"
  elif [ "$actual" != "$want" ]; then
    echo "MISMATCH $file: $actual (VENDORED.md says ${want:-nothing})" >&2
    status=1
  else
    echo "ok $file $actual"
  fi
done
exit $status
