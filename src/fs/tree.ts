// A filesystem tree as plain data: what the HOWTO's "[create the files]" step produces,
// what a user's root tarball parses into, and what the ext2 writer consumes.

import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

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

/** E_TREE: a tree breaks a filesystem's rules; `path` is the entry, `reason` the rule without the path. */
export class TreeError extends LooprootError {
  constructor(
    public readonly path: string,
    public readonly reason: string,
    limit?: number | string,
  ) {
    super(ErrorCode.Tree, `${path}: ${reason}`, { limit, data: { path } });
    this.name = "TreeError";
  }
}

/** Splits an absolute normalised path into its components ("/" gives []). */
export function pathParts(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

/** Components in a normalised path: its slashes ("/" has none). */
export function pathDepth(path: string): number {
  if (path === "/") return 0;
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) n++;
  return n;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

// Names are bytes. A name that is not UTF-8 (a Latin-1 tarball) keeps its bytes: each byte that
// starts no valid UTF-8 sequence becomes the lone surrogate U+DC80+byte (Python's surrogateescape),
// and nameBytes turns it back. Distinct byte names stay distinct strings.

/** Linux's PATH_MAX, with the NUL: longer paths cannot be opened in the booted system. */
export const PATH_MAX = 4096;
/** Longest name in a directory (ext2, tar extraction). */
export const NAME_MAX = 255;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();
const SURROGATE = /[\ud800-\udfff]/;

/** Name bytes as a string, losslessly: valid UTF-8 as is, any other byte b as U+DC80+b. */
export function decodeNameBytes(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    // Not UTF-8: decode by hand below.
  }
  const units: number[] = [];
  let out = "";
  const flush = () => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let n = 0,
      cp = 0,
      min = 0;
    if (c < 0x80) {
      units.push(c);
      i++;
      if (units.length >= 4096) flush();
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) ((n = 1), (cp = c & 0x1f), (min = 0x80));
    else if (c >= 0xe0 && c <= 0xef) ((n = 2), (cp = c & 0x0f), (min = 0x800));
    else if (c >= 0xf0 && c <= 0xf4) ((n = 3), (cp = c & 0x07), (min = 0x10000));
    let ok = n > 0 && i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      units.push(0xdc00 + c);
      i++;
    } else {
      if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      else units.push(cp);
      i += n + 1;
    }
    if (units.length >= 4096) flush();
  }
  flush();
  return out;
}

/** A name or path string back to its bytes (the inverse of decodeNameBytes). */
export function nameBytes(s: string): Uint8Array {
  if (!SURROGATE.test(s)) return utf8.encode(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (
      u >= 0xd800 &&
      u <= 0xdbff &&
      i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 &&
      s.charCodeAt(i + 1) <= 0xdfff
    ) {
      out.push(...utf8.encode(s.slice(i, i + 2)));
      i++;
    } else if (u >= 0xdc80 && u <= 0xdcff) {
      out.push(u - 0xdc00);
    } else if (u >= 0xd800 && u <= 0xdfff) {
      throw new TreeError(
        s,
        `holds the lone surrogate U+${u.toString(16).toUpperCase()}, which stands for no byte of a name`,
      );
    } else {
      out.push(...utf8.encode(s[i]));
    }
  }
  return Uint8Array.from(out);
}

/** The bytes of `s` as nameBytes gives them, without making them. */
export function nameByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) n += 1;
    else if (u < 0x800) n += 2;
    else if (
      u >= 0xd800 &&
      u <= 0xdbff &&
      i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 &&
      s.charCodeAt(i + 1) <= 0xdfff
    )
      ((n += 4), i++);
    else if (u >= 0xdc80 && u <= 0xdcff) n += 1;
    else if (u >= 0xd800 && u <= 0xdfff)
      throw new TreeError(
        s,
        `holds the lone surrogate U+${u.toString(16).toUpperCase()}, which stands for no byte of a name`,
      );
    else n += 3;
  }
  return n;
}

/**
 * Normalises a path relative to the tree's root, refusing anything that would leave it.
 * "./bin//sh" and "bin/sh" both give "/bin/sh"; "../etc" and "a/../../b" are errors.
 * A name may have at most NAME_MAX bytes and the whole path PATH_MAX - 1; this also bounds the
 * depth (2,047), and with it the directories one entry can imply.
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
    // Escaped bytes that together are valid UTF-8 mean the same bytes as the decoded text: one spelling.
    const canon = SURROGATE.test(part) ? decodeNameBytes(nameBytes(part)) : part;
    const len = nameByteLength(canon);
    if (len > NAME_MAX) throw new TreeError(shorten(raw), `a name is ${fmt(len)} bytes, longer than ${NAME_MAX}`);
    out.push(canon);
  }
  const path = "/" + out.join("/");
  const bytes = nameByteLength(path);
  if (bytes >= PATH_MAX) {
    throw new TreeError(
      shorten(path),
      `the path is ${fmt(bytes)} bytes (${fmt(pathDepth(path))} levels deep); Linux opens paths of at most ${fmt(PATH_MAX - 1)} bytes (PATH_MAX ${PATH_MAX})`,
    );
  }
  return path;
}

/**
 * Is `path` already what normalisePath would make of it? One scan, no arrays: checkTree asks this
 * of every entry of every tree, and deep trees have long paths.
 */
