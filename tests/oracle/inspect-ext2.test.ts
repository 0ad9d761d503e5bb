// The ext2 reader (src/fs/ext2/read.ts) against e2fsprogs: for random trees written by our writer
// and for images made by `mke2fs -d`, the tree it reads equals what debugfs lists and dumps, and
// its group layout equals dumpe2fs's.

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeExt2, ext2Needs } from "../../src/fs/ext2/index.ts";
import { readExt2 as readOurs, type Ext2Image } from "../../src/fs/ext2/index.ts";
import { ext2Map, inspect } from "../../src/fs/views/maps.ts";
import { LooprootError } from "../../src/errors.ts";
import { rng, mutate } from "../unit/inspect-mutate.ts";
import type { Tree } from "../../src/fs/tree.ts";
import { readExt2 as readDebugfs, diffTrees, scratchDir, scratchBase } from "./ext2-read.ts";
import { bytes, dir, UUID, T, metaArbs } from "./ext2-fixtures.ts";

const scratch = scratchDir("inspect-ext2-");

/** dumpe2fs's group lines, as numbers: the layout the reader must report. */
function dumpe2fsGroups(image: string) {
  const out = execFileSync("dumpe2fs", [image], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 1 << 28,
  });
  const head = (k: string) => {
    const m = new RegExp(`^${k}:\\s+(\\S+)`, "m").exec(out);
    return m ? m[1] : undefined;
  };
  const groups: {
    first: number;
    last: number;
    sb?: number;
    gdt?: [number, number];
    rsv?: [number, number];
    bbm: number;
    ibm: number;
    itab: [number, number];
    freeBlocks: number;
    freeInodes: number;
  }[] = [];
  for (const chunk of out.split(/^Group /m).slice(1)) {
    const r = (re: RegExp) => re.exec(chunk);
    const blocks = r(/\(Blocks (\d+)-(\d+)\)/)!;
    const sb = r(/superblock at (\d+)/);
    const gdt = r(/Group descriptors at (\d+)-(\d+)/);
    const rsv = r(/Reserved GDT blocks at (\d+)-(\d+)/);
    const itab = r(/Inode table at (\d+)-(\d+)/)!;
    const free = r(/(\d+) free blocks, (\d+) free inodes/)!;
    groups.push({
      first: +blocks[1],
      last: +blocks[2],
      ...(sb ? { sb: +sb[1] } : {}),
      ...(gdt ? { gdt: [+gdt[1], +gdt[2]] as [number, number] } : {}),
      ...(rsv ? { rsv: [+rsv[1], +rsv[2]] as [number, number] } : {}),
      bbm: +r(/Block bitmap at (\d+)/)![1],
      ibm: +r(/Inode bitmap at (\d+)/)![1],
      itab: [+itab[1], +itab[2]],
      freeBlocks: +free[1],
      freeInodes: +free[2],
    });
  }
  return {
    groups,
    blockSize: +head("Block size")!,
    blocks: +head("Block count")!,
    inodes: +head("Inode count")!,
    freeBlocks: +head("Free blocks")!,
    freeInodes: +head("Free inodes")!,
    uuid: head("Filesystem UUID")!,
  };
}

function expectLayoutMatches(x: Ext2Image, image: string) {
  const d = dumpe2fsGroups(image);
  const L = x.layout;
  expect({
    blockSize: L.blockSize,
    blocks: L.blocksCount,
    inodes: L.inodesCount,
    freeBlocks: L.freeBlocks,
    freeInodes: L.freeInodes,
    uuid: L.uuid,
  }).toEqual({
    blockSize: d.blockSize,
    blocks: d.blocks,
    inodes: d.inodes,
    freeBlocks: d.freeBlocks,
    freeInodes: d.freeInodes,
    uuid: d.uuid,
  });
  const ours = L.groups.map((g) => ({
    first: g.firstBlock,
    last: g.lastBlock,
    ...(g.hasSuperblock
      ? { sb: g.firstBlock, gdt: [g.firstBlock + 1, g.firstBlock + g.gdtBlocks] as [number, number] }
      : {}),
    ...(g.reservedGdtBlocks
      ? { rsv: [g.firstBlock + 1 + g.gdtBlocks, g.firstBlock + g.gdtBlocks + g.reservedGdtBlocks] as [number, number] }
      : {}),
    bbm: g.blockBitmap,
    ibm: g.inodeBitmap,
    itab: [g.inodeTable, g.inodeTable + g.inodeTableBlocks - 1] as [number, number],
    freeBlocks: g.freeBlocks,
    freeInodes: g.freeInodes,
  }));
  expect(ours).toEqual(d.groups);
  // The map's regions say the same: each group's children lie inside it and do not overlap, and
  // the free stretches are the descriptor's free count, the rest is metadata and used data.
  const regions = ext2Map(x, "3.4");
  for (const [i, g] of regions.filter((r) => r.kind === "group").entries()) {
    const kids = g.children!;
    for (let k = 1; k < kids.length; k++) expect(kids[k].start).toBeGreaterThanOrEqual(kids[k - 1].end);
    const count = (free: boolean) =>
      kids.filter((r) => (r.kind === "free") === free).reduce((s, r) => s + (r.last - r.first + 1), 0);
    expect(count(false) + L.groups[i].freeBlocks).toBe(g.last - g.first + 1);
    expect(count(true)).toBe(L.groups[i].freeBlocks);
  }
}

