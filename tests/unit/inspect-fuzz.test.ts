// Fuzzed readers: thousands of mutated images (fixed seed) through inspect(), each ending in a
// result or the project's own LooprootError, never another exception, and each within a time
// bound. Mutations aim at the metadata (superblocks, descriptors, inode tables, directories,
// indirect blocks, boot sectors, FATs, partition tables), where a reader can be led astray.

import { describe } from "vitest";
import { makeExt2, ext2Needs } from "../../src/fs/ext2/index.ts";
import { makeFat } from "../../src/fs/fat/index.ts";
import { makeDisk, diskLayout } from "../../src/fs/mbr.ts";
import { makeSwap } from "../../src/fs/swap.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import { fatMap } from "../../src/fs/views/maps.ts";
import { rng, fuzz } from "./inspect-mutate.ts";
import { readExt2 } from "../../src/fs/ext2/index.ts";
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";

const T = 896_000_000;
const UUID = Uint8Array.from({ length: 16 }, (_, i) => i * 17 + 3);

function filler(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

function sampleTree(big: boolean): Tree {
  const e = (p: string, kind: TreeEntry["kind"], extra: Partial<TreeEntry> = {}): TreeEntry => ({
    path: p,
    kind,
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: T,
    ...extra,
  });
  const t: Tree = [
    e("/", "dir"),
    e("/bin", "dir"),
    e("/dev", "dir"),
    e("/etc", "dir"),
    e("/etc/a", "dir"),
    e("/etc/a/b", "dir"),
  ];
  t.push(e("/bin/busybox", "file", { data: filler(big ? 300_000 : 20_000, 1) }));
  t.push(e("/bin/sh", "symlink", { target: "busybox" }), e("/bin/long", "symlink", { target: "x/".repeat(60) }));
  t.push(e("/bin/ash", "hardlink", { target: "/bin/busybox" }));
  t.push(
    e("/dev/hda1", "blockdev", { major: 3, minor: 1 }),
    e("/dev/big", "chardev", { major: 300, minor: 70000 }),
    e("/dev/fifo", "fifo"),
  );
  for (let i = 0; i < 40; i++) t.push(e(`/etc/a/b/file${i}`, "file", { data: filler(i * 100, i + 5) }));
  return t;
}

function ext2Image(big: boolean): Uint8Array {
  const opts = { blockSize: 1024 as const, bytesPerInode: 4096, uuid: UUID, time: T, label: "fuzz" };
  const tree = sampleTree(big);
  return makeExt2(tree, { ...opts, sizeBytes: ext2Needs(tree, opts).minBytes + 64 * 1024 });
}

function diskImage(): Uint8Array {
  const L = diskLayout(2 * 1024 * 1024);
  const volume = makeFat(
    {
      totalSectors: L.partitionSectors,
      hiddenSectors: L.partitionStart,
      heads: L.geometry.heads,
      sectorsPerTrack: L.geometry.sectorsPerTrack,
      driveNumber: 0x80,
      label: "LOOPROOT",
      serial: 0x1234,
      time: T,
    },
    [
      { path: "LINUX\\LINUXDSK.IMG", data: ext2Image(false) },
      { path: "LINUX\\LINUXSWP.IMG", data: makeSwap({ sizeBytes: 64 * 1024, uuid: UUID }) },
      { path: "README.TXT", data: filler(3000, 9) },
    ],
  );
  return makeDisk({ sizeBytes: 2 * 1024 * 1024, volume, diskSignature: 0xdeadbeef, active: true });
}

function floppyImage(): Uint8Array {
  return makeFat({ floppy: "1.44M", serial: 0x55aa, time: T, label: "LRBOOT" }, [
    { path: "AUTOEXEC.BAT", data: filler(85, 2) },
    { path: "ZIMAGE", data: filler(200_000, 3) },
    { path: "SUB\\DEEP\\F.TXT", data: filler(5000, 4) },
  ]);
}

describe("inspect: fuzzed images", () => {
  {
    const img = ext2Image(true);
    const x = readExt2(img);
    const dirRuns = x.nodes.filter((n) => x.tree.find((e) => e.path === n.path)?.kind === "dir").flatMap((n) => n.runs);
    const hot: [number, number][] = [
      [1024, 2048],
      [2048, 3072],
      [
        x.layout.groups[0].inodeTable * 1024,
        (x.layout.groups[0].inodeTable + x.layout.groups[0].inodeTableBlocks) * 1024,
      ],
      ...dirRuns.map(([b, n]) => [b * 1024, (b + n) * 1024] as [number, number]),
    ];
    // The indirect blocks of the 300,000-byte file: the blocks its runs skip over.
    const bb = x.nodes.find((n) => n.path === "/bin/busybox")!;
    for (let i = 1; i < bb.runs.length; i++)
      hot.push([(bb.runs[i - 1][0] + bb.runs[i - 1][1]) * 1024, bb.runs[i][0] * 1024]);
    fuzz("ext2 root image", img, hot, 1500, 20261202);
  }
  {
    const gz = gzip9(ext2Image(false));
    fuzz(
      "gzip'd initrd",
      gz,
      [
        [0, 20],
        [gz.length - 8, gz.length],
        [20, gz.length],
      ],
      300,
      7,
    );
  }
  {
    const fl = floppyImage();
    fuzz(
      "FAT12 floppy",
      fl,
      [
        [0, 512],
        [512, 512 + 9 * 512],
        [19 * 512, 33 * 512],
        [33 * 512, 40 * 512],
      ],
      800,
      11,
    );
  }
  {
    const disk = diskImage();
    const m = fatMap(disk, 63 * 512);
    const root = m.files.find((f) => f.path === "LINUX\\LINUXDSK.IMG")!;
    const clusterBytes = m.volume.sectorsPerCluster * 512;
    const data = m.regions.find((r) => r.kind === "data")!.start;
    const rootAt = data + (root.runs[0][0] - 2) * clusterBytes;
    const fatEnd = m.regions.find((r) => r.kind === "root-dir")!.end;
    fuzz(
      "MBR disk with a FAT partition and a root image",
      disk,
      [
        [0, 512],
        [63 * 512, fatEnd],
        [data, data + 4 * clusterBytes],
        [rootAt + 1024, rootAt + 20 * 1024],
      ],
      800,
      13,
    );
  }
});