export function isNormalisedPath(path: string): boolean {
  if (path === "/") return true;
  if (path.charCodeAt(0) !== 0x2f || path.charCodeAt(path.length - 1) === 0x2f || path.length >= PATH_MAX) return false;
  let start = 1,
    bytes = 1,
    nameBytes = 0;
  for (let i = 1; i <= path.length; i++) {
    const u = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (u === 0x2f) {
      const n = i - start;
      if (n === 0) return false;
      if (n <= 2 && path.charCodeAt(start) === 0x2e && (n === 1 || path.charCodeAt(start + 1) === 0x2e)) return false;
      start = i + 1;
      nameBytes = 0;
      if (i < path.length) bytes++;
      continue;
    }
    if (u === 0) return false;
    if (u >= 0xd800 && u <= 0xdfff) return normalisePathOrNull(path) === path; // rare: the full check
    const b = u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
    bytes += b;
    nameBytes += b;
    if (nameBytes > NAME_MAX) return false;
  }
  return bytes < PATH_MAX;
}

/** Why normalisePath refuses `path`, or undefined when it only rewrites it. */
function normalisePathOrError(path: string): string | undefined {
  try {
    normalisePath(path);
    return undefined;
  } catch (e) {
    return e instanceof TreeError ? e.reason : (e as Error).message;
  }
}

function normalisePathOrNull(path: string): string | null {
  try {
    return normalisePath(path);
  } catch {
    return null;
  }
}

/** A path for a message: long ones cut in the middle. */
export function shortPath(p: string): string {
  return shorten(p);
}

function shorten(p: string): string {
  return p.length <= 120 ? p : `${p.slice(0, 60)}…${p.slice(-40)}`;
}

/**
 * Checks a tree for what every writer relies on: unique normalised paths, a parent directory
 * before each child, hard links to earlier regular files, device numbers in range.
 * Adds the root directory when it is missing. Returns the entries sorted parents-first.
 */
export function checkTree(tree: Tree): Tree {
  const byPath = new Map<string, TreeEntry>();
  for (const e of tree) {
    if (typeof e.path !== "string" || !isNormalisedPath(e.path)) {
      // The full check says why (too long, too deep, a dot component...).
      const why = typeof e.path === "string" ? normalisePathOrError(e.path) : "the path is not a string";
      throw new TreeError(shorten(String(e.path)), why ?? "path is not absolute and normalised");
    }
    if (byPath.has(e.path)) throw new TreeError(e.path, "appears twice in the tree");
    if (!Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o7777)
      throw new TreeError(e.path, `mode ${e.mode} is outside 0..0o7777`);
    for (const [k, v] of [
      ["uid", e.uid],
      ["gid", e.gid],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new TreeError(e.path, `${k} ${v} is outside 0..4294967295`);
    }
    if (e.kind === "file" && !(e.data instanceof Uint8Array)) throw new TreeError(e.path, "regular file without data");
    if (e.kind === "symlink" && (typeof e.target !== "string" || e.target.length === 0))
      throw new TreeError(e.path, "symlink without a target");
    if (e.kind === "chardev" || e.kind === "blockdev") {
      if (!Number.isInteger(e.major) || e.major! < 0 || e.major! > 4095)
        throw new TreeError(e.path, `major ${e.major} is outside 0..4095`);
      if (!Number.isInteger(e.minor) || e.minor! < 0 || e.minor! > 0xfffff)
        throw new TreeError(e.path, `minor ${e.minor} is outside 0..1048575`);
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
  // Depths are counted once, not in the comparator: deep trees would pay for them n log n times.
  const depth = new Map<TreeEntry, number>();
  for (const e of byPath.values()) depth.set(e, pathDepth(e.path));
  return [...byPath.values()].sort((a, b) => {
    const da = depth.get(a)!,
      db = depth.get(b)!;
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

export type Resolved = { ok: true; path: string; entry: TreeEntry } | { ok: false; path: string; reason: string };

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
      if (++follows > MAX_SYMLINK_FOLLOWS)
        return { ok: false, path: p, reason: `more than ${MAX_SYMLINK_FOLLOWS} symlinks on the way (a loop?) at ${p}` };
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