// ---------------------------------------------------------------------------------------------
// Random trees from our writer.

const nameChars = fc.constantFrom(..."abcxyzAZ019._- ~'\"\\$*?[]#%&()=+,;:@|<>éü日本\u2603\t\x01\x7f".split(""));
const nameArb = fc
  .string({ unit: nameChars, minLength: 1, maxLength: 16 })
  .filter((n) => n !== "." && n !== ".." && n !== "lost+found");
type Spec = {
  name: string;
  kind: string;
  size: number;
  target: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  major: number;
  minor: number;
  pick: number;
  children: Spec[];
};

function specArb(B: number) {
  const P = B / 4;
  const leaf = fc.record({
    name: fc.oneof(
      { weight: 9, arbitrary: nameArb },
      { weight: 1, arbitrary: fc.integer({ min: 200, max: 255 }).map((n) => "n".repeat(n)) },
    ),
    kind: fc.constantFrom(
      "file",
      "file",
      "file",
      "sparse",
      "symlink",
      "hardlink",
      "chardev",
      "blockdev",
      "fifo",
      "socket",
    ),
    // Sizes at the edges of direct, single and double indirection.
    size: fc.oneof(
      fc.constantFrom(0, 1, B - 1, B, 12 * B, 12 * B + 1, (12 + P) * B, (12 + P) * B + 1),
      fc.integer({ min: 0, max: 30_000 }),
    ),
    target: fc.oneof(
      fc.string({ unit: nameChars, minLength: 1, maxLength: 59 }),
      fc.string({ unit: nameChars, minLength: 60, maxLength: 300 }),
    ),
    ...metaArbs,
    pick: fc.nat(),
    children: fc.constant([] as Spec[]),
  });
  const { node } = fc.letrec<{ node: Spec }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      { weight: 3, arbitrary: leaf },
      {
        weight: 1,
        arbitrary: fc
          .tuple(leaf, fc.uniqueArray(tie("node"), { maxLength: 10, selector: (s) => s.name }))
          .map(([l, children]) => ({ ...l, kind: "dir", children })),
      },
    ),
  }));
  return fc.uniqueArray(node, { minLength: 1, maxLength: 10, selector: (s) => s.name });
}

function buildTree(top: Spec[]): Tree {
  const tree: Tree = [dir("/", 0o755)];
  const files: string[] = [];
  const later: [string, Spec][] = [];
  const walk = (parent: string, specs: Spec[]) => {
    for (const s of specs) {
      const p = `${parent === "/" ? "" : parent}/${s.name}`;
      const base = { path: p, mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime };
      if (s.kind === "dir") {
        tree.push({ ...base, kind: "dir" });
        walk(p, s.children);
      } else if (s.kind === "file") {
        tree.push({ ...base, kind: "file", data: bytes(s.size, s.mtime) });
        files.push(p);
      }
      // All zeros: the writer may leave holes, the reader must give the zeros back.
      else if (s.kind === "sparse") {
        tree.push({ ...base, kind: "file", data: new Uint8Array(s.size) });
        files.push(p);
      } else if (s.kind === "symlink") tree.push({ ...base, kind: "symlink", target: s.target });
      else if (s.kind === "hardlink") later.push([p, s]);
      else if (s.kind === "chardev" || s.kind === "blockdev")
        tree.push({ ...base, kind: s.kind, major: s.major, minor: s.minor });
      else tree.push({ ...base, kind: s.kind as "fifo" | "socket" });
    }
  };
  walk("/", top);
  for (const [p, s] of later) {
    if (files.length === 0) tree.push({ path: p, kind: "fifo", mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime });
    else
      tree.push({ path: p, kind: "hardlink", mode: 0, uid: 0, gid: 0, mtime: 0, target: files[s.pick % files.length] });
  }
  return tree;
}

