// looproot/fs: trees as plain data, and tar and gzip to carry them.

import {
  type FatVolume as CoreFatVolume,
  type FatEntry as CoreFatEntry,
  type FloppyKind as CoreFloppyKind,
} from "../fat/index.ts";
import { parseTar, writeTar as coreWriteTar, DEFAULT_TAR_LIMITS, type TarLimits as CoreTarLimits } from "../tar.ts";
import { gunzip as coreGunzip, gzip9, isGzip } from "../gzip.ts";
import { normalisePath, parentPath, type NodeKind as CoreNodeKind } from "../tree.ts";
import { typeError } from "../../errors.ts";
import type { DosSystem as CoreDosSystem } from "../../ingredients.ts";
import { checkInt, checkBytes, checkObject, atFieldIfNone, asPublic, checkedTree } from "./check.ts";

/** readTar's default limits: bytes of contents and number of entries. */
export const TAR_LIMITS: TarLimits = DEFAULT_TAR_LIMITS;
/** A tree as a POSIX ustar archive (GNU long names where needed), the inverse of readTar. Checked like makeExt2's tree first. */
export const writeTar: (tree: Tree) => Uint8Array = (tree) => coreWriteTar(checkedTree("tree", tree));
/** gzip -9 -n: deterministic (no name, no time stamp). */
export const gzip: (data: Uint8Array) => Uint8Array = (data) => gzip9(checkBytes("data", data));
/** Unpacks gzip data, refusing to produce more than maxBytes (checked while inflating). */
export const gunzip: (data: Uint8Array, maxBytes: number) => Uint8Array = (data, maxBytes) =>
  atFieldIfNone("data", () =>
    coreGunzip(checkBytes("data", data), checkInt("maxBytes", maxBytes, 0, Number.MAX_SAFE_INTEGER)),
  );

/** What every tree entry has: its path, permission bits, owner and time stamp. */
export interface TreeEntryBase {
  /** Absolute, normalised path: "/", "/bin/sh". No "." or ".." components, no trailing slash. */
  path: string;
  /** Permission and special bits only (0o7777): the file type is `kind`. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}
/** A regular file and its contents. */
export interface FileEntry extends TreeEntryBase {
  kind: "file";
  data: Uint8Array;
}
/** A directory. */
export interface DirEntry extends TreeEntryBase {
  kind: "dir";
}
/** A symbolic link and its link text. */
export interface SymlinkEntry extends TreeEntryBase {
  kind: "symlink";
  target: string;
}
/** A hard link: another name for the earlier "file" entry at the absolute path `target`. */
export interface HardlinkEntry extends TreeEntryBase {
  kind: "hardlink";
  target: string;
}
/** A character or block device node and its numbers (major 0..4095, minor 0..1048575). */
export interface DeviceEntry extends TreeEntryBase {
  kind: "chardev" | "blockdev";
  major: number;
  minor: number;
}
/** A named pipe or a socket (no data). */
export interface SpecialEntry extends TreeEntryBase {
  kind: "fifo" | "socket";
}
/** One entry of a Tree, told apart by `kind`: each kind has exactly the fields it needs (a device its numbers). */
export type TreeEntry = FileEntry | DirEntry | SymlinkEntry | HardlinkEntry | DeviceEntry | SpecialEntry;
/** A filesystem tree as plain data: one entry per path, parents before children. */
export type Tree = TreeEntry[];
/** The kinds of tree entry: "file", "dir", "symlink", "hardlink", "chardev", "blockdev", "fifo", "socket". */
export type NodeKind = CoreNodeKind;
/** A FAT volume read back by readFat: the BPB's fields and its entries. */
export type FatVolume = CoreFatVolume;
/** One file or directory of a FatVolume; data() reads its clusters. */
export type FatEntry = CoreFatEntry;
/** A standard floppy: "360K", "720K", "1.2M", "1.44M" or "2.88M". */
export type FloppyKind = CoreFloppyKind;
/** Limits for reading a tar: total bytes of contents and number of entries. */
export type TarLimits = CoreTarLimits;
/** A DOS to make a floppy bootable: its boot sector and its system files, in order. */
export type DosSystem = CoreDosSystem;

/** 1998-06-03 08:47 UTC, the HOWTO's date: the default time stamp, so the same input gives the same bytes. */
export const DEFAULT_TIME = Date.UTC(1998, 5, 3, 8, 47, 0) / 1000;

/** One file for treeFromFiles: a path and its contents (a string is written as UTF-8). */
export interface TreeFile {
  /** Absolute or relative Unix path: "/sbin/init", "etc/motd". */
  path: string;
  /** Contents of a file; omit for a directory or a symlink. */
  data?: Uint8Array | string;
  /** kind "symlink": the link text. */
  symlink?: string;
  /** Permission bits; default 0o644 for files (0o755 when `executable`), 0o755 for directories. */
  mode?: number;
  executable?: boolean;
  /** A directory (no data). */
  dir?: boolean;
}

/**
 * A tree (root-owned, time stamps `time`) from a list of files, with every parent directory made,
 * ready for makeExt2 or writeTar. Checked by the same rules as a tarball.
 */
export function treeFromFiles(files: TreeFile[], time = DEFAULT_TIME): Tree {
  if (!Array.isArray(files)) throw typeError("files", "an array of { path, data }");
  const byPath = new Map<string, TreeEntry>();
  const dir = (path: string) => {
    if (!byPath.has(path)) byPath.set(path, { path, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: time });
  };
  const parents = (path: string) => {
    const chain: string[] = [];
    for (let p = parentPath(path); !byPath.has(p); p = parentPath(p)) {
      chain.push(p);
      if (p === "/") break;
    }
    for (const p of chain.reverse()) dir(p);
  };
  dir("/");
  files.forEach((f, i) => {
    if (typeof f?.path !== "string") throw typeError(`files[${i}].path`, "a string");
    const path = atFieldIfNone(`files[${i}].path`, () => normalisePath(f.path.startsWith("/") ? f.path : "/" + f.path));
    parents(path);
    const mode = f.mode ?? (f.dir || f.executable ? 0o755 : f.symlink !== undefined ? 0o777 : 0o644);
    if (f.dir) byPath.set(path, { path, kind: "dir", mode, uid: 0, gid: 0, mtime: time });
    else if (f.symlink !== undefined)
      byPath.set(path, { path, kind: "symlink", target: f.symlink, mode, uid: 0, gid: 0, mtime: time });
    else {
      const data =
        typeof f.data === "string"
          ? new TextEncoder().encode(f.data)
          : checkBytes(`files[${i}].data`, f.data ?? new Uint8Array(0));
      byPath.set(path, { path, kind: "file", data, mode, uid: 0, gid: 0, mtime: time });
    }
  });
  return checkedTree("files", [...byPath.values()]);
}

/** A tar or tar.gz read into a tree, within `limits` (bounded time and memory for untrusted input). */
export function readTar(archive: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): Tree {
  checkBytes("tar", archive);
  checkObject("limits", limits);
  checkInt("limits.maxTotalBytes", limits.maxTotalBytes, 0, Number.MAX_SAFE_INTEGER);
  checkInt("limits.maxEntries", limits.maxEntries, 0, Number.MAX_SAFE_INTEGER);
  const gz = isGzip(archive);
  // Headers and padding take at most a few blocks per entry beyond the data.
  const bytes = gz
    ? gunzip(archive, Math.min(2 ** 31 - 1, limits.maxTotalBytes + limits.maxEntries * 2048 + 1024))
    : archive;
  return asPublic(atFieldIfNone("tar", () => parseTar(bytes, limits)));
}
