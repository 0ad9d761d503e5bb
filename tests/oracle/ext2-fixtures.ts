// Shared inputs for the ext2 oracle tests: the HOWTO's initrd listing and small tree builders.

import fc from "fast-check";
import type { Ext2Options } from "../../src/fs/ext2/index.ts";
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";

export const T = 896_000_000; // June 1998, around the HOWTO's listing
export const UUID = Uint8Array.from([
  0x5a, 0x1e, 0x0c, 0x3d, 0x92, 0x44, 0x4b, 0x8e, 0x9a, 0x01, 0x27, 0x6f, 0xd3, 0x11, 0xc0, 0x7e,
]);
export const UUID_STR = "5a1e0c3d-9244-4b8e-9a01-276fd311c07e";

/** Deterministic filler bytes: different per file so misplaced blocks show. */
export function bytes(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    if ((i & 3) === 0) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
    }
    a[i] = (x >>> ((i & 3) * 8)) & 0xff;
  }
  return a;
}

export const dir = (p: string, mode = 0o755, mtime = T): TreeEntry => ({
  path: p,
  kind: "dir",
  mode,
  uid: 0,
  gid: 0,
  mtime,
});
export const file = (p: string, data: Uint8Array, mode = 0o644, mtime = T): TreeEntry => ({
  path: p,
  kind: "file",
  mode,
  uid: 0,
  gid: 0,
  mtime,
  data,
});
export const link = (p: string, target: string): TreeEntry => ({
  path: p,
  kind: "symlink",
  mode: 0o777,
  uid: 0,
  gid: 0,
  mtime: T,
  target,
});
export const dev = (
  p: string,
  kind: "chardev" | "blockdev",
  major: number,
  minor: number,
  mode = 0o644,
): TreeEntry => ({ path: p, kind, mode, uid: 0, gid: 0, mtime: T, major, minor });

/** The initrd of HOWTO section 3.3, with the sizes, modes and devices of its listing. */
export function howtoInitrd(): Tree {
  return [
    dir("/", 0o755),
    dir("/bin"),
    dir("/dev"),
    dir("/etc"),
    dir("/lib"),
    dir("/mnt"),
    file("/bin/ash", bytes(60880, 1), 0o755),
    file("/bin/losetup", bytes(5484, 2), 0o755),
    file("/bin/mount", bytes(28216, 3), 0o4755),
    link("/bin/sh", "ash"),
    dev("/dev/hda", "blockdev", 3, 0),
    dev("/dev/hda1", "blockdev", 3, 1),
    dev("/dev/hda2", "blockdev", 3, 2),
    dev("/dev/hda3", "blockdev", 3, 3),
    dev("/dev/loop0", "blockdev", 7, 0),
    dev("/dev/loop1", "blockdev", 7, 1),
    dev("/dev/null", "chardev", 1, 3),
    dev("/dev/tty", "chardev", 5, 0),
    dev("/dev/tty1", "chardev", 4, 1),
    dev("/dev/zero", "chardev", 1, 5),
    file("/etc/ld.so.cache", bytes(2539, 4)),
    link("/lib/ld-linux.so.1", "ld-linux.so.1.7.14"),
    file("/lib/ld-linux.so.1.7.14", bytes(21367, 5), 0o755),
    link("/lib/libc.so.5", "libc.so.5.3.12"),
    file("/lib/libc.so.5.3.12", bytes(583795, 6), 0o755),
    file("/linuxrc", new TextEncoder().encode("#!/bin/sh\necho INITRD: Trying to mount /dev/hda1 as msdos\n"), 0o755),
  ];
}

/** The HOWTO's `dd bs=1k count=1024` + `mke2fs -i 1024 -b 1024 -m 5`. */
export const HOWTO: Ext2Options = {
  sizeBytes: 1024 * 1024,
  blockSize: 1024,
  bytesPerInode: 1024,
  reservedPercent: 5,
  uuid: UUID,
  time: T,
  label: "initrd",
};

/** Random inode metadata for the property tests: any mode bits, ids at both ends, old and new device numbers. */
export const metaArbs = {
  mode: fc.integer({ min: 0, max: 0o7777 }),
  uid: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  gid: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  mtime: fc.integer({ min: 0, max: 1_700_000_000 }),
  major: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 4095 })),
  minor: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xfffff })),
};
