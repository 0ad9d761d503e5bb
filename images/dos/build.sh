#!/bin/sh
# Build LRDOS with Debian's nasm: boot sectors, kernel, shell and the API
# test programs.  nasm output is a pure function of its input, so the
# committed binaries are byte-reproducible.
set -eu
cd "$(dirname "$0")"
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