describe("ext2 reader: random trees from our writer", () => {
  it("reads back the tree written, the same tree debugfs reads, and dumpe2fs's layout", () => {
    const arb = fc.constantFrom(1024, 2048, 4096).chain((B) =>
      fc.record({
        B: fc.constant(B as 1024 | 2048 | 4096),
        specs: specArb(B),
        inodeSize: fc.constantFrom(128, 256) as fc.Arbitrary<128 | 256>,
        bytesPerInode: fc.constantFrom(1024, 4096),
        slack: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 9 << 20 })),
      }),
    );
    let runs = 0;
    fc.assert(
      fc.property(arb, ({ B, specs, inodeSize, bytesPerInode, slack }) => {
        const tree = buildTree(specs);
        const base = { blockSize: B, inodeSize, bytesPerInode, uuid: UUID, time: T, label: "rand" };
        const img = makeExt2(tree, { ...base, sizeBytes: ext2Needs(tree, base).minBytes + slack });
        const ours = readOurs(img);
        expect(diffTrees(tree, ours.tree)).toEqual([]);
        const file = scratch.write(img);
        expect(diffTrees(readDebugfs(file), ours.tree)).toEqual([]);
        expectLayoutMatches(ours, file);
        fs.rmSync(file);
        runs++;
      }),
      { numRuns: 20, seed: 20261202 },
    );
    expect(runs).toBe(20);
  });
});

// ---------------------------------------------------------------------------------------------
// Images made by mke2fs -d from a real folder.

