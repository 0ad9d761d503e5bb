#!/bin/bash
# Build LRDOS with Debian's nasm: boot sectors, kernel, shell and the API
# test programs.  nasm output is a pure function of its input and version, so
# the committed binaries are byte-reproducible with the pinned nasm below,
# fetched by this script (apt-get download + dpkg -x into work/), whatever nasm
# the machine has installed.  (--check is the same run: check-reproducible.sh
# compares the tracked outputs before and after.)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$HERE"

NASM_VERSION='2.16.01-1'
tool="work/nasm-$NASM_VERSION"
if [ ! -x "$tool/usr/bin/nasm" ]; then
  need_pkgs dpkg-dev
  rm -rf work/dl "$tool"
  fetch_debs "$PWD/work/dl" "NASM_VERSION=nasm=$NASM_VERSION"
  unpack_debs "$tool" work/dl/nasm_*.deb
fi
nasm() { "$tool/usr/bin/nasm" "$@"; }
nasm -f bin -o boot12.bin src/boot.asm
cp boot12.bin boot16.bin        # one sector handles FAT12 and FAT16
nasm -f bin -I src/ -o LRDOS.SYS src/kernel.asm
nasm -f bin -I src/ -o COMMAND.COM src/command.asm
for f in src/tests/*.asm; do
  [ -e "$f" ] || continue
  case $f in */mbr.asm) nasm -f bin -o tests/MBR.BIN "$f"; continue;; esac
  n=$(basename "$f" .asm | tr a-z A-Z)
  ext=COM; case $n in RELOC|BADEXE) ext=EXE;; esac
  nasm -f bin -I src/tests/ -o "tests/$n.$ext" "$f"
done
total=$(( $(stat -c %s boot12.bin) + $(stat -c %s LRDOS.SYS) + $(stat -c %s COMMAND.COM) ))
echo "boot12.bin $(stat -c %s boot12.bin)  LRDOS.SYS $(stat -c %s LRDOS.SYS)  COMMAND.COM $(stat -c %s COMMAND.COM)  total $total (limit 32768)"
[ "$total" -le 32768 ] || { echo "LRDOS: $total bytes exceed the 32 KiB budget" >&2; exit 1; }
