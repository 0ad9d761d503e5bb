// A defensive tar reader (POSIX ustar, pax extended headers, GNU long names) for the user's root
// tarball: 3.4 "copy an existing Linux installation into it". The archive is untrusted, so every
// field is bounds-checked, paths are confined to the tree, and totals are capped before allocation.

import { type Tree, type TreeEntry, type NodeKind, normalisePath, parentPath, TreeError } from "./tree.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

export interface TarLimits {
  /** Sum of all file sizes. */
  maxTotalBytes: number;
  /** Number of entries, including implied directories. */
  maxEntries: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = { maxTotalBytes: 512 * 1024 * 1024, maxEntries: 200_000 };

/** E_TAR: the user's tarball is malformed, hostile or too large. */
export class TarError extends LooprootError {
  constructor(message: string, limit?: number) {
    super(ErrorCode.Tar, `root tarball: ${message}`, { limit });
    this.name = "TarError";
  }
}

const BLOCK = 512;
const dec = new TextDecoder("utf-8", { fatal: false });

function cString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return dec.decode(b.subarray(off, end));
}

/** Numeric header fields: octal text, or GNU base-256 when the top bit of the first byte is set. */
function num(b: Uint8Array, off: number, len: number, field: string, at: number): number {
  if (b[off] & 0x80) {
    if (b[off] & 0x40) throw new TarError(`entry at byte ${at}: negative ${field}`);
    let v = b[off] & 0x3f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + b[off + i];
      if (v > Number.MAX_SAFE_INTEGER) throw new TarError(`entry at byte ${at}: ${field} is too large`);
    }
    return v;
  }
  const s = cString(b, off, len).replace(/ +$/, "").replace(/^ +/, "");
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarError(`entry at byte ${at}: ${field} "${s}" is not an octal number`);
  return parseInt(s, 8);
}

