#!/bin/bash
# Builds two static busybox binaries for any PC from a 486 on, from Debian's busybox source
# package, linked against Debian's i386 musl:
#   config-initrd -> busybox-initrd  (what /linuxrc on the initrd needs)
#   config-root   -> busybox-root    (a comfortable userland for the loop root)
# and beside each, busybox-<variant>.applets: the applets' install paths.
#
#   build.sh            build and write busybox-initrd, busybox-root here
#   build.sh --check    rebuild in a temp dir, compare with the committed files
#   build.sh --configs  regenerate config-initrd/config-root from *.fragment
#
# Runs as root on Debian bookworm; installs what it needs with apt-get.
# The i386 musl and kernel headers are unpacked with dpkg -x into a private
# folder, never apt-installed: installing i386 -dev packages can remove the
# host's amd64 libc6-dev when versions differ.
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

# Exact inputs. A change here changes the outputs: rebuild and commit them.
BUSYBOX_VERSION='1:1.35.0-4+deb12u1'
MUSL_VERSION='1.2.3-1'
LINUX_LIBC_DEV_VERSION='6.1.176-1'
# libgcc (64-bit division, crtbeginT.o) from Debian's i386 gcc: the host's multilib libgcc is built
# with -fcf-protection, and its ENDBR32 (a hint NOP from the Pentium Pro on) traps on a 486 or a
# Pentium. The same gcc release as the host's gcc-12 that compiles busybox.
LIBGCC_VERSION='12.2.0-14+deb12u1'
VARIANTS='initrd root'

# Reproducibility: no timestamps in the config headers or the banner.
export SOURCE_DATE_EPOCH=1700000000
export KCONFIG_NOTIMESTAMP=1
export LC_ALL=C TZ=UTC
umask 022

recipe_mode build configs -- "$@"

log() { lib_log "$*"; }

# Fetch the exact source and musl into $WORK (cached: reused when present).
fetch() {
  local dl="$WORK/dl"
  mkdir -p "$dl"
  # The caches in $WORK are stamped with the pinned versions they hold.
  local stamp="busybox=$BUSYBOX_VERSION musl=$MUSL_VERSION linux-libc-dev=$LINUX_LIBC_DEV_VERSION libgcc=$LIBGCC_VERSION"
  if [ "$(cat "$WORK/src/.looproot-stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$WORK/src" "$dl"/busybox*
    mkdir -p "$dl"
    log "apt-get source busybox=$BUSYBOX_VERSION"
    fetch_source "$dl" BUSYBOX_VERSION "busybox=$BUSYBOX_VERSION"
    mv "$dl"/busybox-1.35.0 "$WORK/src"
    echo "$stamp" > "$WORK/src/.looproot-stamp"
  fi
  if [ "$(cat "$WORK/sysroot/.looproot-stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$WORK/sysroot" "$dl"/*.deb
    mkdir -p "$WORK/sysroot"
    fetch_debs "$dl" "MUSL_VERSION=musl:i386=$MUSL_VERSION" "MUSL_VERSION=musl-dev:i386=$MUSL_VERSION" \
      "LINUX_LIBC_DEV_VERSION=linux-libc-dev:i386=$LINUX_LIBC_DEV_VERSION" \
      "LIBGCC_VERSION=libgcc-12-dev:i386=$LIBGCC_VERSION"
    unpack_debs "$WORK/sysroot" "$dl"/musl_*_i386.deb "$dl"/musl-dev_*_i386.deb "$dl"/linux-libc-dev_*_i386.deb \
      "$dl"/libgcc-12-dev_*_i386.deb
    echo "$stamp" > "$WORK/sysroot/.looproot-stamp"
  fi
}

# A private copy of musl-gcc.specs: headers and libraries from the unpacked
# sysroot, kernel headers after musl's, libgcc and crtbeginT/crtend from the
# i386 libgcc-12-dev, a static non-PIE i386 link.
write_specs() {
  local s="$WORK/sysroot" g="$WORK/sysroot/usr/lib/gcc/i686-linux-gnu/12"
  local inc="-nostdinc -isystem $s/usr/include/i386-linux-musl -isystem $s/usr/include -isystem $s/usr/include/i386-linux-gnu -isystem include%s"
  SPECS="$WORK/musl-gcc.specs"
  cat > "$SPECS" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
$inc %(old_cpp_options)

*cc1:
%(cc1_cpu) $inc

*link_libgcc:
-L$s/usr/lib/i386-linux-musl -L .%s

*libgcc:
$g/libgcc.a $g/libgcc_eh.a

*startfile:
$s/usr/lib/i386-linux-musl/crt1.o $s/usr/lib/i386-linux-musl/crti.o $g/crtbeginT.o

*endfile:
$g/crtend.o $s/usr/lib/i386-linux-musl/crtn.o

*link:
-m elf_i386 -nostdlib -static

EOF
}

# Expand a fragment into a full .config in the current busybox tree.
expand_fragment() {
  local frag=$1 defaults=$2 k v line
  make -s allnoconfig >/dev/null
  if [ "$defaults" = yes ]; then
    # Forget the "not set" sub-options so that oldconfig gives them busybox's
    # default for every chosen applet (those of unchosen applets stay off).
    sed -i -E '/^(# )?CONFIG_(FEATURE|ASH)_[A-Z0-9_]+( is not set|=.*)$/d' .config
  fi
  while IFS= read -r line; do
    case "$line" in CONFIG_*=*) ;; *) continue ;; esac
    k=${line%%=*}; v=${line#*=}
    sed -i -E "/^(# )?$k( is not set|=.*)\$/d" .config
    if [ "$v" = n ]; then echo "# $k is not set" >> .config; else echo "$k=$v" >> .config; fi
  done < "$frag"
  make -s oldconfig < <(yes '') >/dev/null
  # Every symbol the fragment names must have survived oldconfig.
  while IFS= read -r line; do
    case "$line" in CONFIG_*=*) ;; *) continue ;; esac
    k=${line%%=*}; v=${line#*=}
    if [ "$v" = n ]; then
      if grep -q "^$k=" .config; then echo "busybox: $frag: $k=n was turned on by a dependency" >&2; exit 1; fi
    elif ! grep -qxF "$k=$v" .config; then
      echo "busybox: $frag: $k=$v was dropped by oldconfig (missing dependency?)" >&2; exit 1
    fi
  done < "$frag"
}

