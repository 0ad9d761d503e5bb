#!/usr/bin/env bash
# Prints the sha256 of every file `looproot build` writes for the default config and four others
# (disk and floppy sizes, a tar root, 4096-byte blocks, a params file), one line per file, and of
# what `looproot inspect` (text and --json) says of each image. A refactor of the format writers
# or readers must leave this output unchanged: run it before and after, diff.
# Usage: scripts/output-hashes.sh [WORKDIR]   (WORKDIR defaults to a fresh temp folder)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"

# A tiny root tarball, the same bytes every run: the root busybox as /bin/sh, /sbin/init a link.
stage="$work/rootfs"
rm -rf "$stage" && mkdir -p "$stage/sbin" "$stage/bin" "$stage/etc"
cp "$here/images/busybox/busybox-root" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh" && ln -s ../bin/busybox "$stage/sbin/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
chmod 755 "$stage/bin/busybox"
tar -C "$stage" --sort=name --mtime=@896863620 --owner=0 --group=0 --numeric-owner -czf "$work/root.tar.gz" .

build() { # NAME ARGS...
  local name="$1"; shift
  node "$here/bin/looproot.mjs" build --out "$work/$name" "$@" >/dev/null
  (cd "$work/$name" && sha256sum $(ls | LC_ALL=C sort) | sed "s|  |  $name/|")
  for img in $(cd "$work/$name" && ls *.img | LC_ALL=C sort); do
    { node "$here/bin/looproot.mjs" inspect "$work/$name/$img"
      node "$here/bin/looproot.mjs" inspect --json "$work/$name/$img"; } | sed "s|$work/||g" >"$work/$name.$img.inspect"
    echo "$(sha256sum <"$work/$name.$img.inspect" | cut -d' ' -f1)  $name/$img (inspect)"
  done
}
build default
build sizes --set disk.sizeMiB=100 --set floppy.kind=2.88M --set swap.sizeMiB=12 --set initrd.sizeKiB=1440
build tar --rootfs "$work/root.tar.gz"
build block4k --set root.blockSize=4096 --set initrd.blockSize=4096 --set root.sizeMiB=40 --set disk.sizeMiB=64
build params --set boot.paramsFile=true --set dos.openPermissions=true --set root.initrdDir=false --set root.dosLink=false --set root.fakeMount=false
