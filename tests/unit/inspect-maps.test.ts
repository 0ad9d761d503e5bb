// The maps as the page will draw them: every level covers its parent exactly, without gaps or
// overlaps, in byte order; each region's sector/block range agrees with its bytes; every region
// names its HOWTO step.

import { describe, it, expect } from "vitest";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import { makeFat } from "../../src/fs/fat/index.ts";
import { makeDisk, diskLayout } from "../../src/fs/mbr.ts";
import { makeSwap } from "../../src/fs/swap.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import { inspect, recognise, type Region } from "../../src/fs/views/maps.ts";
import type { Tree } from "../../src/fs/tree.ts";

const T = 896_000_000;
const UUID = new Uint8Array(16).fill(9);
const tree: Tree = [
  { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: T },
  { path: "/f", kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: T, data: new Uint8Array(50_000).fill(3) },
];
const ext2 = makeExt2(tree, { sizeBytes: 2 * 1024 * 1024, blockSize: 1024, uuid: UUID, time: T });
const swap = makeSwap({ sizeBytes: 256 * 1024, uuid: UUID });
const L = diskLayout(8 * 1024 * 1024);
const volume = makeFat(
  {
    totalSectors: L.partitionSectors,
    hiddenSectors: L.partitionStart,
    heads: L.geometry.heads,
    sectorsPerTrack: L.geometry.sectorsPerTrack,
    driveNumber: 0x80,
    serial: 1,
    time: T,
  },
  [
    { path: "LINUX\\LINUXDSK.IMG", data: ext2 },
    { path: "LINUX\\LINUXSWP.IMG", data: swap },
  ],
);
const disk = makeDisk({ sizeBytes: 8 * 1024 * 1024, volume, diskSignature: 0x01020304, active: true });
const floppy = makeFat({ floppy: "1.44M", serial: 2, time: T }, [
  { path: "A.TXT", data: new Uint8Array(3000).fill(1) },
  { path: "D\\B.TXT", data: new Uint8Array(10).fill(2) },
]);

/** Children tile [start, end) exactly; recursively. */
function expectTiles(regions: Region[], start: number, end: number, where: string) {
  let at = start;
  for (const r of regions) {
    expect([where, r.name, r.start]).toEqual([where, r.name, at]);
    expect(r.end).toBeGreaterThan(r.start);
    expect(r.first).toBe(
      Math.floor((r.start - (r.unit === "block" ? regions[0].start - regions[0].first * r.unitSize : 0)) / r.unitSize),
    );
    expect(r.step).toMatch(/^3\.[3-7]$/);
    if (r.children) expectTiles(r.children, r.start, r.end, `${where} > ${r.name}`);
    at = r.end;
  }
  expect([where, at]).toEqual([where, end]);
}

describe("maps tile their images", () => {
  it("a disk: MBR, gap, partition (boot sector, FATs, root directory, data area of runs and free), the rest", () => {
    const x = inspect(disk);
    if (x.kind !== "disk") throw new Error(x.kind);
    expectTiles(x.disk.regions, 0, disk.length, "disk");
    expect(x.disk.regions.map((r) => r.kind)).toEqual(["mbr", "gap", "partition", "gap"]);
    const data = x.disk.regions[2].children!.find((r) => r.kind === "data")!;
    expect(data.children!.filter((r) => r.kind === "file").map((r) => [r.path, r.content])).toEqual([
      ["LINUX\\LINUXDSK.IMG", { kind: "ext2", step: "3.4" }],
      ["LINUX\\LINUXSWP.IMG", { kind: "swap", step: "3.5" }],
    ]);
    // The root image's groups, at the file's place on the disk.
    expect(x.root!.regionsIn).toBe("disk");
    const file = data.children!.find((r) => r.path === "LINUX\\LINUXDSK.IMG")!;
    expectTiles(x.root!.regions, file.start, file.start + ext2.length, "root image");
  });
  it("a floppy, an ext2 image, a gzip'd initrd and swap", () => {
    const f = inspect(floppy);
    if (f.kind !== "fat") throw new Error(f.kind);
    expectTiles(f.fat.regions, 0, floppy.length, "floppy");
    const e = inspect(ext2);
    if (e.kind !== "ext2") throw new Error(e.kind);
    expectTiles(e.regions, 0, ext2.length, "ext2");
    const g = inspect(gzip9(ext2));
    expect(g.kind).toBe("initrd-gz");
    const s = inspect(swap);
    if (s.kind !== "swap") throw new Error(s.kind);
    expectTiles(s.regions, 0, swap.length, "swap");
    expect([recognise(disk), recognise(floppy), recognise(ext2), recognise(swap)]).toEqual([
      "disk",
      "fat",
      "ext2",
      "swap",
    ]);
  });
});
