#!/usr/bin/env bash
# HOWTO 3.4, "copy an existing Linux installation into it", as a new user would do it today:
# a Debian 12 (bookworm) i386 minbase made by debootstrap, with one of four inits, packed with a
# plain `tar -czf`. Prints the path of the tarball on its last line.
#
#   scripts/debian-root.sh [INIT] [OUT.tar.gz]
#     INIT: systemd (Debian's default, systemd-sysv + udev + dbus), sysvinit, openrc, runit;
#           default systemd.   OUT: default .cache/debian-root/bookworm-i386-INIT.tar.gz
#
# One debootstrap serves every init: the minbase with the network tools (ifupdown,
# isc-dhcp-client, iproute2, wget) is made once and kept as base.tar.gz beside OUT; each init is
# that base unpacked, its packages installed in a chroot with `apt-get install` (the .debs kept in
# debs/ beside OUT, so a second init or a rebuild downloads nothing twice), packed on its own.
# Tarballs are cached: an existing one is reused (delete it to rebuild).
#
# What each root gets, as a user would set it up for a serial console and a network:
# - root has an empty password (`passwd -d root`, and login.defs' PREVENT_NO_AUTH no, without which
#   Debian 12's login refuses it): log in as root at the login prompt, no password.
# - a getty on ttyS0: systemd starts serial-getty@ttyS0 by itself from console=ttyS0; sysvinit and
#   OpenRC (which Debian runs under sysvinit's init) get the inittab line Debian ships commented out;
#   runit gets a getty-ttyS0 service beside Debian's tty ones.
# - eth0 by DHCP through ifupdown ("allow-hotplug eth0", as Debian's installer writes it); the
#   systemd root keeps the kernel's name eth0 (99-default.link masked, Debian's documented way).
# - the hostname debian-INIT (its login prompt says which root answered).
#
# LOOPROOT_DEBOOTSTRAP_FOREIGN=1 forces the way a host without IA32 emulation must go:
# `debootstrap --foreign`, then the second stage and every chroot through qemu-i386-static and
# binfmt_misc. The way is also taken by itself when the host cannot run i386 programs. Needs root,
# debootstrap, and for the foreign way qemu-user-static. DEBIAN_MIRROR overrides the mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
init=systemd
case "${1:-}" in systemd|sysvinit|openrc|runit) init=$1; shift ;; esac
# What each init is in Debian's packages (--no-install-recommends: a minbase stays minimal).
case $init in
  # udev: serial-getty@ttyS0 waits for its device unit, which only udev makes. dbus: logind's bus.
  systemd) pkgs="systemd-sysv udev dbus libpam-systemd" ;;
  sysvinit) pkgs="sysvinit-core" ;;
  # Debian's OpenRC is started by sysvinit's init from /etc/inittab.
  openrc) pkgs="sysvinit-core openrc" ;;
  runit) pkgs="runit-init" ;;
esac
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
out=${1:-$here/.cache/debian-root/bookworm-i386-$init$suffix.tar.gz}
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

