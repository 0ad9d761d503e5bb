#!/bin/bash
# Rebuilds every guest ingredient from its recipe, then rewrites
# images/manifest.json (what `npm run images` runs). Runs as root on Debian
# bookworm: each recipe installs the apt packages it needs.
set -euo pipefail
cd "$(dirname "$0")"

run() {
  local script=$1
  if [ ! -x "$script" ]; then
    echo "images: $script is missing or not executable" >&2
    exit 1
  fi
  echo "=== images/$script" >&2
  "./$script"
}

run kernel/build.sh
run busybox/build.sh
run dos/build.sh
run debian/fetch.sh
cd ..
npx tsx images/manifest.ts --write
