// The Linux kernel as a second reader of the ext2 writer's images: mount read-only through a
// loop device and walk the tree with lstat. Needs root and loop devices; skipped elsewhere
// (debugfs in ext2.test.ts covers the same ground without them).

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";
import { diffTrees, scratchBase } from "./ext2-read.ts";
import { HOWTO, T, bytes, dir, file, link, dev, howtoInitrd } from "./ext2-fixtures.ts";

let tmp: string;
let canMount = false;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(scratchBase(), "ext2-kernel-"));
  if (process.getuid?.() !== 0) return;
  const img = path.join(tmp, "probe.img");
  fs.writeFileSync(img, makeExt2([], HOWTO));
  const mnt = fs.mkdtempSync(path.join(tmp, "mnt-"));
  canMount = spawnSync("mount", ["-o", "loop,ro", "-t", "ext2", img, mnt]).status === 0;
  if (canMount) spawnSync("umount", [mnt]);
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The tree under a mount point, as the kernel reports it (hard links grouped by inode). */
function walk(root: string): Tree {
  const tree: Tree = [];
  const seen = new Map<number, string>();
  const visit = (rel: string) => {
    const host = path.join(root, rel);
    const st = fs.lstatSync(host);
    const base = {
      path: rel === "" ? "/" : rel,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    let e: TreeEntry;
    if (st.isDirectory()) {
      tree.push({ ...base, kind: "dir" });
      for (const name of fs.readdirSync(host).sort()) visit(`${rel}/${name}`);
      return;
    } else if (st.isFile()) {
      if (seen.has(st.ino)) e = { ...base, kind: "hardlink", target: seen.get(st.ino)! };
      else {
        seen.set(st.ino, base.path);
        e = { ...base, kind: "file", data: new Uint8Array(fs.readFileSync(host)) };
      }
    } else if (st.isSymbolicLink()) e = { ...base, kind: "symlink", target: fs.readlinkSync(host) };
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      // Linux's dev_t as glibc splits it: major bits 8..19, minor bits 0..7 and 20..31.
      const major = (st.rdev >>> 8) & 0xfff,
        minor = (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00);
      e = { ...base, kind: st.isCharacterDevice() ? "chardev" : "blockdev", major, minor };
    } else if (st.isFIFO()) e = { ...base, kind: "fifo" };
    else e = { ...base, kind: "socket" };
    tree.push(e);
  };
  visit("");
  return tree;
}

function throughKernel(tree: Tree, sizeBytes: number, blockSize: 1024 | 2048 | 4096 = 1024): string[] {
  const img = path.join(tmp, "k.img");
  fs.writeFileSync(img, makeExt2(tree, { ...HOWTO, sizeBytes, blockSize }));
  const mnt = fs.mkdtempSync(path.join(tmp, "mnt-"));
  const m = spawnSync("mount", ["-o", "loop,ro", "-t", "ext2", img, mnt], { encoding: "utf8" });
  expect(m.stderr).toBe("");
  try {
    return diffTrees(tree, walk(mnt));
  } finally {
    spawnSync("umount", [mnt]);
    fs.rmSync(img);
  }
}

describe("ext2: the Linux kernel mounts the images and sees the tree", () => {
  it("the HOWTO's initrd", ({ skip }) => {
    if (!canMount) skip();
    expect(throughKernel(howtoInitrd(), HOWTO.sizeBytes)).toEqual([]);
  });

  it("large files, slow symlinks, new-style device numbers, big uids, hard links, wide directories", ({ skip }) => {
    if (!canMount) skip();
    for (const blockSize of [1024, 2048, 4096] as const) {
      const tree: Tree = [
        dir("/"),
        dir("/d"),
        dir("/w"),
        file("/d/big", bytes(blockSize * (12 + blockSize / 4) + 5 * blockSize + 1, 3)),
        link("/d/slow", "x/".repeat(60)),
        { ...dev("/d/c", "chardev", 300, 70000), uid: 100000, gid: 70000 },
        { path: "/d/fifo", kind: "fifo", mode: 0o1600, uid: 5, gid: 6, mtime: T },
        { path: "/d/sock", kind: "socket", mode: 0o2755, uid: 5, gid: 6, mtime: T },
      ];
      for (let i = 0; i < 700; i++) tree.push(file(`/w/name-${i}`, bytes(i, i), 0o640));
      for (let i = 0; i < 50; i++)
        tree.push({ path: `/w/hl${i}`, kind: "hardlink", mode: 0, uid: 0, gid: 0, mtime: T, target: "/d/big" });
      expect(throughKernel(tree, 16 << 20, blockSize)).toEqual([]);
    }
  });
});
