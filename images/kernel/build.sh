#!/bin/bash
# Builds the boot floppy's ZIMAGE: Linux 6.1 from Debian's linux-source-6.1,
# ARCH=i386, from the committed `config` (a savedefconfig-style minimal config,
# expanded with `make olddefconfig`), everything built in, no modules.
#
#   build.sh            build into work/ (gitignored) and copy the result to ./bzImage
#   build.sh --check    rebuild from scratch in a temp dir, compare with the committed bzImage
#
# Runs as root on Debian bookworm; installs the host tools it needs with apt-get and fetches the
# pinned linux-source-6.1 package itself (apt-get download + dpkg -x into its work folder), so the
# linux-source version installed on the machine, if any, plays no part.
# Byte-reproducible: the build stamps (user, host, time, version) are fixed below,
# and the kernel's own -fmacro-prefix-map keeps the build path out of the image.
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

# Exact input. A change here changes the output: rebuild and commit bzImage.
LINUX_SOURCE_VERSION='6.1.176-1'
# The downloaded .deb is cached here between runs (apt checks it against the archive's hash).
DL="$HERE/work/dl"

export KBUILD_BUILD_TIMESTAMP='2024-01-01 00:00:00 UTC'
export KBUILD_BUILD_USER=looproot
export KBUILD_BUILD_HOST=looproot
export KBUILD_BUILD_VERSION=1
export SOURCE_DATE_EPOCH=1704067200
export KCONFIG_NOTIMESTAMP=1
export LC_ALL=C TZ=UTC
umask 022

# What the HOWTO's boot chain and a Debian/busybox userland on the loop root need, on every PC
# from a 486 on (ISA, PIIX and AHCI disks; loaded at 1 MiB so 16 MiB of RAM is enough).
# olddefconfig silently drops a symbol whose dependencies are missing: catch that.
# SYM means CONFIG_SYM=y; SYM=VALUE means exactly that line.
REQUIRED='PRINTK MULTIUSER FUTEX EPOLL SIGNALFD TIMERFD EVENTFD SHMEM FILE_LOCKING
POSIX_TIMERS SYSVIPC BINFMT_ELF BINFMT_SCRIPT BLOCK MSDOS_PARTITION BLK_DEV_LOOP
BLK_DEV_RAM BLK_DEV_INITRD RD_GZIP SWAP PCI SCSI BLK_DEV_SD ATA ATA_SFF ATA_BMDMA
ATA_PIIX PATA_LEGACY SATA_AHCI M486 PHYSICAL_START=0x100000 TTY VT VT_CONSOLE VGA_CONSOLE UNIX98_PTYS SERIAL_8250 SERIAL_8250_CONSOLE
INPUT KEYBOARD_ATKBD SERIO_I8042 PROC_FS SYSFS DEVTMPFS TMPFS INOTIFY_USER EXT2_FS
FAT_FS MSDOS_FS VFAT_FS NLS_CODEPAGE_437 NLS_ISO8859_1'
FORBIDDEN='MODULES'

recipe_mode build -- "$@"

log() { lib_log "$*"; }

need_pkgs build-essential bc bison flex libelf-dev xz-utils dpkg-dev

# The pinned linux-source-6.1 .deb in $DL (downloaded once; a stale version is replaced).
source_deb() {
  local deb="$DL/linux-source-6.1_${LINUX_SOURCE_VERSION}_all.deb"
  if [ ! -f "$deb" ] || [ "$(dpkg-deb -f "$deb" Version 2>/dev/null)" != "$LINUX_SOURCE_VERSION" ]; then
    rm -f "$DL"/linux-source-6.1_*.deb
    log "apt-get download linux-source-6.1=$LINUX_SOURCE_VERSION (about 140 MB)"
    fetch_debs "$DL" "LINUX_SOURCE_VERSION=linux-source-6.1=$LINUX_SOURCE_VERSION"
  fi
  echo "$deb"
}

# build DIR: unpack the pinned source (cached), expand the config, make bzImage.
build() {
  local work=$1 src=$1/linux-source-6.1 obj=$1/build
  if [ ! -f "$src/.looproot-$LINUX_SOURCE_VERSION" ]; then
    local deb; deb=$(source_deb)
    log "unpacking linux-source-6.1 $LINUX_SOURCE_VERSION into $work"
    rm -rf "$src" "$work/pkg"
    mkdir -p "$work"
    dpkg -x "$deb" "$work/pkg"
    tar -C "$work" -xf "$work/pkg/usr/src/linux-source-6.1.tar.xz"
    rm -rf "$work/pkg"
    touch "$src/.looproot-$LINUX_SOURCE_VERSION"
  fi
  mkdir -p "$obj"
  cp "$HERE/config" "$obj/.config"
  make -C "$src" O="$obj" ARCH=i386 olddefconfig >/dev/null
  local sym
  for sym in $REQUIRED; do
    [[ $sym == *=* ]] || sym="$sym=y"
    grep -qx "CONFIG_$sym" "$obj/.config" || { log "config: CONFIG_$sym is not set so after olddefconfig"; exit 1; }
  done
  for sym in $FORBIDDEN; do
    if grep -qx "CONFIG_$sym=y" "$obj/.config"; then log "config: CONFIG_$sym must stay off"; exit 1; fi
  done
  log "make -j2 bzImage in $obj (a few minutes)"
  make -C "$src" O="$obj" ARCH=i386 -j2 bzImage >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log" >&2
    log "build failed, full log in $work/build.log"
    exit 1
  }
}

if [ "$MODE" = build ]; then
  build "$HERE/work"
  cp "$HERE/work/build/arch/x86/boot/bzImage" "$HERE/bzImage"
  log "bzImage: $(stat -c %s "$HERE/bzImage") bytes, sha256 $(sha256sum "$HERE/bzImage" | cut -d' ' -f1)"
else
  tmp=$(mktemp -d /tmp/looproot-kernel.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  build "$tmp"
  new=$(sha256sum "$tmp/build/arch/x86/boot/bzImage" | cut -d' ' -f1)
  old=$(sha256sum "$HERE/bzImage" | cut -d' ' -f1)
  if [ "$new" != "$old" ]; then
    log "MISMATCH: the rebuilt bzImage ($(stat -c %s "$tmp/build/arch/x86/boot/bzImage") bytes, sha256 $new)"
    log "differs from the committed images/kernel/bzImage ($(stat -c %s "$HERE/bzImage") bytes, sha256 $old)"
    exit 1
  fi
  log "rebuild matches the committed bzImage (sha256 $new)"
fi