build_variant() {
  local v=$1 out=$2 b="$WORK/build-$v"
  rm -rf "$b"
  cp -a "$WORK/src" "$b"
  cp "$HERE/config-$v" "$b/.config"
  (
    cd "$b"
    make -s oldconfig < <(yes '') >/dev/null
    if ! cmp -s .config "$HERE/config-$v"; then
      echo "busybox: config-$v is not a complete config for this busybox (oldconfig changed it); run build.sh --configs" >&2
      diff -u "$HERE/config-$v" .config >&2 || true
      exit 1
    fi
    # The build folder differs between build and --check: keep it out of the binary.
    # -march=i486: Debian's gcc -m32 targets an i686 (CMOV, which a 486 or a Pentium traps on);
    # the HOWTO's PCs are 486s. musl's libc.a needs no rebuild: its configure adds -march=i486.
    make -j2 \
      CC="gcc -m32 -march=i486 -specs $SPECS -fno-pie -no-pie -ffile-prefix-map=$b=." \
      BB_EXTRA_VERSION="Debian $BUSYBOX_VERSION" \
      KBUILD_BUILD_USER=looproot KBUILD_BUILD_HOST=looproot \
      busybox busybox.links > "$WORK/build-$v.log" 2>&1 || { tail -30 "$WORK/build-$v.log" >&2; exit 1; }
  )
  cp "$b/busybox" "$out/busybox-$v"
  # Where each applet is installed (/bin/sh, /sbin/losetup, /usr/bin/awk, ...):
  # the app links the applets into the filesystems it builds from this list.
  LC_ALL=C sort "$b/busybox.links" > "$out/busybox-$v.applets"
  log "busybox-$v: $(stat -c %s "$out/busybox-$v") bytes, $(gzip -9 -n -c "$out/busybox-$v" | wc -c) gzip -9"
}

setup_apt
need_pkgs build-essential gcc-multilib dpkg-dev bzip2 xz-utils
case "$MODE" in
  build)
    WORK="$HERE/work"
    mkdir -p "$WORK"
    fetch; write_specs
    for v in $VARIANTS; do build_variant "$v" "$HERE"; done
    ;;
  configs)
    WORK="$HERE/work"
    mkdir -p "$WORK"
    fetch
    for v in $VARIANTS; do
      rm -rf "$WORK/cfg-$v"; cp -a "$WORK/src" "$WORK/cfg-$v"
      defaults=no; [ "$v" = root ] && defaults=yes
      (cd "$WORK/cfg-$v" && expand_fragment "$HERE/$v.fragment" "$defaults")
      cp "$WORK/cfg-$v/.config" "$HERE/config-$v"
      log "config-$v: $(grep -c '=y$' "$HERE/config-$v") options on"
    done
    ;;
  check)
    WORK=$(mktemp -d /tmp/looproot-busybox.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    mkdir -p "$WORK/out"
    fetch; write_specs
    bad=0
    for v in $VARIANTS; do
      build_variant "$v" "$WORK/out"
      for f in "busybox-$v" "busybox-$v.applets"; do
        if cmp -s "$WORK/out/$f" "$HERE/$f"; then
          log "$f: rebuilt byte-identical ($(sha256sum < "$HERE/$f" | cut -c1-16)...)"
        else
          echo "busybox: MISMATCH: images/busybox/$f differs from a fresh rebuild" \
            "(committed $( (sha256sum < "$HERE/$f" || echo missing) 2>/dev/null | cut -c1-16)," \
            "rebuilt $(sha256sum < "$WORK/out/$f" | cut -c1-16))" >&2
          bad=1
        fi
      done
    done
    exit $bad
    ;;
esac
