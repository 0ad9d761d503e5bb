#!/bin/bash
# Takes the prebuilt pieces we use unchanged out of Debian's binary packages:
#   LOADLIN.EXE           <- loadlin: /usr/lib/loadlin/loadlin.exe.gz (gunzipped)
#   bios.bin              <- seabios: /usr/share/seabios/bios.bin
#   vgabios-stdvga.bin    <- seabios: /usr/share/seabios/vgabios-stdvga.bin
#
#   fetch.sh            download the exact package versions, write the files here
#   fetch.sh --check    same into a temp dir, compare with the committed files
#
# The packages are fetched with `apt-get download` and unpacked with `dpkg -x`
# into a temp dir, so nothing is installed and the versions are exact.
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

LOADLIN_VERSION='1.6f-10'
SEABIOS_VERSION='1.16.2-1'
FILES='LOADLIN.EXE bios.bin vgabios-stdvga.bin'

recipe_mode fetch -- "$@"

log() { lib_log "$*"; }

TMP=$(mktemp -d /tmp/looproot-debian.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"   # apt's _apt user downloads into it

need_pkgs dpkg-dev
fetch_debs "$TMP" "LOADLIN_VERSION=loadlin=$LOADLIN_VERSION" "SEABIOS_VERSION=seabios=$SEABIOS_VERSION"
mkdir "$TMP/out"
unpack_debs "$TMP/root" "$TMP"/loadlin_*.deb "$TMP"/seabios_*.deb

gzip -dc "$TMP/root/usr/lib/loadlin/loadlin.exe.gz" > "$TMP/out/LOADLIN.EXE"
cp "$TMP/root/usr/share/seabios/bios.bin" "$TMP/root/usr/share/seabios/vgabios-stdvga.bin" "$TMP/out/"

size=$(stat -c %s "$TMP/out/LOADLIN.EXE")
if [ "$size" != 61952 ]; then
  echo "debian: LOADLIN.EXE is $size bytes, expected 61,952 (LOADLIN 1.6f)" >&2
  exit 1
fi

if [ "$MODE" = fetch ]; then
  for f in $FILES; do
    install -m 644 "$TMP/out/$f" "$HERE/$f"
    log "$f: $(stat -c %s "$HERE/$f") bytes"
  done
  exit 0
fi

bad=0
for f in $FILES; do
  if cmp -s "$TMP/out/$f" "$HERE/$f"; then
    log "$f: identical to loadlin=$LOADLIN_VERSION / seabios=$SEABIOS_VERSION"
  else
    echo "debian: MISMATCH: images/debian/$f differs from the file in Debian's package" >&2
    bad=1
  fi
done
exit $bad
