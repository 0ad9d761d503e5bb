#!/usr/bin/env bash
# Runs a command with qemu-i386 registered in binfmt_misc as Debian's qemu-user-static registers
# foreign formats (flag F, no P: argv[0] is lost), the host condition under which busybox's
# re-executing shell once failed ("applet not found"). CI runs the busybox tests through it.
#
# The registration is made in a user namespace with a binfmt_misc of its own (Linux 6.7+): it ends
# with the command, and other programs on the machine never see it. On an older kernel it is made
# in the machine's binfmt_misc under its own name and removed on exit (with the mount, if this
# script made it), leaving the machine as it found it.
set -euo pipefail
QEMU=$(command -v qemu-i386-static || true)
[ -n "$QEMU" ] || { echo "with-i386-binfmt: qemu-i386-static is missing (apt-get install qemu-user-static)" >&2; exit 2; }
MAGIC='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
MASK='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
BM=/proc/sys/fs/binfmt_misc

if unshare --user --map-root-user --mount sh -c "mount -t binfmt_misc binfmt_misc $BM" 2>/dev/null; then
  exec unshare --user --map-root-user --mount sh -c "mount -t binfmt_misc binfmt_misc $BM && printf '%s' ':qemu-i386:M::$MAGIC:$MASK:$QEMU:F' > $BM/register && exec \"\$@\"" sh "$@"
fi

mounted=""
if [ ! -e "$BM/register" ]; then mount -t binfmt_misc binfmt_misc "$BM"; mounted=yes; fi
name=looproot-ci-i386
cleanup() {
  [ -e "$BM/$name" ] && echo -1 > "$BM/$name"
  [ -n "$mounted" ] && umount "$BM"
  return 0
}
trap cleanup EXIT
printf '%s' ":$name:M::$MAGIC:$MASK:$QEMU:F" > "$BM/register"
"$@"
