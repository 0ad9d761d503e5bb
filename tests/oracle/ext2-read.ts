// Reads an ext2 image back into a Tree with e2fsprogs' debugfs (an independent reader), and
// compares trees. Test-only: uses Node's fs and child_process.

import { beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkTree, type Tree, type TreeEntry, type NodeKind } from "../../src/fs/tree.ts";

/**
 * Where scratch files go: tmpfs when there is one (creating thousands of files for rdump took
 * 0.8 ms each on the disk-backed /tmp here, 0.05 ms on /dev/shm), else the OS's temp dir.
 */
export function scratchBase(): string {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
}

/**
 * A scratch folder for one test file, made before its tests and removed after them: `unique`
 * names a new file in it, `write` puts an image there and returns its path.
 */
export function scratchDir(prefix: string) {
  let dir = "";
  let counter = 0;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(scratchBase(), prefix));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const unique = (stem: string, ext = ".img") => path.join(dir, `${stem}${counter++}${ext}`);
  return {
    unique,
    write(img: Uint8Array): string {
      const p = unique("img");
      fs.writeFileSync(p, img);
      return p;
    },
  };
}

function debugfs(image: string, commands: string[]): string {
  const dir = fs.mkdtempSync(path.join(scratchBase(), "ext2-read-"));
  try {
    const cmdFile = path.join(dir, "cmds");
    fs.writeFileSync(cmdFile, commands.join("\n") + "\n");
    return execFileSync("debugfs", ["-f", cmdFile, image], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function kindOf(mode: number): NodeKind {
  switch (mode & 0o170000) {
    case 0o100000:
      return "file";
    case 0o040000:
      return "dir";
    case 0o120000:
      return "symlink";
    case 0o020000:
      return "chardev";
    case 0o060000:
      return "blockdev";
    case 0o010000:
      return "fifo";
    case 0o140000:
      return "socket";
  }
  throw new Error(`unknown file type in mode ${mode.toString(8)}`);
}

interface Listed {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  path: string;
}

/**
 * The tree an ext2 image holds, as debugfs sees it: `ls -p` per directory (by inode number, so
 * names need no quoting), `stat` per inode for times and device numbers, `rdump` for contents and
 * link targets. Paths sharing an inode become one "file" (the first in tree order) plus "hardlink"s.
 */
export function readExt2(image: string): Tree {
  const listed: Listed[] = [];
  let level: { ino: number; path: string }[] = [{ ino: 2, path: "/" }];
  listed.push({ ino: 2, mode: 0, uid: 0, gid: 0, size: 0, path: "/" });
  while (level.length) {
    const out = debugfs(
      image,
      level.map((d) => `ls -p <${d.ino}>`),
    );
    const next: { ino: number; path: string }[] = [];
    let cur = -1;
    for (const line of out.split("\n")) {
      if (line.startsWith("debugfs: ")) {
        cur++;
        continue;
      }
      if (!line.startsWith("/")) continue;
      // /ino/mode/uid/gid/name/size/  (size empty for directories; uid and gid printed signed)
      const m = /^\/(\d+)\/(\d+)\/(-?\d+)\/(-?\d+)\/(.*)\/(\d*)\/$/.exec(line);
      if (!m) throw new Error(`unparsed debugfs ls line: ${JSON.stringify(line)}`);
      if (m[1] === "0") continue; // unused space (lost+found's spare blocks)
      const name = m[5];
      const d = level[cur];
      const mode = parseInt(m[2], 8);
      if (name === ".") {
        if (d.ino === 2) Object.assign(listed[0], { mode, uid: +m[3] >>> 0, gid: +m[4] >>> 0 });
        continue;
      }
      if (name === "..") continue;
      const p = d.path === "/" ? `/${name}` : `${d.path}/${name}`;
      listed.push({ ino: +m[1], mode, uid: +m[3] >>> 0, gid: +m[4] >>> 0, size: m[6] === "" ? 0 : +m[6], path: p });
      if (kindOf(mode) === "dir") next.push({ ino: +m[1], path: p });
    }
    level = next;
  }

  // Times, device numbers, link counts.
  const inos = [...new Set(listed.map((l) => l.ino))];
  const statOut = debugfs(
    image,
    inos.map((i) => `stat <${i}>`),
  );
  const info = new Map<number, { mtime: number; major?: number; minor?: number; links: number; size: number }>();
  for (const chunk of statOut.split(/^Inode: /m).slice(1)) {
    const ino = parseInt(chunk, 10);
    const mtime = parseInt(/mtime: 0x([0-9a-f]+)/.exec(chunk)![1], 16);
    const links = +/Links: (\d+)/.exec(chunk)![1];
    const size = +/Size: (\d+)/.exec(chunk)![1];
    const dev = /Device major\/minor number: (\d+):(\d+)/.exec(chunk);
    info.set(ino, { mtime, links, size, ...(dev ? { major: +dev[1], minor: +dev[2] } : {}) });
  }

  // Contents and link targets.
  const dumpDir = fs.mkdtempSync(path.join(scratchBase(), "ext2-rdump-"));
  try {
    debugfs(image, [`rdump / ${dumpDir}`]);
    const seen = new Map<number, string>();
    const tree: Tree = [];
    // Tree order (parents first, then by path) decides which path of a hard-linked inode is "the file".
    const listedByPath = new Map(listed.map((x) => [x.path, x]));
    for (const l of checkTree(
      listed.map((x) => ({ path: x.path, kind: "dir", mode: 0, uid: 0, gid: 0, mtime: 0 })),
    ).map((e) => listedByPath.get(e.path)!)) {
      const st = info.get(l.ino)!;
      const kind = kindOf(l.mode);
      const e: TreeEntry = { path: l.path, kind, mode: l.mode & 0o7777, uid: l.uid, gid: l.gid, mtime: st.mtime };
      const host = path.join(dumpDir, l.path);
      if (kind === "file") {
        if (seen.has(l.ino)) {
          tree.push({ ...e, kind: "hardlink", target: seen.get(l.ino)! });
          continue;
        }
        seen.set(l.ino, l.path);
        e.data = new Uint8Array(fs.readFileSync(host));
        if (e.data.length !== st.size)
          throw new Error(`${l.path}: dumped ${e.data.length} bytes, inode says ${st.size}`);
      } else if (kind === "symlink") {
        e.target = fs.readlinkSync(host);
      } else if (kind === "chardev" || kind === "blockdev") {
        e.major = st.major;
        e.minor = st.minor;
      }
      tree.push(e);
    }
    return tree;
  } finally {
    fs.rmSync(dumpDir, { recursive: true, force: true });
  }
}

/** Link counts per inode as debugfs reports them, by path (for checking i_links_count). */
export function linkCounts(image: string, paths: string[]): Map<string, number> {
  const out = debugfs(
    image,
    paths.map((p) => `stat "${p}"`),
  );
  const res = new Map<string, number>();
  const chunks = out.split(/^Inode: /m).slice(1);
  chunks.forEach((c, i) => res.set(paths[i], +/Links: (\d+)/.exec(c)![1]));
  return res;
}

/** Canonical form: sorted, hard links pointing at the first path (in tree order) of their file. */
function canonical(tree: Tree): Tree {
  const sorted = checkTree(tree);
  const groupOf = new Map<string, string>(); // path -> original file path
  for (const e of sorted) if (e.kind === "file") groupOf.set(e.path, e.path);
  for (const e of sorted) if (e.kind === "hardlink") groupOf.set(e.path, e.target!);
  const firstOf = new Map<string, TreeEntry>();
  const byPath = new Map(sorted.map((e) => [e.path, e]));
  const out: Tree = [];
  for (const e of sorted) {
    if (e.kind !== "file" && e.kind !== "hardlink") {
      out.push(e);
      continue;
    }
    const file = byPath.get(groupOf.get(e.path)!)!;
    const first = firstOf.get(file.path);
    if (!first) {
      firstOf.set(file.path, e);
      out.push({ ...file, path: e.path, kind: "file" });
    } else {
      out.push({ ...file, path: e.path, kind: "hardlink", target: first.path, data: undefined });
    }
  }
  return out;
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Differences between the tree written and the tree read back, one line each (empty: identical).
 * /lost+found is ignored unless `expected` has it.
 */
export function diffTrees(expected: Tree, actual: Tree): string[] {
  const a = canonical(expected),
    b = canonical(actual);
  const keepLpf = a.some((e) => e.path === "/lost+found");
  const bm = new Map(
    b
      .filter((e) => keepLpf || (e.path !== "/lost+found" && !e.path.startsWith("/lost+found/")))
      .map((e) => [e.path, e]),
  );
  const diffs: string[] = [];
  for (const e of a) {
    const r = bm.get(e.path);
    bm.delete(e.path);
    if (!r) {
      diffs.push(`${e.path}: missing`);
      continue;
    }
    // mode, uid, gid, mtime; the hard link's metadata is the file's, so it is compared too.
    for (const k of ["kind", "mode", "uid", "gid", "mtime", "target", "major", "minor"] as const) {
      if (e[k] !== r[k]) diffs.push(`${e.path}: ${k} ${String(e[k])} != ${String(r[k])}`);
    }
    if (e.kind === "file" && !same(e.data, r.data))
      diffs.push(`${e.path}: contents differ (${e.data!.length} vs ${r.data?.length} bytes)`);
  }
  for (const p of bm.keys()) diffs.push(`${p}: unexpected`);
  return diffs;
}
