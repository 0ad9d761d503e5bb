#!/bin/bash
# Builds the two kernels from one recipe: Linux 6.1 from Debian's linux-source-6.1, ARCH=i386,
# everything built in, no modules, each from a savedefconfig-style minimal config expanded with
# `make olddefconfig`:
#   bzImage          the HOWTO kernel, the boot floppy's ZIMAGE: `config`
#   bzImage-distro   the distribution kernel (systemd, sockets, IPv4, NICs, ext4):
#                    `config` followed by `config-distro` (later lines override earlier ones)
#
#   build.sh            build into work/ (gitignored) and copy the results here
#   build.sh --check    rebuild from scratch in a temp dir, compare with the committed files
#   KERNELS=howto build.sh   only the kernels named (howto, distro; default both)
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
REQUIRED_BASE='PRINTK MULTIUSER FUTEX EPOLL SIGNALFD TIMERFD EVENTFD SHMEM FILE_LOCKING
POSIX_TIMERS SYSVIPC BINFMT_ELF BINFMT_SCRIPT BLOCK MSDOS_PARTITION BLK_DEV_LOOP
BLK_DEV_RAM BLK_DEV_INITRD RD_GZIP SWAP PCI SCSI BLK_DEV_SD ATA ATA_SFF ATA_BMDMA
ATA_PIIX PATA_LEGACY SATA_AHCI M486 PHYSICAL_START=0x100000 TTY VT VT_CONSOLE VGA_CONSOLE UNIX98_PTYS SERIAL_8250 SERIAL_8250_CONSOLE
INPUT KEYBOARD_ATKBD SERIO_I8042 PROC_FS SYSFS DEVTMPFS TMPFS INOTIFY_USER
FAT_FS MSDOS_FS VFAT_FS NLS_CODEPAGE_437 NLS_ISO8859_1'
REQUIRED_howto="$REQUIRED_BASE EXT2_FS"
# systemd's README (kernel requirements), IPv4 with loopback and packet sockets (DHCP clients),
# v86's NE2000 (PCI RTL8029) and virtio-net, QEMU's e1000, ext2 roots mounted by ext4.
REQUIRED_distro="$REQUIRED_BASE FHANDLE CGROUPS NAMESPACES UTS_NS IPC_NS PID_NS NET_NS SECCOMP
SECCOMP_FILTER NET UNIX PACKET INET NETDEVICES NE2K_PCI E1000 VIRTIO_PCI VIRTIO_NET EXT4_FS
EXT4_USE_FOR_EXT2 AUTOFS_FS TMPFS_POSIX_ACL TMPFS_XATTR"
FORBIDDEN='MODULES'
# Each kernel: its config files (concatenated in this order) and its output file.
CONFIGS_howto='config'
CONFIGS_distro='config config-distro'
OUTPUT_howto='bzImage'
OUTPUT_distro='bzImage-distro'
KERNELS=${KERNELS:-howto distro}
for k in $KERNELS; do
  case $k in howto|distro) ;; *) echo "KERNELS: unknown kernel '$k' (howto, distro)" >&2; exit 2 ;; esac
done

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

# unpack DIR: the pinned source in DIR/linux-source-6.1 (cached between runs).
unpack() {
  local work=$1 src=$1/linux-source-6.1
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
}

# obj_dir DIR KERNEL: where KERNEL is built (the HOWTO kernel keeps the folder it always had).
obj_dir() { if [ "$2" = howto ]; then echo "$1/build"; else echo "$1/build-$2"; fi; }

# build DIR KERNEL: expand KERNEL's configs, check them, make bzImage.
build() {
  local work=$1 k=$2 src=$1/linux-source-6.1 obj; obj=$(obj_dir "$1" "$2")
  unpack "$work"
  mkdir -p "$obj"
  local cfgs=CONFIGS_$k req=REQUIRED_$k f
  : > "$obj/.config"
  for f in ${!cfgs}; do cat "$HERE/$f" >> "$obj/.config"; done
  make -C "$src" O="$obj" ARCH=i386 olddefconfig >/dev/null 2>"$obj/olddefconfig.log" || { cat "$obj/olddefconfig.log" >&2; exit 1; }
  local sym
  for sym in ${!req}; do
    [[ $sym == *=* ]] || sym="$sym=y"
    grep -qx "CONFIG_$sym" "$obj/.config" || { log "config ($k): CONFIG_$sym is not set so after olddefconfig"; exit 1; }
  done
  for sym in $FORBIDDEN; do
    if grep -qx "CONFIG_$sym=y" "$obj/.config"; then log "config ($k): CONFIG_$sym must stay off"; exit 1; fi
  done
  log "make -j2 bzImage in $obj (a few minutes)"
  make -C "$src" O="$obj" ARCH=i386 -j2 bzImage >"$obj/build.log" 2>&1 || {
    tail -40 "$obj/build.log" >&2
    log "build failed, full log in $obj/build.log"
    exit 1
  }
}

if [ "$MODE" = build ]; then
  for k in $KERNELS; do
    out=OUTPUT_$k
    build "$HERE/work" "$k"
    cp "$(obj_dir "$HERE/work" "$k")/arch/x86/boot/bzImage" "$HERE/${!out}"
    log "${!out}: $(stat -c %s "$HERE/${!out}") bytes, sha256 $(sha256sum "$HERE/${!out}" | cut -d' ' -f1)"
  done
else
  tmp=$(mktemp -d /tmp/looproot-kernel.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  bad=0
  for k in $KERNELS; do
    out=OUTPUT_$k
    build "$tmp" "$k"
    img=$(obj_dir "$tmp" "$k")/arch/x86/boot/bzImage
    new=$(sha256sum "$img" | cut -d' ' -f1)
    old=$(sha256sum "$HERE/${!out}" | cut -d' ' -f1)
    if [ "$new" != "$old" ]; then
      log "MISMATCH: the rebuilt ${!out} ($(stat -c %s "$img") bytes, sha256 $new)"
      log "differs from the committed images/kernel/${!out} ($(stat -c %s "$HERE/${!out}") bytes, sha256 $old)"
      bad=1
    else
      log "rebuild matches the committed ${!out} (sha256 $new)"
    fi
  done
  exit $bad
fi
