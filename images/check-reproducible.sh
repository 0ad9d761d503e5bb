#!/bin/bash
# Rebuilds every recipe in a temp dir and compares with the committed outputs
# (each script's --check), then checks images/manifest.json. CI runs this as
# root on a fresh Debian bookworm machine: the scripts install their own apt
# packages. Exits non-zero naming each recipe whose rebuild differs.
set -uo pipefail
cd "$(dirname "$0")"

# A failing index (one mirror down) must not stop a check whose packages are reachable.
apt-get update || true

failed=()
for script in kernel/build.sh busybox/build.sh dos/build.sh debian/fetch.sh; do
  echo "=== images/$script --check" >&2
  if [ ! -x "$script" ]; then
    echo "images: $script is missing or not executable" >&2
    failed+=("$script (missing)")
  elif ! "./$script" --check; then
    failed+=("$script")
  fi
done

echo "=== images/manifest.ts --check" >&2
if ! (cd .. && npx tsx images/manifest.ts --check); then
  failed+=("manifest.json")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "images: NOT reproducible or out of date: ${failed[*]}" >&2
  exit 1
fi
echo "images: every recipe rebuilt byte-identical to the committed outputs" >&2
