// A folder on disk as a tree, what `mke2fs -d DIR` and `genext2fs -d DIR` copy into an image:
// every entry with its owner, permission bits and time stamp, files' contents, symlinks' targets,
// device numbers, FIFOs and sockets, and a file's further names as hard links to its first one.

import { lstatSync, readdirSync, readFileSync, readlinkSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import { LooprootError, ErrorCode, typeError } from "../errors.ts";
import { checkTree, type Tree, type TreeEntry } from "../fs/tree.ts";

/** Linux's dev_t split (glibc's gnu_dev_major/minor): 12 bits of major, 20 of minor. */
function devNumbers(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

function kindOf(st: BigIntStats): TreeEntry["kind"] {
  if (st.isDirectory()) return "dir";
  if (st.isFile()) return "file";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "chardev";
  if (st.isBlockDevice()) return "blockdev";
  if (st.isFIFO()) return "fifo";
  return "socket";
}

/**
 * Reads `dir` (not following symlinks, not crossing into other filesystems' special files'
 * contents) into a Tree whose "/" is `dir` itself. Names are read in sorted order, so the same
 * folder gives the same tree; an entry's mtime is its whole seconds.
 */
export function treeFromDirectory(dir: string): Tree {
  if (typeof dir !== "string") throw typeError("dir", "a path (string)");
  let top: BigIntStats;
  try {
    top = lstatSync(dir, { bigint: true });
  } catch (e) {
    throw new LooprootError(
      ErrorCode.InputFile,
      `${dir}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such folder" : (e as Error).message}`,
      { field: "dir" },
    );
  }
  if (!top.isDirectory()) throw new LooprootError(ErrorCode.InputFile, `${dir}: not a folder`, { field: "dir" });
  const out: TreeEntry[] = [];
  // First path of each inode with more than one name: later names become hard links to it.
  const firstName = new Map<string, string>();
  const walk = (hostPath: string, path: string, st: BigIntStats) => {
    const base = {
      path,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: Number(st.mtimeMs / 1000n),
    };
    const kind = kindOf(st);
    if (kind !== "dir" && st.nlink > 1n) {
      const id = `${st.dev}:${st.ino}`;
      const first = firstName.get(id);
      if (first !== undefined) {
        out.push({ ...base, kind: "hardlink", target: first });
        return;
      }
      firstName.set(id, path);
    }
    try {
      if (kind === "file") out.push({ ...base, kind, data: new Uint8Array(readFileSync(hostPath)) });
      else if (kind === "symlink") out.push({ ...base, kind, target: readlinkSync(hostPath) });
      else if (kind === "chardev" || kind === "blockdev") out.push({ ...base, kind, ...devNumbers(st.rdev) });
      else out.push({ ...base, kind });
      if (kind === "dir") {
        for (const name of readdirSync(hostPath).sort()) {
          const child = join(hostPath, name);
          walk(child, path === "/" ? `/${name}` : `${path}/${name}`, lstatSync(child, { bigint: true }));
        }
      }
    } catch (e) {
      if (e instanceof LooprootError) throw e;
      throw new LooprootError(ErrorCode.InputFile, `${hostPath}: ${(e as Error).message}`, { field: "dir" });
    }
  };
  walk(dir, "/", top);
  return checkTree(out);
}