cache=$(dirname "$out")
base=$cache/bookworm-i386-base$suffix.tar.gz
debs=$cache/debs$suffix
mkdir -p "$cache" "$debs"
work=$cache/work.$$
mkdir -p "$work"
dir=$work/root
binfmt_name=looproot-qemu-i386
registered=""
mounted_binfmt=""
cleanup() {
  for m in var/cache/apt/archives proc sys dev/pts dev; do mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m" || true; done
  if [ -n "$registered" ] && [ -e /proc/sys/fs/binfmt_misc/$binfmt_name ]; then echo -1 > /proc/sys/fs/binfmt_misc/$binfmt_name; fi
  if [ -n "$mounted_binfmt" ]; then umount /proc/sys/fs/binfmt_misc || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The foreign way: i386 programs in the chroot run through qemu-i386-static, registered with
# binfmt_misc for this run only (removed on exit).
binfmt() {
  [ $foreign = 1 ] || return 0
  [ -z "$registered" ] || return 0
  qemu=$(command -v qemu-i386-static) || { echo "debian-root.sh: apt-get install qemu-user-static" >&2; exit 2; }
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    mounted_binfmt=1
  fi
  # The i386 ELF magic as qemu-user-static registers it; F opens the interpreter now, so it
  # need not be inside the chroot.
  if [ ! -e /proc/sys/fs/binfmt_misc/$binfmt_name ]; then
    printf '%s' ":$binfmt_name:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$qemu:F" > /proc/sys/fs/binfmt_misc/register
    registered=1
  fi
}

t0=$(date +%s)
# The shared minbase: debootstrap once for every init.
if [ ! -s "$base" ]; then
  inc=ifupdown,isc-dhcp-client,iproute2,wget
  if [ $foreign = 0 ]; then
    echo "debootstrap (native i386) from $mirror"
    debootstrap --arch=i386 --variant=minbase --include=$inc --cache-dir="$debs" bookworm "$dir" "$mirror"
  else
    echo "debootstrap --foreign from $mirror, second stage through qemu-i386-static and binfmt_misc"
    debootstrap --foreign --arch=i386 --variant=minbase --include=$inc --cache-dir="$debs" bookworm "$dir" "$mirror"
    binfmt
    chroot "$dir" /debootstrap/debootstrap --second-stage
  fi
  tar -C "$dir" -czf "$base.partial" .
  mv "$base.partial" "$base"
  rm -rf "$dir"
fi
t1=$(date +%s)

# This init on a copy of the base.
mkdir -p "$dir"
tar -C "$dir" -xzf "$base"
binfmt
mount -t proc proc "$dir/proc"
mkdir -p "$debs/partial"
mount --bind "$debs" "$dir/var/cache/apt/archives"
# No service of the chroot starts on the host (Debian's policy-rc.d convention).
printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"
in_root() { chroot "$dir" env DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
in_root apt-get update -q
in_root apt-get install -y -q --no-install-recommends $pkgs
rm -f "$dir/usr/sbin/policy-rc.d"
umount "$dir/var/cache/apt/archives" "$dir/proc"
# What apt keeps for itself (lists and caches, about 90 MiB): `apt-get update` brings them back.
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/log/apt/* "$dir"/tmp/* 2>/dev/null || true

# Logging in as root at the serial console: no password. Debian 12's login refuses an empty
# password for root (login.defs PREVENT_NO_AUTH superuser): "no" is its documented way to allow it.
in_root passwd -d root
sed -i 's/^PREVENT_NO_AUTH.*/PREVENT_NO_AUTH no/' "$dir/etc/login.defs"
grep -qx 'PREVENT_NO_AUTH no' "$dir/etc/login.defs" || echo 'PREVENT_NO_AUTH no' >> "$dir/etc/login.defs"
echo "debian-$init" > "$dir/etc/hostname"
cat > "$dir/etc/network/interfaces.d/eth0" <<'EOF'
# The first network card, by DHCP (an emulator's user-mode network or v86's fetch backend).
allow-hotplug eth0
iface eth0 inet dhcp
EOF
case $init in
  systemd)
    # Keep the kernel's name eth0 instead of udev's enp0sN (Debian's README.Debian of udev).
    mkdir -p "$dir/etc/systemd/network"
    ln -sf /dev/null "$dir/etc/systemd/network/99-default.link"
    ;;
  sysvinit|openrc)
    # Debian's inittab has this line commented out; a serial console needs it.
    grep -q '^T0:' "$dir/etc/inittab" || echo 'T0:2345:respawn:/sbin/getty -L ttyS0 9600 vt100' >> "$dir/etc/inittab"
    ;;
  runit)
    # Debian's getty-run has services for tty1..6 and hvc0 only: one for the serial console
    # like them, enabled as they are (a link in the default runsvdir).
    mkdir -p "$dir/etc/sv/getty-ttyS0"
    printf '#!/bin/sh -euC\nexec chpst -P getty -L 9600 ttyS0 vt100\n' > "$dir/etc/sv/getty-ttyS0/run"
    chmod 755 "$dir/etc/sv/getty-ttyS0/run"
    ln -sf /etc/sv/getty-ttyS0 "$dir/etc/runit/runsvdir/default/getty-ttyS0"
    ;;
esac
# Asked inside the root: /sbin/init is often an absolute link (runit-init's, systemd's).
in_root test -x /sbin/init || { echo "debian-root.sh: no /sbin/init after installing $pkgs" >&2; exit 1; }
t2=$(date +%s)
# A plain tar of the tree, as the HOWTO's "copy an existing installation" would be.
tar -C "$dir" -czf "$out.partial" .
mv "$out.partial" "$out"
t3=$(date +%s)
echo "$init: debootstrap $((t1 - t0)) s, $pkgs $((t2 - t1)) s, tar $((t3 - t2)) s, $(du -sm "$dir" | cut -f1) MiB unpacked, $(du -m "$out" | cut -f1) MiB packed"
echo "$out"
