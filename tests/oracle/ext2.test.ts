// The ext2 writer against e2fsprogs: e2fsck -fn must be silent, debugfs must read back the
// tree we wrote, dumpe2fs and blkid must agree on the superblock.

import { thrownLooproot } from "../unit/thrown.ts";
import { ErrorCode } from "../../src/errors.ts";
import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import fc from "fast-check";
import { makeExt2, ext2Needs, type Ext2Options } from "../../src/fs/ext2/index.ts";
import type { Tree } from "../../src/fs/tree.ts";
import { T, UUID, UUID_STR, HOWTO, bytes, dir, file, link, dev, howtoInitrd, metaArbs } from "./ext2-fixtures.ts";
import { readExt2, diffTrees, linkCounts, scratchDir } from "./ext2-read.ts";
import { applyDeviceTable } from "../../src/fs/devtable.ts";

const scratch = scratchDir("ext2-test-");
const write = scratch.write;

/** e2fsck -fn: exit status and output; clean means status 0 and no problem lines. */
function fsck(image: string): { status: number; out: string } {
  const r = spawnSync("e2fsck", ["-fn", image], { encoding: "utf8" });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function expectClean(image: string) {
  const r = fsck(image);
  const noise = r.out.split("\n").filter((l) => l && !/^(e2fsck \d|Pass \d:|.*: \d+\/\d+ files \()/.test(l));
  expect({ status: r.status, noise }).toEqual({ status: 0, noise: [] });
}

function freeAfter(image: string): void {
  fs.rmSync(image, { force: true });
}

function roundTrip(tree: Tree, opts: Ext2Options): string {
  const image = write(makeExt2(tree, opts));
  expectClean(image);
  expect(diffTrees(tree, readExt2(image))).toEqual([]);
  return image;
}

describe("ext2: the HOWTO's initrd (mke2fs -i 1024 -b 1024 -m 5, 1024 KiB)", () => {
  it("is clean, reads back identically, and the superblock says what mke2fs would", () => {
    const image = roundTrip(howtoInitrd(), HOWTO);
    const h = execFileSync("dumpe2fs", ["-h", image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(h)?.[1].trim();
    expect(field("Block size")).toBe("1024");
    expect(field("Block count")).toBe("1024");
    expect(field("Inode count")).toBe("1024"); // -i 1024 on 1 MiB, as mke2fs gives
    expect(field("Reserved block count")).toBe("51"); // 5% of 1024
    expect(field("Filesystem volume name")).toBe("initrd");
    expect(field("Filesystem UUID")).toBe(UUID_STR);
    expect(field("Filesystem revision #")).toBe("1 (dynamic)");
    expect(field("Filesystem state")).toBe("clean");
    expect(field("Errors behavior")).toBe("Continue");
    expect(field("Filesystem OS type")).toBe("Linux");
    expect(field("Maximum mount count")).toBe("-1");
    expect(field("First inode")).toBe("11");
    expect(field("Inode size")).toBe("128");
    expect(field("Filesystem features")).toBe("ext_attr filetype sparse_super");
    const blk = execFileSync("blkid", ["-p", "-o", "export", image], { encoding: "utf8" });
    expect(blk).toMatch(/^TYPE=ext2$/m);
    expect(blk).toMatch(new RegExp(`^UUID=${UUID_STR}$`, "m"));
    expect(blk).toMatch(/^LABEL=initrd$/m);
    // lost+found as mke2fs makes it: 12 blocks of 1 KiB, root's, 0700.
    const lpf = execFileSync("debugfs", ["-R", "stat /lost+found", image], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(lpf).toMatch(/Mode:\s+0700/);
    expect(lpf).toMatch(/User:\s+0\s+Group:\s+0\s+Project:\s+0\s+Size: 12288|User:\s+0\s+Group:\s+0\s+Size: 12288/);
    // The setuid mount and the device numbers, as debugfs shows them.
    const ls = execFileSync("debugfs", ["-R", "ls -l /bin", image], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(ls).toMatch(/104755\s+\(1\)\s+0\s+0\s+28216\s.*mount/);
    const devs = execFileSync("debugfs", ["-R", "stat /dev/hda1", image], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(devs).toMatch(/Type: block special\s+Mode:\s+0644/);
    expect(devs).toMatch(/Device major\/minor number: 03:01/);
    const links = linkCounts(image, ["/", "/bin", "/lost+found", "/bin/mount"]);
    expect([...links.values()]).toEqual([8, 2, 2, 1]);
    freeAfter(image);
  });

  it("ext2Needs gives the smallest size that works", () => {
    const { time, uuid, blockSize, bytesPerInode, reservedPercent } = HOWTO;
    const need = ext2Needs(howtoInitrd(), { time, uuid, blockSize, bytesPerInode, reservedPercent });
    expect(need.minBytes % 1024).toBe(0);
    expect(need.minBytes).toBeLessThan(HOWTO.sizeBytes);
    const image = write(makeExt2(howtoInitrd(), { ...HOWTO, sizeBytes: need.minBytes }));
    expectClean(image);
    freeAfter(image);
    expect(() => makeExt2(howtoInitrd(), { ...HOWTO, sizeBytes: need.minBytes - 1024 })).toThrow(
      `ext2 sizeBytes: ${(need.minBytes - 1024).toLocaleString("en-US")} bytes is too small for the tree: needs at least ${need.minBytes.toLocaleString("en-US")} bytes`,
    );
  });
});

describe("ext2: block sizes, groups, large files and directories", () => {
  for (const blockSize of [1024, 2048, 4096] as const) {
    for (const inodeSize of [128, 256] as const) {
      it(`${blockSize}-byte blocks, ${inodeSize}-byte inodes`, () => {
        const tree: Tree = [
          ...howtoInitrd(),
          file("/big", bytes(blockSize * 12 + (blockSize / 4) * blockSize + 3 * blockSize + 17, 9)), // into double indirection
          file("/empty", new Uint8Array(0)),
          file("/exact", bytes(blockSize, 10)),
          link("/slow", "/" + "a/".repeat(40) + "end"),
          { ...dev("/dev/new", "chardev", 300, 70000), uid: 100000, gid: 65537 },
        ];
        const image = roundTrip(tree, { ...HOWTO, sizeBytes: 8 << 20, blockSize, inodeSize });
        freeAfter(image);
      });
    }
  }

  it("64 MiB at 1 KiB blocks: eight groups with sparse superblock backups, 3 MB of files", () => {
    const tree: Tree = [dir("/data")];
    for (let i = 0; i < 30; i++) tree.push(file(`/data/f${i}`, bytes(100_000 + i, 100 + i)));
    const opts = { ...HOWTO, sizeBytes: 64 << 20, label: "rootfs" };
    // Speed is measured by `npm run bench`, not here: timings on a shared machine are noise.
    const img = makeExt2(tree, opts);
    const image = write(img);
    expectClean(image);
    expect(diffTrees(tree, readExt2(image))).toEqual([]);
    const d = execFileSync("dumpe2fs", [image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(d.match(/^Group \d+:/gm)!.length).toBe(8);
    // sparse_super: backups in groups 1, 3, 5 and 7 only.
    expect(d.match(/Backup superblock at (\d+)/g)!.map((s) => +s.split(" ").pop()!)).toEqual([
      8193, 24577, 40961, 57345,
    ]);
    freeAfter(image);
  });

  it("a too-small last group is cut off like mke2fs does; a usable one is kept", () => {
    const dump = (image: string) =>
      execFileSync("dumpe2fs", ["-h", image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    // 16 MiB + 20 KiB: the third group would hold 20 blocks, fewer than its metadata plus 50.
    const cut = write(makeExt2(howtoInitrd(), { ...HOWTO, bytesPerInode: 4096, sizeBytes: (16 << 20) + 20 * 1024 }));
    expectClean(cut);
    expect(dump(cut)).toMatch(/^Block count:\s+16385$/m);
    freeAfter(cut);
    // 17 MiB: the third group has 1,023 blocks and stays.
    const kept = write(makeExt2(howtoInitrd(), { ...HOWTO, bytesPerInode: 4096, sizeBytes: 17 << 20 }));
    expectClean(kept);
    expect(dump(kept)).toMatch(/^Block count:\s+17408$/m);
    expect(diffTrees(howtoInitrd(), readExt2(kept))).toEqual([]);
    freeAfter(kept);
  });

  it("a file reaching triple indirection at 1 KiB blocks", () => {
    // 12 + 256 + 65,536 blocks are mapped without triple indirection; go 300 blocks past that.
    const n = (12 + 256 + 65536 + 300) * 1024 + 123;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i += 1024) ((data[i] = (i >>> 10) & 0xff), (data[i + 1] = (i >>> 18) & 0xff)); // each block tagged
    data[n - 1] = 0xee;
    const tree: Tree = [file("/huge", data)];
    const { sizeBytes: _, ...rest } = HOWTO;
    const need = ext2Needs(tree, { ...rest, bytesPerInode: 65536 });
    const image = write(makeExt2(tree, { ...HOWTO, bytesPerInode: 65536, sizeBytes: need.minBytes }));
    expectClean(image);
    const stat = execFileSync("debugfs", ["-R", "stat /huge", image], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(stat).toMatch(/\(TIND\)/);
    expect(stat).toMatch(new RegExp(`Size: ${n}\\b`));
    const back = scratch.unique("huge", ".out");
    execFileSync("debugfs", ["-R", `dump /huge ${back}`, image], { stdio: "ignore" });
    expect(Buffer.compare(fs.readFileSync(back), Buffer.from(data.buffer, data.byteOffset, data.length))).toBe(0);
    fs.rmSync(back);
    freeAfter(image);
  });

  it("a directory of thousands of entries and a file with many hard links", () => {
    const tree: Tree = [dir("/wide"), dir("/links"), file("/links/orig", bytes(3000, 7))];
    for (let i = 0; i < 4000; i++) tree.push(file(`/wide/entry-with-a-longish-name-${i}`, bytes(i % 50, i)));
    for (let i = 0; i < 1500; i++)
      tree.push({ path: `/links/l${i}`, kind: "hardlink", mode: 0, uid: 0, gid: 0, mtime: T, target: "/links/orig" });
    for (let i = 0; i < 300; i++)
      tree.push({
        path: `/wide/h${i}`,
        kind: "hardlink",
        mode: 0,
        uid: 0,
        gid: 0,
        mtime: T,
        target: `/wide/entry-with-a-longish-name-${i}`,
      });
    const image = roundTrip(tree, { ...HOWTO, sizeBytes: 8 << 20 });
    expect(linkCounts(image, ["/links/orig", "/wide/entry-with-a-longish-name-5"]).get("/links/orig")).toBe(1501);
    freeAfter(image);
  });
});

describe("ext2: device nodes from a genext2fs-style device table", () => {
  it("the HOWTO's /dev without mknod or root", () => {
    const table = [
      "/dev d 755 0 0 - - - - -",
      "/dev/hda b 644 0 0 3 0 - - -",
      "/dev/hda b 644 0 0 3 1 1 1 3",
      "/dev/loop b 644 0 0 7 0 0 1 2",
      "/dev/null c 644 0 0 1 3 - - -",
      "/dev/tty c 644 0 0 5 0 - - -",
      "/dev/tty c 644 0 0 4 1 1 1 1",
      "/dev/zero c 644 0 0 1 5 - - -",
      "/dev/sdq c 600 0 6 259 300000 - - -",
    ].join("\n");
    const tree = applyDeviceTable([dir("/")], table, T);
    const image = roundTrip(tree, HOWTO);
    const back = readExt2(image)
      .filter((e) => e.path.startsWith("/dev/"))
      .map((e) => `${e.path} ${e.major},${e.minor}`);
    expect(back).toEqual([
      "/dev/hda 3,0",
      "/dev/hda1 3,1",
      "/dev/hda2 3,2",
      "/dev/hda3 3,3",
      "/dev/loop0 7,0",
      "/dev/loop1 7,1",
      "/dev/null 1,3",
      "/dev/sdq 259,300000",
      "/dev/tty 5,0",
      "/dev/tty1 4,1",
      "/dev/zero 1,5",
    ]);
    freeAfter(image);
  });
});

describe("ext2: determinism", () => {
  it("the same input gives the same bytes; another uuid changes only s_uuid and s_hash_seed", () => {
    const opts = { ...HOWTO, sizeBytes: 40 << 20 }; // five groups: superblock copies in groups 0, 1, 3
    const a = makeExt2(howtoInitrd(), opts);
    const b = makeExt2(howtoInitrd(), opts);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    const uuid2 = UUID.slice();
    uuid2[0] ^= 0xff;
    const c = makeExt2(howtoInitrd(), { ...opts, uuid: uuid2 });
    const allowed = (off: number) => {
      for (const sbStart of [1024, 8193 * 1024, 24577 * 1024]) {
        const r = off - sbStart;
        if ((r >= 104 && r < 120) || (r >= 236 && r < 252)) return true; // s_uuid, s_hash_seed
      }
      return false;
    };
    const diffs: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== c[i]) diffs.push(i);
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.filter((o) => !allowed(o))).toEqual([]);
  });
});

describe("ext2: bad inputs are refused before any work", () => {
  const t = howtoInitrd();
  const cases: [string, Partial<Ext2Options>, string][] = [
    ["label too long", { label: "a-label-of-20-bytes!" }, "ext2 label: 20 bytes exceeds 16"],
    ["block size", { blockSize: 512 as 1024 }, "ext2 blockSize: 512 is not one of 1024, 2048, 4096"],
    [
      "too many blocks",
      { sizeBytes: 2 ** 42 + 1024 * 5 },
      "ext2 sizeBytes: 4,398,046,516,224 bytes is 4,294,967,301 blocks of 1024, beyond the 4,294,967,295-block limit",
    ],
    [
      "size too small",
      { sizeBytes: 100 * 1024 },
      "ext2 sizeBytes: 102,400 bytes is too small for the tree: needs at least",
    ],
    ["zero size", { sizeBytes: 0 }, "ext2 sizeBytes: 0 is not a positive whole number of bytes"],
    ["uuid length", { uuid: new Uint8Array(15) }, "ext2 uuid: must be 16 bytes, got 15"],
    ["reserved", { reservedPercent: 60 }, "ext2 reservedPercent: 60 is outside 0..50"],
    ["inode ratio", { bytesPerInode: 512 }, "ext2 bytesPerInode: 512 is outside 1,024..67,108,864"],
    ["inode size", { inodeSize: 512 as 128 }, "ext2 inodeSize: 512 is not 128 or 256"],
    ["time", { time: -1 }, "ext2 time: -1 is outside 0..2,147,483,647 seconds"],
  ];
  for (const [name, patch, msg] of cases) {
    it(name, () => expect(() => makeExt2(t, { ...HOWTO, ...patch })).toThrow(msg));
  }
  it("a symlink longer than a block can hold", () => {
    const e = thrownLooproot(() => makeExt2([link("/l", "x".repeat(1024))], HOWTO));
    expect([e.code, e.limit, e.data.path]).toEqual([ErrorCode.Tree, 1023, "/l"]);
  });
  it("too many inodes for the size", () => {
    const tree: Tree = [];
    for (let i = 0; i < 300; i++) tree.push(file(`/f${i}`, new Uint8Array(0)));
    expect(() => makeExt2(tree, { ...HOWTO, sizeBytes: 256 * 1024, bytesPerInode: 4096 })).toThrow(
      /^ext2 sizeBytes: 262,144 bytes is too small for the tree: needs at least 1,2\d\d,\d\d\d bytes$/,
    );
    expect(thrownLooproot(() => makeExt2(tree, { ...HOWTO, sizeBytes: 256 * 1024, bytesPerInode: 4096 })).code).toBe(
      ErrorCode.Limit,
    );
  });
  it("a /lost+found that is not a directory", () => {
    const e = thrownLooproot(() => makeExt2([file("/lost+found", new Uint8Array(1))], HOWTO));
    expect([e.code, e.data.path]).toEqual([ErrorCode.Tree, "/lost+found"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Random trees.

const nameChars = fc.constantFrom(
  ..."abcxyzABZ0189._- ~'\"\\$*?[]{}#%&()=+,;:@^`|<>éü日本\u00a0\u2603\t\x01\x7f".split(""),
);
const nameArb = fc
  .string({ unit: nameChars, minLength: 1, maxLength: 20 })
  .filter((n) => n !== "." && n !== ".." && n !== "lost+found");
const longName = fc.integer({ min: 200, max: 255 }).map((n) => "n".repeat(n));

function sizeArb(B: number) {
  return fc.oneof(
    fc.constantFrom(0, 1, B - 1, B, B + 1, 12 * B, 12 * B + 1, (12 + B / 4) * B, (12 + B / 4) * B + 1),
    fc.integer({ min: 0, max: 40_000 }),
  );
}

type Spec = {
  name: string;
  kind: "file" | "dir" | "symlink" | "hardlink" | "chardev" | "blockdev" | "fifo" | "socket";
  size: number;
  target: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  major: number;
  minor: number;
  children: Spec[];
  linkPick: number;
};

function specArb(B: number) {
  const leaf = fc.record({
    name: fc.oneof({ weight: 9, arbitrary: nameArb }, { weight: 1, arbitrary: longName }),
    kind: fc.constantFrom(
      "file",
      "file",
      "file",
      "symlink",
      "hardlink",
      "chardev",
      "blockdev",
      "fifo",
      "socket",
    ) as fc.Arbitrary<Spec["kind"]>,
    size: sizeArb(B),
    target: fc.oneof(
      fc.string({ unit: nameChars, minLength: 1, maxLength: 59 }),
      fc.string({ unit: nameChars, minLength: 60, maxLength: Math.min(B - 1, 400) }),
    ),
    ...metaArbs,
    linkPick: fc.nat(),
    children: fc.constant([] as Spec[]),
  });
  const { node } = fc.letrec<{ node: Spec }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 3, arbitrary: leaf },
      {
        weight: 1,
        arbitrary: fc
          .tuple(leaf, fc.uniqueArray(tie("node"), { maxLength: 12, selector: (s) => s.name }))
          .map(([l, children]) => ({ ...l, kind: "dir" as const, children })),
      },
    ),
  }));
  return fc.uniqueArray(node, { minLength: 1, maxLength: 10, selector: (s) => s.name });
}

function buildTree(top: Spec[], wide: number): Tree {
  const tree: Tree = [dir("/", 0o755)];
  const files: string[] = [];
  const later: [string, Spec][] = [];
  const walk = (parent: string, specs: Spec[]) => {
    for (const s of specs) {
      const p = `${parent === "/" ? "" : parent}/${s.name}`;
      const base = { path: p, mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime };
      switch (s.kind) {
        case "dir":
          tree.push({ ...base, kind: "dir" });
          walk(p, s.children);
          break;
        case "file":
          tree.push({ ...base, kind: "file", data: bytes(s.size, s.mtime) });
          files.push(p);
          break;
        case "symlink":
          tree.push({ ...base, kind: "symlink", target: s.target });
          break;
        case "hardlink":
          later.push([p, s]);
          break;
        case "chardev":
        case "blockdev":
          tree.push({ ...base, kind: s.kind, major: s.major, minor: s.minor });
          break;
        case "fifo":
        case "socket":
          tree.push({ ...base, kind: s.kind });
          break;
      }
    }
  };
  walk("/", top);
  // A wide directory, sometimes.
  if (wide > 0) {
    tree.push(dir("/wide"));
    for (let i = 0; i < wide; i++) tree.push(file(`/wide/${"w".repeat(i % 40)}${i}`, new Uint8Array(0)));
  }
  for (const [p, s] of later) {
    if (files.length === 0) tree.push({ path: p, kind: "fifo", mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime });
    else
      tree.push({
        path: p,
        kind: "hardlink",
        mode: 0,
        uid: 0,
        gid: 0,
        mtime: 0,
        target: files[s.linkPick % files.length],
      });
  }
  return tree;
}

describe("ext2: random trees (property-based)", () => {
  it("e2fsck is clean and debugfs reads back the tree", () => {
    const arb = fc.constantFrom(1024, 2048, 4096).chain((B) =>
      fc.record({
        B: fc.constant(B as 1024 | 2048 | 4096),
        specs: specArb(B),
        wide: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 1500 })),
        inodeSize: fc.constantFrom(128, 256) as fc.Arbitrary<128 | 256>,
        bytesPerInode: fc.constantFrom(1024, 4096, 16384),
        slack: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 << 20 })),
        label: fc.string({ unit: fc.constantFrom(..."ABCxyz019 _-".split("")), maxLength: 16 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ B, specs, wide, inodeSize, bytesPerInode, slack, label }) => {
        const tree = buildTree(specs, wide);
        const base = { blockSize: B, inodeSize, bytesPerInode, uuid: UUID, time: T, label };
        const need = ext2Needs(tree, base);
        const image = write(makeExt2(tree, { ...base, sizeBytes: need.minBytes + slack }));
        expectClean(image);
        expect(diffTrees(tree, readExt2(image))).toEqual([]);
        freeAfter(image);
        // ext2Needs is the least size: one block less does not fit.
        expect(() => makeExt2(tree, { ...base, sizeBytes: need.minBytes - B })).toThrow(/is too small for the tree/);
      }),
      { numRuns: 25, seed: 20261124 },
    );
  });
});
