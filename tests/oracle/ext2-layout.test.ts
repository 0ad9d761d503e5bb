// The ext2 writer's layout against mke2fs itself: for the same size and options, dumpe2fs must
// report the same group geometry, inode counts, reserved and free counts.

import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import { scratchDir } from "./ext2-read.ts";
import { T, UUID, HOWTO, howtoInitrd } from "./ext2-fixtures.ts";

const scratch = scratchDir("ext2-layout-");
const write = scratch.write;
const freeAfter = (p: string) => fs.rmSync(p, { force: true });

describe("ext2: the same layout as mke2fs -t ext2 -O ^resize_inode,^dir_index,^large_file", () => {
  const keys = [
    "Block count",
    "Blocks per group",
    "Inode count",
    "Inodes per group",
    "Inode blocks per group",
    "Reserved block count",
    "First block",
    "Free blocks",
    "Free inodes",
  ];
  const header = (image: string) => {
    const h = execFileSync("dumpe2fs", ["-h", image], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return Object.fromEntries(keys.map((k) => [k, new RegExp(`^${k}:\\s+(.*)$`, "m").exec(h)?.[1]]));
  };
  const mke2fs = (sizeBytes: number, b: number, i: number, isz: number, m: number, from?: string) => {
    const image = scratch.unique("mke2fs");
    fs.writeFileSync(image, new Uint8Array(0));
    fs.truncateSync(image, sizeBytes);
    execFileSync(
      "mke2fs",
      [
        "-q",
        "-F",
        "-t",
        "ext2",
        "-O",
        "^resize_inode,^dir_index,^large_file",
        "-I",
        String(isz),
        "-b",
        String(b),
        "-i",
        String(i),
        "-m",
        String(m),
        ...(from ? ["-d", from] : []),
        image,
      ],
      { stdio: "ignore", env: { ...process.env, MKE2FS_CONFIG: "/etc/mke2fs.conf" } },
    );
    return image;
  };
  // The HOWTO's 1 MiB, multi-group sizes, a last group cut off, s_blocks_per_group shrunk
  // because a group would need more than a bitmap of inodes, inode ratios below the block size.
  const cases: [number, 1024 | 2048 | 4096, number, 128 | 256, number][] = [
    [1 << 20, 1024, 1024, 128, 5],
    [1 << 20, 1024, 1024, 256, 5],
    [64 << 20, 1024, 4096, 128, 5],
    [(16 << 20) + 20 * 1024, 1024, 1024, 128, 5],
    [17 << 20, 1024, 4096, 256, 3],
    [30801920, 2048, 1024, 128, 5],
    [36569088, 2048, 1024, 256, 5],
    [13565952, 4096, 1024, 128, 10],
    [100 << 20, 1024, 4096, 128, 0],
    [130 << 20, 4096, 16384, 256, 5],
  ];
  for (const [size, b, i, isz, m] of cases) {
    it(`${size.toLocaleString("en-US")} bytes, -b ${b} -i ${i} -I ${isz} -m ${m}`, () => {
      const ours = write(
        makeExt2([], {
          sizeBytes: size,
          blockSize: b,
          bytesPerInode: i,
          inodeSize: isz,
          reservedPercent: m,
          uuid: UUID,
          time: T,
        }),
      );
      const theirs = mke2fs(size, b, i, isz, m);
      expect(header(ours)).toEqual(header(theirs));
      const fsck = spawnSync("e2fsck", ["-fn", ours], { encoding: "utf8" });
      expect({
        status: fsck.status,
        out: fsck.stdout.split("\n").filter((l) => /^[A-Z].*[?!.]$|\berror\b/i.test(l) && !/^Pass \d/.test(l)),
      }).toEqual({ status: 0, out: [] });
      freeAfter(ours);
      freeAfter(theirs);
    });
  }
  it("the HOWTO's initrd files (without device nodes) take the same blocks and inodes as mke2fs -d", () => {
    const tree = howtoInitrd().filter((e) => e.kind !== "blockdev" && e.kind !== "chardev");
    const src = scratch.unique("src-", "");
    fs.mkdirSync(src);
    for (const e of tree) {
      const p = path.join(src, e.path);
      if (e.kind === "dir") fs.mkdirSync(p, { recursive: true });
      else if (e.kind === "file") fs.writeFileSync(p, e.data!);
      else if (e.kind === "symlink") fs.symlinkSync(e.target!, p);
    }
    const ours = write(makeExt2(tree, HOWTO));
    const theirs = mke2fs(HOWTO.sizeBytes, 1024, 1024, 128, 5, src);
    expect(header(ours)).toEqual(header(theirs));
    freeAfter(ours);
    freeAfter(theirs);
  });
});
