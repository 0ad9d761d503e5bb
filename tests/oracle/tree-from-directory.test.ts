// looproot/node's treeFromDirectory against `mke2fs -d` (issue 26): a folder holding every kind of
// entry (owners, set-id bits, times, an empty and a multi-block file, three names of one file,
// short and long symlinks, character and block devices with large numbers, a FIFO, a socket),
// put into ext2 by makeExt2 and by mke2fs, reads back the same through debugfs: kinds, modes,
// owners, times, contents, link targets, device numbers, link counts and sizes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  symlinkSync,
  linkSync,
  chmodSync,
  lchownSync,
  utimesSync,
  lutimesSync,
  rmSync,
  readdirSync,
  lstatSync,
} from "node:fs";
import { join } from "node:path";
import { treeFromDirectory } from "../../src/node/index.ts";
import { makeExt2 } from "../../src/fs/index.ts";
import { LooprootError } from "../../src/index.ts";
import { readExt2 as debugfsTree, diffTrees, scratchBase } from "./ext2-read.ts";

const asRoot = process.getuid?.() === 0;
const SIZE_KIB = 4096;
/** The superblock's and lost+found's time in both images. */
const FAKE_TIME = 1_100_000_000;
let work = "";
let dir = "";

/** Every path under the folder, as the image names it. */
function paths(root: string, at = "/"): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, at)).sort()) {
    const p = at === "/" ? `/${name}` : `${at}/${name}`;
    out.push(p);
    if (lstatSync(join(root, p)).isDirectory()) out.push(...paths(root, p));
  }
  return out;
}

