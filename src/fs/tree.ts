// A filesystem tree as plain data: what the HOWTO's "[create the files]" step produces,
// what a user's root tarball parses into, and what the ext2 writer consumes.

export type NodeKind = "file" | "dir" | "symlink" | "hardlink" | "chardev" | "blockdev" | "fifo" | "socket";

export interface TreeEntry {
  /** Absolute, normalised path: "/", "/bin/sh". No "." or ".." components, no trailing slash. */
  path: string;
  kind: NodeKind;
  /** Permission and special bits only (0o7777): the file type comes from `kind`. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch; a fixed value from the config keeps images reproducible. */
  mtime: number;
  /** kind "file": the contents. */
  data?: Uint8Array;
  /** kind "symlink": the link text. kind "hardlink": the absolute path of an earlier "file" entry. */
  target?: string;
  /** kind "chardev" / "blockdev". */
  major?: number;
  minor?: number;
}

export type Tree = TreeEntry[];

export class TreeError extends Error {
  constructor(public readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "TreeError";
  }
}

/** Splits an absolute normalised path into its components ("/" gives []). */
export function pathParts(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Normalises a path relative to the tree's root, refusing anything that would leave it.
 * "./bin//sh" and "bin/sh" both give "/bin/sh"; "../etc" and "a/../../b" are errors.
 */
export function normalisePath(raw: string): string {
  const out: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw new TreeError(raw, "path leaves the root of the tree");
      out.pop();
      continue;
    }
    if (part.includes("\0")) throw new TreeError(raw, "path contains a NUL byte");
    if (new TextEncoder().encode(part).length > 255) throw new TreeError(raw, "a name is longer than 255 bytes");
    out.push(part);
  }
  return "/" + out.join("/");
}

/**
 * Checks a tree for what every writer relies on: unique normalised paths, a parent directory
 * before each child, hard links to earlier regular files, device numbers in range.
 * Adds the root directory when it is missing. Returns the entries sorted parents-first.
 */
export function checkTree(tree: Tree): Tree {
  const byPath = new Map<string, TreeEntry>();
  for (const e of tree) {
    if (normalisePath(e.path) !== e.path) throw new TreeError(e.path, "path is not absolute and normalised");
    if (byPath.has(e.path)) throw new TreeError(e.path, "appears twice in the tree");
    if (!Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o7777) throw new TreeError(e.path, `mode ${e.mode} is outside 0..0o7777`);
    for (const [k, v] of [["uid", e.uid], ["gid", e.gid]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new TreeError(e.path, `${k} ${v} is outside 0..4294967295`);
    }
    if (e.kind === "file" && !(e.data instanceof Uint8Array)) throw new TreeError(e.path, "regular file without data");
    if (e.kind === "symlink" && (typeof e.target !== "string" || e.target.length === 0)) throw new TreeError(e.path, "symlink without a target");
    if (e.kind === "chardev" || e.kind === "blockdev") {
      if (!Number.isInteger(e.major) || e.major! < 0 || e.major! > 4095) throw new TreeError(e.path, `major ${e.major} is outside 0..4095`);
      if (!Number.isInteger(e.minor) || e.minor! < 0 || e.minor! > 0xfffff) throw new TreeError(e.path, `minor ${e.minor} is outside 0..1048575`);
    }
    byPath.set(e.path, e);
  }
  if (!byPath.has("/")) byPath.set("/", { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
  const root = byPath.get("/")!;
  if (root.kind !== "dir") throw new TreeError("/", "the root must be a directory");
  for (const e of byPath.values()) {
    if (e.path === "/") continue;
    const parent = byPath.get(parentPath(e.path));
    if (!parent) throw new TreeError(e.path, `parent directory ${parentPath(e.path)} is missing`);
    if (parent.kind !== "dir") throw new TreeError(e.path, `parent ${parentPath(e.path)} is not a directory`);
    if (e.kind === "hardlink") {
      const t = e.target === undefined ? undefined : byPath.get(e.target);
      if (!t) throw new TreeError(e.path, `hard link target ${e.target} is not in the tree`);
      if (t.kind !== "file") throw new TreeError(e.path, `hard link target ${e.target} is not a regular file`);
    }
  }
  // Parents first (fewer components first), then by name: a stable, config-independent order.
  return [...byPath.values()].sort((a, b) => {
    const da = pathParts(a.path).length, db = pathParts(b.path).length;
    if (da !== db) return da - db;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

// ---- Symlinks inside a tree ----------------------------------------------------------------
// A root tarball is a system seen from inside: its links are read as its own kernel would read
// them with the tree as "/" (an absolute target starts at the tree's root, ".." at the root
// stays there), so a lookup can never leave the tree.

/** Linux's own bound on links followed in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINK_FOLLOWS = 40;

export type Resolved =
  | { ok: true; path: string; entry: TreeEntry }
  | { ok: false; path: string; reason: string };

/**
 * Looks `path` up in a tree the way the guest's kernel would: every symlink on the way (and the
 * last one too, unless `followLast` is false) is followed, hard links give their target file.
 * On failure says where and why ("/usr/bin/sh is not in the tree", a loop, a file used as a
 * directory). Bounded: at most MAX_SYMLINK_FOLLOWS links, each step O(1) through the map.
 */
export function resolveInTree(entries: ReadonlyMap<string, TreeEntry>, path: string, followLast = true): Resolved {
  const pending = pathParts(normalisePath(path)).reverse(); // a stack: the next component last
  const done: string[] = [];
  let follows = 0;
  const here = () => "/" + done.join("/");
  while (pending.length) {
    const part = pending.pop()!;
    if (part === "." || part === "") continue;
    if (part === "..") {
      done.pop();
      continue;
    }
    done.push(part);
    const p = here();
    const e = entries.get(p);
    if (!e) return { ok: false, path: p, reason: `${p} is not in the tree` };
    const last = pending.length === 0;
    if (e.kind === "symlink" && (!last || followLast)) {
      if (++follows > MAX_SYMLINK_FOLLOWS) return { ok: false, path: p, reason: `more than ${MAX_SYMLINK_FOLLOWS} symlinks on the way (a loop?) at ${p}` };
      const target = e.target ?? "";
      done.pop();
      if (target.startsWith("/")) done.length = 0;
      const parts = target.split("/");
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
      continue;
    }
    if (!last && e.kind !== "dir") return { ok: false, path: p, reason: `${p} is a ${e.kind}, not a directory` };
  }
  const p = here();
  const e = entries.get(p);
  if (!e) return { ok: false, path: p, reason: `${p} is not in the tree` }; // only "/" can get here
  if (e.kind === "hardlink") {
    const t = e.target === undefined ? undefined : entries.get(e.target);
    if (!t) return { ok: false, path: p, reason: `${p} is a hard link to ${e.target}, which is not in the tree` };
    return { ok: true, path: p, entry: t };
  }
  return { ok: true, path: p, entry: e };
}
