#!/usr/bin/env node
// An ext2 root filesystem from a tarball, booted directly (bzImage + initrd, no DOS) in v86.
//
//   node ext2-direct-boot.mjs [ROOT.tar[.gz]] [OUT.img]
//
// Without a tarball the example makes one: the package's static i386 busybox as /bin/busybox,
// applet links, and an /sbin/init that reports its mounts. The tar becomes an ext2 image
// (OUT.img, default root.ext2), which is gzip'd and handed to Linux as its initrd with
// root=/dev/ram0: the kernel loads it into a RAM disk and mounts it as /. The example exits 0
// once /sbin/init has printed "ROOT: ok".
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LooprootError } from "looproot";
import { makeExt2, treeFromFiles, writeTar, gzip } from "looproot/fs";
import { imagesDir, loadKernel, bootAndWait } from "looproot/emulator/node";

let tar = process.argv[2] ? readFileSync(process.argv[2]) : undefined;
const out = process.argv[3] ?? "root.ext2";
if (!tar) {
  const init = [
    "#!/bin/sh",
    "mount -t proc proc /proc",
    "echo 'ROOT: / is' $(grep ' / ' /proc/mounts)",
    "echo 'ROOT: ok'",
    "while :; do sleep 1000; done",
    "",
  ].join("\n");
  const tree = treeFromFiles([
    { path: "/bin/busybox", data: readFileSync(join(imagesDir(), "busybox/busybox-root")), executable: true },
    ...["sh", "mount", "grep", "sleep", "cat", "ls"].map((a) => ({ path: `/bin/${a}`, symlink: "busybox" })),
    { path: "/sbin/init", data: init, executable: true },
    { path: "/proc", dir: true },
    { path: "/dev", dir: true },
  ]);
  tar = gzip(writeTar(tree));
}

let root;
try {
  root = makeExt2({ tar, label: "looproot" });
} catch (e) {
  if (!(e instanceof LooprootError)) throw e;
  console.error(`ext2-direct-boot: ${e.code}: ${e.message}`);
  process.exit(2);
}
writeFileSync(out, root);
console.log(`${out}: ${root.length} bytes of ext2`);

const initrd = gzip(root);
const r = await bootAndWait({
  bzimage: loadKernel(),
  initrd,
  // The kernel's RAM disks are 4,096 KiB unless ramdisk_size says more.
  cmdline: `console=ttyS0 root=/dev/ram0 rw ramdisk_size=${Math.ceil(root.length / 1024)}`,
  // v86 loads the initrd at 64 MiB: memory must reach past it.
  memoryMB: 64 + Math.ceil(initrd.length / 1048576) + 32,
  pattern: /ROOT: ok|Kernel panic/,
  timeoutMs: 120_000,
});
const ok = r.matched && r.serial.includes("ROOT: ok");
console.log(
  r.serial
    .split("\n")
    .filter((l) => /ROOT:|RAMDISK|VFS: Mounted root|Kernel panic/.test(l))
    .join("\n"),
);
console.log(ok ? `booted the ext2 root in ${(r.ms / 1000).toFixed(1)} s` : "the ext2 root did not come up");
process.exitCode = ok ? 0 : 1;