function checksumOk(b: Uint8Array, off: number): boolean {
  const stored = cString(b, off + 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[off + i];
  return sum === parseInt(stored, 8);
}

function parsePax(data: Uint8Array, at: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = Number(dec.decode(data.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length || sp >= i + len) {
      throw new TarError(`pax header at byte ${at} is damaged`);
    }
    const rec = dec.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf("=");
    if (eq < 0) throw new TarError(`pax header at byte ${at} has a record without '='`);
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/**
 * Parses a tar archive into a tree. Later entries for the same path replace earlier ones, as tar
 * extraction does; missing parent directories are added (0755, root-owned).
 * Symlinks may be absolute (they resolve inside the image once booted) but a relative target may
 * not climb above the root; hard links must name an earlier regular file of the archive.
 */
export function parseTar(bytes: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): Tree {
  const entries = new Map<string, TreeEntry>();
  let total = 0;
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let globalPax = new Map<string, string>();
  let sawEnd = false;

  const take = (size: number, at: number): Uint8Array => {
    const start = off + BLOCK;
    if (start + size > bytes.length) throw new TarError(`entry at byte ${at} is truncated: needs ${size} bytes, ${Math.max(0, bytes.length - start)} remain`);
    return bytes.subarray(start, start + size);
  };

  while (off + BLOCK <= bytes.length) {
    const at = off;
    if (bytes.subarray(off, off + BLOCK).every((x) => x === 0)) {
      sawEnd = true;
      break;
    }
    if (!checksumOk(bytes, off)) throw new TarError(`header at byte ${at} has a bad checksum (not a tar file, or damaged)`);
    const type = String.fromCharCode(bytes[off + 156] || 0x30);
    let size = num(bytes, off + 124, 12, "size", at);
    const magic = cString(bytes, off + 257, 6);
    const ustar = magic.startsWith("ustar");
    const all = new Map([...globalPax, ...pax]);
    if (all.has("size")) size = Number(all.get("size"));
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`entry at byte ${at}: bad size`);

    if (type === "x" || type === "g" || type === "L" || type === "K") {
      if (size > 1024 * 1024) throw new TarError(`entry at byte ${at}: ${size}-byte metadata header exceeds 1 MiB`);
      const data = take(size, at);
      if (type === "x") pax = parsePax(data, at);
      else if (type === "g") globalPax = new Map([...globalPax, ...parsePax(data, at)]);
      else if (type === "L") longName = cString(data, 0, data.length);
      else longLink = cString(data, 0, data.length);
      off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }

    let rawName = cString(bytes, off, 100);
    if (ustar && bytes[off + 345] !== 0 && magic === "ustar") rawName = cString(bytes, off + 345, 155) + "/" + rawName;
    rawName = all.get("path") ?? longName ?? rawName;
    const rawLink = all.get("linkpath") ?? longLink ?? cString(bytes, off + 157, 100);
    longName = longLink = undefined;
    pax = new Map();

    const kindOf: Record<string, NodeKind> = {
      "0": "file", "7": "file", "1": "hardlink", "2": "symlink", "3": "chardev", "4": "blockdev", "5": "dir", "6": "fifo",
    };
    const kind = kindOf[type];
    if (!kind) throw new TarError(`${rawName}: entry type '${type}' is not supported (sparse, multi-volume and vendor types are refused)`);

    let path: string;
    try {
      path = normalisePath(rawName);
    } catch (e) {
      if (!(e instanceof TreeError)) throw e;
      throw new TarError(`${rawName}: ${e.reason}`);
    }
    const dataSize = kind === "file" ? size : 0;
    total += dataSize;
    if (total > limits.maxTotalBytes) throw new TarError(`files add up to more than the limit of ${limits.maxTotalBytes.toLocaleString("en-US")} bytes`, limits.maxTotalBytes);
    const field = (k: string, o: number, l: number) => (all.has(k) ? Math.floor(Number(all.get(k))) : num(bytes, off + o, l, k, at));
    const entry: TreeEntry = {
      path,
      kind,
      mode: num(bytes, off + 100, 8, "mode", at) & 0o7777,
      uid: field("uid", 108, 8),
      gid: field("gid", 116, 8),
      mtime: field("mtime", 136, 12),
    };
    // A view, not a copy: the tree shares the archive's bytes, so memory stays near the data size.
    if (kind === "file") entry.data = take(size, at);
    if (kind === "symlink") {
      if (rawLink === "") throw new TarError(`${path}: symlink with an empty target`);
      if (!rawLink.startsWith("/")) {
        try {
          normalisePath(parentPath(path) + "/" + rawLink);
        } catch {
          throw new TarError(`${path}: symlink target "${rawLink}" points outside the tree`);
        }
      }
      entry.target = rawLink;
    }
    if (kind === "hardlink") {
      let target: string;
      try {
        target = normalisePath(rawLink);
      } catch {
        throw new TarError(`${path}: hard link target "${rawLink}" points outside the tree`);
      }
      const t = entries.get(target);
      if (!t || (t.kind !== "file" && t.kind !== "hardlink")) throw new TarError(`${path}: hard link target "${rawLink}" is not an earlier regular file in the archive`);
      entry.target = t.kind === "hardlink" ? t.target : target;
    }
    if (kind === "chardev" || kind === "blockdev") {
      entry.major = num(bytes, off + 329, 8, "devmajor", at);
      entry.minor = num(bytes, off + 337, 8, "devminor", at);
    }
    if (path === "/" && kind !== "dir") throw new TarError(`the archive's root must be a directory`);
    entries.delete(path); // a later entry replaces an earlier one, and takes its place in order
    entries.set(path, entry);
    // Parents that the archive does not list get plain directories.
    for (let p = parentPath(path); !entries.has(p); p = parentPath(p)) {
      entries.set(p, { path: p, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: entry.mtime });
      if (p === "/") break;
    }
    if (entries.size > limits.maxEntries) throw new TarError(`more than ${limits.maxEntries.toLocaleString("en-US")} entries`, limits.maxEntries);
    // Only regular files carry data; POSIX says the size field of the other types is ignored.
    off += BLOCK + (kind === "file" ? Math.ceil(size / BLOCK) * BLOCK : 0);
  }
  if (!sawEnd && off !== bytes.length) throw new TarError(`archive ends in the middle of a header at byte ${off}`);
  if (entries.size === 0) throw new TarError("the archive is empty");
  // A directory entry replacing a file that already had children would orphan them.
  for (const e of entries.values()) {
    if (e.path === "/") continue;
    const parent = entries.get(parentPath(e.path));
    if (parent && parent.kind !== "dir") throw new TreeError(e.path, `its parent ${parent.path} is not a directory in the archive`);
  }
  return [...entries.values()];
}

/** Writes a tar archive (ustar, GNU long names) of a tree: the tests pack trees with it, the app offers the built root for download. */
export function writeTar(tree: Tree): Uint8Array {
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  const header = (name: string, type: string, size: number, e: TreeEntry, link = "") => {
    const h = new Uint8Array(BLOCK);
    const put = (s: string, o: number, l: number) => h.set(enc.encode(s).subarray(0, l), o);
    const oct = (v: number, o: number, l: number) => put(v.toString(8).padStart(l - 1, "0"), o, l - 1);
    put(name, 0, 100);
    oct(e.mode, 100, 8);
    oct(e.uid, 108, 8);
    oct(e.gid, 116, 8);
    oct(size, 124, 12);
    oct(e.mtime, 136, 12);
    h[156] = type.charCodeAt(0);
    put(link, 157, 100);
    put("ustar  ", 257, 8);
    if (e.kind === "chardev" || e.kind === "blockdev") {
      oct(e.major ?? 0, 329, 8);
      oct(e.minor ?? 0, 337, 8);
    }
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const x of h) sum += x;
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    return h;
  };
  const pad = (data: Uint8Array) => {
    chunks.push(data);
    if (data.length % BLOCK) chunks.push(new Uint8Array(BLOCK - (data.length % BLOCK)));
  };
  const longField = (type: "L" | "K", value: string, e: TreeEntry) => {
    const data = enc.encode(value + "\0");
    chunks.push(header("././@LongLink", type, data.length, { ...e, mode: 0, uid: 0, gid: 0, mtime: 0 }));
    pad(data);
  };
  const typeOf: Record<NodeKind, string> = { file: "0", hardlink: "1", symlink: "2", chardev: "3", blockdev: "4", dir: "5", fifo: "6", socket: "" };
  for (const e of tree) {
    if (e.kind === "socket") continue; // tar cannot hold sockets
    let name = e.path === "/" ? "./" : "." + e.path + (e.kind === "dir" ? "/" : "");
    const link = e.kind === "hardlink" ? "." + e.target! : e.kind === "symlink" ? e.target! : "";
    if (enc.encode(link).length > 100) longField("K", link, e);
    if (enc.encode(name).length > 100) {
      longField("L", name, e);
      name = name.slice(0, 99);
    }
    const size = e.kind === "file" ? e.data!.length : 0;
    chunks.push(header(name, typeOf[e.kind], size, e, link.slice(0, 100)));
    if (e.kind === "file") pad(e.data!);
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