/** What debugfs's stat says of each path: type, mode, owner, size, links, device numbers, mtime. */
function stats(image: string, list: string[]): Record<string, string> {
  const cmds = join(work, "stat.cmds");
  writeFileSync(cmds, list.map((p) => `stat "${p}"`).join("\n") + "\n");
  const out = execFileSync("debugfs", ["-f", cmds, image], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const res: Record<string, string> = {};
  out
    .split(/^Inode: /m)
    .slice(1)
    .forEach((chunk, i) => {
      const pick = (re: RegExp) => re.exec(chunk)?.slice(1).join(" ") ?? "-";
      const type = pick(/Type: (\w+)/);
      res[list[i]] = [
        type,
        pick(/Mode: +(\d+)/),
        pick(/User: +(\d+)/),
        pick(/Group: +(\d+)/),
        // A directory's size is its allocated blocks: mke2fs and makeExt2 may lay them out differently.
        type === "directory" ? "" : `size ${pick(/Size: (\d+)/)}`,
        `links ${pick(/Links: (\d+)/)}`,
        pick(/Device major\/minor number: (\d+):(\d+)/),
        pick(/mtime: (0x[0-9a-f]+)/),
      ].join(" ");
    });
  return res;
}

describe.skipIf(!asRoot)("treeFromDirectory (looproot/node) equals mke2fs -d, by debugfs", () => {
  beforeAll(() => {
    work = mkdtempSync(join(scratchBase(), "library-dir-"));
    dir = join(work, "root");
    const t = (p: string, s: number) => utimesSync(join(dir, p), s, s);
    mkdirSync(join(dir, "etc/deep/er"), { recursive: true });
    mkdirSync(join(dir, "home/user"), { recursive: true });
    mkdirSync(join(dir, "dev"));
    writeFileSync(join(dir, "etc/motd"), "hello\n");
    writeFileSync(join(dir, "etc/empty"), "");
    writeFileSync(
      join(dir, "big"),
      Buffer.alloc(300_000, 7).map((_, i) => (i * 31) & 0xff),
    );
    // chown clears set-id bits, so the mode goes on after the owner.
    lchownSync(join(dir, "big"), 1000, 2000);
    chmodSync(join(dir, "big"), 0o4711);
    writeFileSync(join(dir, "home/user/notes"), "mine\n");
    chmodSync(join(dir, "home/user/notes"), 0o600);
    lchownSync(join(dir, "home/user/notes"), 1000, 1000);
    lchownSync(join(dir, "home/user"), 1000, 1000);
    chmodSync(join(dir, "home/user"), 0o2750);
    linkSync(join(dir, "etc/motd"), join(dir, "etc/deep/motd2"));
    linkSync(join(dir, "etc/motd"), join(dir, "home/motd3"));
    symlinkSync("motd", join(dir, "etc/short"));
    symlinkSync("/" + "long/".repeat(20) + "target", join(dir, "etc/long"));
    lchownSync(join(dir, "etc/short"), 5, 6);
    for (const [name, type, maj, min] of [
      ["console", "c", 5, 1],
      ["loop0", "b", 7, 0],
      ["big", "c", 300, 70000],
    ] as const) {
      execFileSync("mknod", [join(dir, "dev", name), type, String(maj), String(min)]);
    }
    execFileSync("mkfifo", ["-m", "0620", join(dir, "dev/fifo")]);
    execFileSync("python3", [
      "-c",
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(dir, "dev/sock"))})`,
    ]);
    t("etc/motd", 900_000_000);
    t("big", 1_000_000_000);
    lutimesSync(join(dir, "etc/short"), 800_000_000, 800_000_000);
    for (const p of ["etc/deep/er", "etc/deep", "etc", "home/user", "home", "dev"]) t(p, 1_050_000_000);
    // mke2fs -d leaves "/" with the filesystem's creation time (E2FSPROGS_FAKE_TIME below), where
    // treeFromDirectory keeps the folder's own: the folder is given that time so the two agree.
    t(".", FAKE_TIME);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("gives every kind, owner, mode, time, link and device number", () => {
    const tree = treeFromDirectory(dir);
    const by = new Map(tree.map((e) => [e.path, e]));
    expect(by.get("/big")).toMatchObject({ kind: "file", mode: 0o4711, uid: 1000, gid: 2000, mtime: 1_000_000_000 });
    expect(by.get("/dev/big")).toMatchObject({ kind: "chardev", major: 300, minor: 70000 });
    expect(by.get("/dev/loop0")).toMatchObject({ kind: "blockdev", major: 7, minor: 0 });
    expect(by.get("/dev/fifo")).toMatchObject({ kind: "fifo", mode: 0o620 });
    expect(by.get("/dev/sock")?.kind).toBe("socket");
    expect(by.get("/etc/short")).toMatchObject({ kind: "symlink", target: "motd", uid: 5, gid: 6, mtime: 800_000_000 });
    // Sorted walk: /etc/deep/motd2 comes first, so it is the file and the others link to it.
    expect(by.get("/etc/deep/motd2")?.kind).toBe("file");
    expect(by.get("/etc/motd")).toMatchObject({ kind: "hardlink", target: "/etc/deep/motd2" });
    expect(by.get("/home/motd3")).toMatchObject({ kind: "hardlink", target: "/etc/deep/motd2" });
    expect(by.get("/")).toMatchObject({ kind: "dir", mtime: FAKE_TIME });
    expect(by.get("/etc/deep/er")).toMatchObject({ kind: "dir", mtime: 1_050_000_000 });
  });

  it("makeExt2 of it reads back as mke2fs -d's image of the folder does, and e2fsck -fn is clean", () => {
    const ours = join(work, "ours.img");
    const theirs = join(work, "theirs.img");
    writeFileSync(
      ours,
      makeExt2({
        tree: treeFromDirectory(dir),
        sizeBytes: SIZE_KIB * 1024,
        blockSize: 1024,
        bytesPerInode: 4096,
        time: FAKE_TIME,
      }),
    );
    execFileSync(
      "mke2fs",
      ["-q", "-F", "-t", "ext2", "-b", "1024", "-i", "4096", "-d", dir, theirs, String(SIZE_KIB)],
      { stdio: "pipe", env: { ...process.env, E2FSPROGS_FAKE_TIME: String(FAKE_TIME) } },
    );
    const fsck = spawnSync("e2fsck", ["-fn", ours], { encoding: "utf8" });
    expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
    expect(diffTrees(debugfsTree(theirs), debugfsTree(ours))).toEqual([]);
    expect(diffTrees(treeFromDirectory(dir), debugfsTree(ours))).toEqual([]);
    const list = ["/", ...paths(dir)];
    expect(list.length).toBe(20);
    const mine = stats(ours, list);
    expect(mine).toEqual(stats(theirs, list));
    expect(mine["/dev/big"]).toMatch(/^character 0644 0 0 size 0 links 1 300 70000 0x/);
    expect(mine["/etc/motd"]).toMatch(/^regular 0644 0 0 size 6 links 3 /);
  });
});

describe("treeFromDirectory's errors", () => {
  it("names the folder: missing, not a folder, not a string", () => {
    for (const [arg, code] of [
      ["/nonexistent/x", "E_INPUT_FILE"],
      ["/etc/hostname", "E_INPUT_FILE"],
      [5, "E_TYPE"],
    ] as const) {
      let err: unknown;
      try {
        treeFromDirectory(arg as string);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LooprootError);
      expect((err as LooprootError).code).toBe(code);
      expect((err as LooprootError).field).toBe("dir");
    }
  });
});
