#!/bin/bash
# Rebuilds every recipe in a temp dir and compares with the committed outputs
# (each script's --check), then checks images/manifest.json. CI runs this as
# root on a fresh Debian bookworm machine: the scripts install their own apt
# packages. Exits non-zero naming each recipe whose rebuild differs.
#   check-reproducible.sh [kernel] [busybox] [dos] [debian]   (default: all)
set -uo pipefail
cd "$(dirname "$0")"

# A failing index (one mirror down) must not stop a check whose packages are reachable.
apt-get update || true

# dos/build.sh assembles with nasm but does not install it.
if ! command -v nasm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nasm
fi

# Optional arguments pick recipes by folder name (e.g. busybox debian).
scripts=()
for name in "${@:-kernel busybox dos debian}"; do
  for n in $name; do
    if [ "$n" = debian ]; then scripts+=(debian/fetch.sh); else scripts+=("$n/build.sh"); fi
  done
done

# A script without a real --check would rebuild in place: catch that by
# comparing the tracked files of the checked folders before and after.
folders=()
for script in "${scripts[@]}"; do folders+=("images/${script%%/*}"); done
tracked_state() { git -C .. diff --no-ext-diff --binary -- "${folders[@]}" 2>/dev/null | sha256sum; }
before=$(tracked_state)

failed=()
for script in "${scripts[@]}"; do
  echo "=== images/$script --check" >&2
  if [ ! -x "$script" ]; then
    echo "images: $script is missing or not executable" >&2
    failed+=("$script (missing)")
  elif ! "./$script" --check; then
    failed+=("$script")
  fi
done

if [ "$(tracked_state)" != "$before" ]; then
  echo "images: a --check run changed committed files under images/ (git diff -- images)" >&2
  failed+=("in-place changes")
fi

echo "=== images/manifest.ts --check" >&2
if ! (cd .. && npx tsx images/manifest.ts --check); then
  failed+=("manifest.json")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "images: NOT reproducible or out of date: ${failed[*]}" >&2
  exit 1
fi
echo "images: every recipe rebuilt byte-identical to the committed outputs" >&2
