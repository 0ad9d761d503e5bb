#!/usr/bin/env bash
# HOWTO 3.4, "copy an existing Linux installation into it", as a new user would do it today:
# a Debian 12 (bookworm) i386 minbase with sysvinit-core made by debootstrap, packed with a
# plain `tar -czf`. Prints the path of the tarball on its last line.
#
#   scripts/debian-root.sh [OUT.tar.gz]     default .cache/debian-root/bookworm-i386-sysvinit.tar.gz
#
# The tarball is cached: an existing one is reused (delete it to rebuild).
# LOOPROOT_DEBOOTSTRAP_FOREIGN=1 forces the way a host without IA32 emulation must go:
# `debootstrap --foreign`, then the second stage through qemu-i386-static and binfmt_misc.
# The way is also taken by itself when the host cannot run i386 programs. Needs root,
# debootstrap, and for the foreign way qemu-user-static. DEBIAN_MIRROR overrides the mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Can this host run i386 programs? Asked of the project's own static i386 busybox (arch-test,
# a recommends of debootstrap, may not be installed).
native=1
if [ -x "$here/images/busybox/busybox-root" ]; then
  "$here/images/busybox/busybox-root" true 2>/dev/null || native=0
elif command -v arch-test >/dev/null; then
  arch-test -n i386 >/dev/null 2>&1 || native=0
fi
foreign=0
if [ "${LOOPROOT_DEBOOTSTRAP_FOREIGN:-0}" = 1 ] || [ $native = 0 ]; then foreign=1; fi
# The two ways get their own cache, so forcing the foreign way really runs it.
suffix=""
[ $foreign = 0 ] || suffix=-foreign
out=${1:-$here/.cache/debian-root/bookworm-i386-sysvinit$suffix.tar.gz}
if [ -s "$out" ]; then
  echo "cached: $out"
  echo "$out"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "debian-root.sh: debootstrap needs root" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debian-root.sh: apt-get install debootstrap" >&2; exit 2; }

# The mirror this machine already uses for its own packages, else Debian's.
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    u=$(awk '/^URIs:/ { print $2; exit }' "$f")
    case "$u" in */debian) mirror=$u; break ;; esac
  done
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$(dirname "$out")"
work=$(dirname "$out")/work.$$
mkdir -p "$work"
dir=$work/root
binfmt_name=looproot-qemu-i386
registered=""
mounted_binfmt=""
cleanup() {
  for m in proc sys dev/pts dev; do mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m" || true; done
  if [ -n "$registered" ] && [ -e /proc/sys/fs/binfmt_misc/$binfmt_name ]; then echo -1 > /proc/sys/fs/binfmt_misc/$binfmt_name; fi
  if [ -n "$mounted_binfmt" ]; then umount /proc/sys/fs/binfmt_misc || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s)
if [ $foreign = 0 ]; then
  echo "debootstrap (native i386) from $mirror"
  debootstrap --arch=i386 --variant=minbase --include=sysvinit-core bookworm "$dir" "$mirror"
else
  qemu=$(command -v qemu-i386-static) || { echo "debian-root.sh: apt-get install qemu-user-static" >&2; exit 2; }
  echo "debootstrap --foreign from $mirror, second stage through $qemu and binfmt_misc"
  debootstrap --foreign --arch=i386 --variant=minbase --include=sysvinit-core bookworm "$dir" "$mirror"
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    mounted_binfmt=1
  fi
  # The i386 ELF magic as qemu-user-static registers it; F opens the interpreter now, so it
  # need not be inside the chroot. Registered only for this run, removed on exit.
  if [ ! -e /proc/sys/fs/binfmt_misc/$binfmt_name ]; then
    printf '%s' ":$binfmt_name:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$qemu:F" > /proc/sys/fs/binfmt_misc/register
    registered=1
  fi
  chroot "$dir" /debootstrap/debootstrap --second-stage
fi
t1=$(date +%s)
[ -x "$dir/usr/sbin/init" ] || [ -x "$dir/sbin/init" ] || { echo "debian-root.sh: no /sbin/init after debootstrap" >&2; exit 1; }
# A plain tar of the tree, as the HOWTO's "copy an existing installation" would be.
tar -C "$dir" -czf "$out.partial" .
mv "$out.partial" "$out"
t2=$(date +%s)
echo "debootstrap $((t1 - t0)) s, tar $((t2 - t1)) s, $(du -sm "$dir" | cut -f1) MiB unpacked, $(du -m "$out" | cut -f1) MiB packed"
echo "$out"