function mke2fsFromFolder(opts: string[], sizeK: number, fill: (root: string) => void): string {
  const root = fs.mkdtempSync(path.join(scratchBase(), "inspect-src-"));
  try {
    fill(root);
    const img = scratch.unique("mke2fs");
    execFileSync("mke2fs", ["-q", "-F", "-t", "ext2", "-E", "root_owner=0:0", ...opts, "-d", root, img, `${sizeK}k`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, E2FSPROGS_FAKE_TIME: "896000000", MKE2FS_DETERMINISTIC: "1" },
    });
    return img;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function fillFolder(root: string) {
  const w = (p: string, d: Uint8Array | string) => fs.writeFileSync(path.join(root, p), d);
  fs.mkdirSync(path.join(root, "bin"));
  fs.mkdirSync(path.join(root, "dev"));
  fs.mkdirSync(path.join(root, "etc/deep/er/still"), { recursive: true });
  w("bin/busybox", bytes(300_000, 7));
  fs.chmodSync(path.join(root, "bin/busybox"), 0o4755);
  fs.linkSync(path.join(root, "bin/busybox"), path.join(root, "bin/hardlinked"));
  fs.symlinkSync("busybox", path.join(root, "bin/sh"));
  fs.symlinkSync("/" + "long/".repeat(30) + "target", path.join(root, "bin/slow-link"));
  w("etc/deep/er/still/small", "hello\n");
  fs.chownSync(path.join(root, "etc/deep/er/still/small"), 1000, 70000);
  w("empty", "");
  execFileSync("mknod", [path.join(root, "dev/hda1"), "b", "3", "1"]);
  execFileSync("mknod", [path.join(root, "dev/null"), "c", "1", "3"]);
  // Past 8 bits: the new device number encoding in i_block[1].
  execFileSync("mknod", [path.join(root, "dev/big"), "c", "300", "70000"]);
  execFileSync("mkfifo", [path.join(root, "dev/initctl")]);
  // A sparse file whose data reaches the triple indirect block of a 1 KiB-block filesystem.
  const sp = path.join(root, "sparse");
  const fd = fs.openSync(sp, "w");
  fs.writeSync(fd, bytes(5000, 9), 0, 5000, 0);
  fs.writeSync(fd, bytes(3000, 10), 0, 3000, 70 * 1024 * 1024);
  fs.closeSync(fd);
  for (let i = 0; i < 300; i++) w(`etc/f${i}`, bytes(i * 7, i));
}

describe("ext2 reader: images made by mke2fs -d", () => {
  for (const [label, opts] of [
    ["1 KiB blocks, 128-byte inodes", ["-b", "1024", "-I", "128"]],
    ["4 KiB blocks, 256-byte inodes, dir_index", ["-b", "4096", "-I", "256"]],
    ["2 KiB blocks, no resize inode, revision 0", ["-b", "2048", "-r", "0"]],
  ] as const) {
    it(`${label}: the tree equals debugfs's, the layout dumpe2fs's`, () => {
      const img = mke2fsFromFolder([...opts], 8192, fillFolder);
      const ours = readOurs(new Uint8Array(fs.readFileSync(img)), { maxDataBytes: 256 << 20 });
      expect(diffTrees(readDebugfs(img), ours.tree)).toEqual([]);
      expectLayoutMatches(ours, img);
      const byPath = new Map(ours.tree.map((e) => [e.path, e]));
      expect(byPath.get("/dev/big")).toMatchObject({ kind: "chardev", major: 300, minor: 70000 });
      expect(byPath.get("/bin/hardlinked")).toMatchObject({ kind: "hardlink", target: "/bin/busybox" });
      expect(byPath.get("/sparse")!.data!.length).toBe(70 * 1024 * 1024 + 3000);
      expect(byPath.get("/etc/deep/er/still/small")).toMatchObject({ uid: 1000, gid: 70000 });
    });
  }
});

describe("ext2 reader: fuzzed mke2fs -d images", () => {
  // mke2fs's own layout (resize inode, dir_index, 256-byte inodes) mutated: metadata is hot.
  const img = () => {
    const f = mke2fsFromFolder(["-b", "1024", "-I", "256"], 1024, (root) => {
      fs.mkdirSync(path.join(root, "d/e"), { recursive: true });
      fs.writeFileSync(path.join(root, "d/e/f"), bytes(300_000, 3));
      fs.symlinkSync("x".repeat(100), path.join(root, "slow"));
      fs.symlinkSync("f", path.join(root, "fast"));
      for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(root, `d/n${i}`), bytes(i * 50, i));
    });
    const b = new Uint8Array(fs.readFileSync(f));
    fs.rmSync(f);
    return b;
  };
  // Built lazily inside the describe's callback: the scratch folder exists once beforeAll ran.
  let image: Uint8Array | undefined;
  const hot: [number, number][] = [];
  it("prepares the image", () => {
    image = img();
    const x = readOurs(image);
    const g = x.layout.groups[0];
    hot.push([1024, 3072], [g.inodeTable * 1024, (g.inodeTable + g.inodeTableBlocks) * 1024]);
    for (const n of x.nodes)
      if (x.tree.find((e) => e.path === n.path)!.kind === "dir")
        for (const [b, k] of n.runs) hot.push([b * 1024, (b + k) * 1024]);
    const f = x.nodes.find((n) => n.path === "/d/e/f")!;
    for (let i = 1; i < f.runs.length; i++)
      hot.push([(f.runs[i - 1][0] + f.runs[i - 1][1]) * 1024, f.runs[i][0] * 1024]);
  });
  fuzzLazy(
    () => image!,
    () => hot,
    800,
    424242,
  );
});

function fuzzLazy(get: () => Uint8Array, hot: () => [number, number][], count: number, seed: number) {
  it(`${count} mutations end in a result or a LooprootError, each quickly`, () => {
    const r = rng(seed);
    const src = get();
    let ok = 0,
      refused = 0,
      slowest = 0;
    const foreign: string[] = [];
    for (let i = 0; i < count; i++) {
      const m = mutate(src, hot(), r);
      const t0 = performance.now();
      try {
        inspect(m);
        ok++;
      } catch (e) {
        if (e instanceof LooprootError && e.isUserError) refused++;
        else foreign.push(`#${i}: ${(e as Error)?.stack?.split("\n").slice(0, 3).join(" | ")}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    console.log(`mke2fs image: ${ok} read, ${refused} refused, slowest ${slowest.toFixed(1)} ms`);
    expect(foreign.slice(0, 5)).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2000);
  }, 300_000);
}
