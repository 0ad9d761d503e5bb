// The ext2 reader on images made hostile by hand: each problem is an E_IMAGE error that names the
// field and where, found quickly, without allocating what the image does not hold.

import { describe, it, expect } from "vitest";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import { readExt2 } from "../../src/fs/ext2/index.ts";
import { recognise, inspect } from "../../src/fs/views/maps.ts";
import { LooprootError } from "../../src/errors.ts";
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";

const T = 896_000_000;
const UUID = new Uint8Array(16).fill(7);
const e = (p: string, kind: TreeEntry["kind"], extra: Partial<TreeEntry> = {}): TreeEntry => ({
  path: p,
  kind,
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtime: T,
  ...extra,
});

function image(): { img: Uint8Array; dv: DataView; inodeAt: (path: string) => number } {
  const tree: Tree = [
    e("/", "dir"),
    e("/a", "dir"),
    e("/a/b", "dir"),
    e("/big", "file", { data: new Uint8Array(300_000).fill(1) }),
    e("/s", "symlink", { target: "big" }),
  ];
  const img = makeExt2(tree, { sizeBytes: 1024 * 1024, blockSize: 1024, uuid: UUID, time: T });
  const dv = new DataView(img.buffer);
  const x = readExt2(img);
  const itab = x.layout.groups[0].inodeTable;
  const inodeAt = (path: string) => itab * 1024 + (x.nodes.find((n) => n.path === path)!.ino - 1) * x.layout.inodeSize;
  return { img, dv, inodeAt };
}

function refuse(img: Uint8Array, pattern: RegExp) {
  let err: unknown;
  const t0 = performance.now();
  try {
    readExt2(img);
  } catch (x) {
    err = x;
  }
  expect(performance.now() - t0).toBeLessThan(1000);
  expect(err).toBeInstanceOf(LooprootError);
  expect((err as LooprootError).code).toBe("E_IMAGE");
  expect((err as LooprootError).message).toMatch(pattern);
}

describe("ext2 reader: hostile images", () => {
  it("reads the intact image", () => {
    const { img } = image();
    const x = readExt2(img);
    expect(x.tree.map((t) => t.path)).toEqual(["/", "/a", "/big", "/lost+found", "/s", "/a/b"]);
    expect(recognise(img)).toBe("ext2");
  });
  it("a directory that links back to its ancestor (a loop)", () => {
    const { img, dv, inodeAt } = image();
    // Point /a/b's inode's blocks at /'s directory block: the walk would meet /a again.
    const rootBlock = dv.getUint32(inodeAt("/") + 40, true);
    dv.setUint32(inodeAt("/a/b") + 40, rootBlock, true);
    refuse(img, /directory block .* also belongs to another directory|linked from more than one place/);
  });
  it("a directory entry naming a directory twice", () => {
    const { img, dv, inodeAt } = image();
    const x = readExt2(img);
    const ino = x.nodes.find((n) => n.path === "/a")!.ino;
    // Rewrite /a/b's directory entry in /a to point at /a itself.
    const aBlock = dv.getUint32(inodeAt("/a") + 40, true) * 1024;
    let o = 0;
    while (o < 1024) {
      const rl = dv.getUint16(aBlock + o + 4, true);
      if (img[aBlock + o + 6] === 1 && img[aBlock + o + 8] === 0x62) dv.setUint32(aBlock + o, ino, true);
      o += rl;
    }
    refuse(img, /\/a\/b \(inode \d+\): this directory is linked from more than one place \(a loop\)/);
  });
  it("a block pointer outside the filesystem, in the direct and the indirect blocks", () => {
    const a = image();
    a.dv.setUint32(a.inodeAt("/big") + 40 + 4 * 3, 5_000_000, true);
    refuse(a.img, /\/big \(inode \d+\) i_block\[3\]: block 5,000,000 is outside the filesystem \(1\.\.1,023\)/);
    const b = image();
    const ind = b.dv.getUint32(b.inodeAt("/big") + 40 + 4 * 12, true);
    b.dv.setUint32(ind * 1024 + 8, 0xffffffff, true);
    refuse(b.img, /\/big \(inode \d+\) indirect\[2\]: block 4,294,967,295 is outside/);
  });
  it("a huge file size (sparse claims beyond what the image justifies)", () => {
    const { img, dv, inodeAt } = image();
    dv.setUint32(inodeAt("/big") + 108, 0x100000, true); // i_size_high: 2^52 bytes
    refuse(img, /\/big \(inode \d+\) i_size: .* bytes is more than the .* left to unpack from this image/);
  });
  it("huge counts in the superblock", () => {
    const a = image();
    a.dv.setUint32(1024 + 4, 0xffffffff, true);
    refuse(a.img, /s_blocks_count: 4,294,967,295 blocks of 1,024 bytes is more than the image's 1,048,576 bytes/);
    const b = image();
    b.dv.setUint32(1024 + 0, 0xffffffff, true);
    refuse(b.img, /s_inodes_count: 4,294,967,295 is not 1 groups x \d+ inodes/);
    const c = image();
    c.dv.setUint32(1024 + 40, 0x7fffffff, true);
    refuse(c.img, /s_inodes_per_group: 2,147,483,647 is outside 1\.\.8,192/);
  });
  it("a group descriptor pointing outside the filesystem", () => {
    const { img, dv } = image();
    dv.setUint32(2048 + 8, 1_000_000, true);
    refuse(img, /group 0 bg_inode_table: blocks 1,000,000\.\..* are outside the filesystem/);
  });
  it("a bad directory entry length", () => {
    const { img, dv, inodeAt } = image();
    const blk = dv.getUint32(inodeAt("/a") + 40, true);
    dv.setUint16(blk * 1024 + 4, 3, true);
    refuse(img, /\/a block \d+ offset 0 rec_len: 3 is not a multiple of 4 in 8\.\.1024/);
  });
  it("a truncated image and a foreign feature", () => {
    const { img } = image();
    refuse(
      img.subarray(0, 500 * 1024),
      /s_blocks_count: 1,024 blocks of 1,024 bytes is more than the image.s 512,000 bytes \(truncated image\?\)/,
    );
    const b = image();
    b.dv.setUint32(1024 + 96, 0x0042, true); // filetype + extent
    refuse(b.img, /s_feature_incompat: 0x42 has features an ext2 reader cannot read \(extent\)/);
  });
  it("not an image at all: inspect says so", () => {
    expect(() => inspect(new Uint8Array(4096))).toThrow(/not a looproot image: 4,096 bytes that are neither/);
  });
});
