#!/usr/bin/env bash
# The Debian packages looproot's tests, benchmark and image recipes use. Run as root on bookworm.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# Source packages (linux, busybox) and i386 packages (musl for busybox) come from Debian too.
for f in /etc/apt/sources.list.d/debian.sources; do
  [ -f "$f" ] && sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
done
if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list && ! grep -q '^deb-src ' /etc/apt/sources.list; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >> /etc/apt/sources.list
fi
dpkg --add-architecture i386
# A mirror index that is briefly out of sync must not stop the run; a missing package still will.
apt-get update || true
apt-get install -y --no-install-recommends \
  e2fsprogs dosfstools mtools fdisk util-linux file \
  qemu-system-x86 seabios loadlin \
  chromium \
  build-essential bc bison flex libelf-dev libssl-dev xz-utils cpio kmod \
  gcc-multilib dpkg-dev ca-certificates \
  qemu-user qemu-user-static binfmt-support debootstrap \
  nasm \
  bochs bochsbios vgabios
# bochs, bochsbios and vgabios: the third boot engine (emulator/bochs.ts), with its own BIOS.
# nasm is here for ndisasm, a test oracle for the hand-assembled boot stubs; the DOS recipe
# assembles with its own pinned nasm (images/lib.sh), whatever version this installs.
