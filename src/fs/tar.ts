// A defensive tar reader (POSIX ustar, pax extended headers, GNU long names, GNU sparse files) for
// the user's root tarball: 3.4 "copy an existing Linux installation into it". The archive is
// untrusted, so every field is bounds-checked, paths are confined to the tree, and totals are capped
// before allocation. Names keep their bytes (see decodeNameBytes in tree.ts); nothing is dropped or
// renamed: a path given twice follows tar's rule, the later entry wins.

import { fmt } from "../util/fmt.ts";
import {
  type Tree,
  type TreeEntry,
  type NodeKind,
  normalisePath,
  parentPath,
  pathDepth,
  decodeNameBytes,
  nameBytes,
  shortPath,
  TreeError,
} from "./tree.ts";
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

function cBytes(b: Uint8Array, off: number, len: number): Uint8Array {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return b.subarray(off, end);
}

/** A NUL-terminated name field, its bytes kept (see decodeNameBytes). */
function cName(b: Uint8Array, off: number, len: number): string {
  return decodeNameBytes(cBytes(b, off, len));
}

/** A NUL-terminated ASCII field (numbers, magic): one character per byte. */
function cString(b: Uint8Array, off: number, len: number): string {
  return String.fromCharCode(...cBytes(b, off, len));
}

/** A sparse file's data: `realSize` bytes, zero but for the chunks, which are stored one after another from `dataStart`. */
interface SparseLayout {
  realSize: number;
  chunks: [offset: number, length: number][];
  /** Bytes of the stored data before the first chunk (the 1.0 map). */
  dataStart: number;
  /** 512-byte blocks between the header and the data ('S' extension headers). */
  extraBlocks: number;
}

/** Most chunks one sparse file may list: bounds the work a hostile map can ask for. */
const MAX_SPARSE_CHUNKS = 1_000_000;

/**
 * The sparse map of an entry, in any of GNU tar's formats, or undefined for a plain entry:
 * the old GNU 'S' type (map in the header and extension blocks), and the pax formats
 * 0.0 (GNU.sparse.offset/numbytes records), 0.1 (GNU.sparse.map) and 1.0 (map at the start of the data).
 */
/** A pax record's whole number as GNU tar reads it: decimal digits only, as a safe integer. */
function paxDecimal(v: string, key: string, at: number): number {
  const n = /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n))
    throw new TarError(
      `pax header before the entry at byte ${at} is malformed: ${key}=${v.slice(0, 40)} is not a whole number in decimal digits (GNU tar: "Malformed extended header: invalid ${key}")`,
    );
  return n;
}

function sparseLayout(
  bytes: Uint8Array,
  off: number,
  type: string,
  pax: Map<string, string>,
  stored: number,
  name: string,
  at: number,
): SparseLayout | undefined {
  const bad = (why: string) => new TarError(`${shortPath(name)}: sparse map ${why}`);
  const int = (v: string | undefined, what: string) => {
    if (v === undefined || !/^[0-9]{1,16}$/.test(v)) throw bad(`has a bad ${what} "${String(v).slice(0, 30)}"`);
    return Number(v);
  };
  const pairs = (nums: number[]): [number, number][] => {
    if (nums.length % 2) throw bad("has an odd count of numbers");
    const out: [number, number][] = [];
    for (let i = 0; i < nums.length; i += 2) out.push([nums[i], nums[i + 1]]);
    return out;
  };
  if (type === "S") {
    const chunks: [number, number][] = [];
    const read = (o: number, count: number) => {
      for (let i = 0; i < count; i++) {
        if (bytes[o + i * 24] === 0) return;
        chunks.push([
          num(bytes, o + i * 24, 12, "sparse offset", at),
          num(bytes, o + i * 24 + 12, 12, "sparse numbytes", at),
        ]);
      }
    };
    read(off + 386, 4);
    let extended = bytes[off + 482] !== 0,
      extraBlocks = 0;
    while (extended) {
      const o = off + BLOCK * (1 + extraBlocks);
      if (o + BLOCK > bytes.length) throw new TarError(`entry at byte ${at} is truncated in its sparse map`);
      read(o, 21);
      extended = bytes[o + 504] !== 0;
      extraBlocks++;
      if (chunks.length > MAX_SPARSE_CHUNKS) throw bad(`lists more than ${fmt(MAX_SPARSE_CHUNKS)} chunks`);
    }
    return { realSize: num(bytes, off + 483, 12, "sparse realsize", at), chunks, dataStart: 0, extraBlocks };
  }
  if (pax.get("GNU.sparse.major") === "1") {
    if (pax.get("GNU.sparse.minor") !== "0")
      throw bad(`format 1.${pax.get("GNU.sparse.minor")} is unknown (1.0 is read)`);
    // Decimal lines: the chunk count, then offset and length of each; padded to a block.
    const data = bytes.subarray(off + BLOCK, Math.min(bytes.length, off + BLOCK + stored));
    const nums: number[] = [];
    let p = 0,
      want = -1;
    while (want < 0 || nums.length < want) {
      const nl = data.indexOf(0x0a, p);
      if (nl < 0 || nl - p > 20) throw bad("at the start of the data is damaged");
      const n = int(String.fromCharCode(...data.subarray(p, nl)), "number");
      p = nl + 1;
      if (want < 0) {
        if (n > MAX_SPARSE_CHUNKS) throw bad(`lists more than ${fmt(MAX_SPARSE_CHUNKS)} chunks`);
        want = 2 * n;
      } else nums.push(n);
    }
    return {
      realSize: int(pax.get("GNU.sparse.realsize"), "GNU.sparse.realsize"),
      chunks: pairs(nums),
      dataStart: Math.ceil(p / BLOCK) * BLOCK,
      extraBlocks: 0,
    };
  }
  const map = pax.get("GNU.sparse.map") ?? pax.get(SPARSE_00_MAP);
  if (map !== undefined) {
    const nums = map === "" ? [] : map.split(",").map((v) => int(v, "number"));
    if (nums.length > 2 * MAX_SPARSE_CHUNKS) throw bad(`lists more than ${fmt(MAX_SPARSE_CHUNKS)} chunks`);
    return {
      realSize: int(pax.get("GNU.sparse.size"), "GNU.sparse.size"),
      chunks: pairs(nums),
      dataStart: 0,
      extraBlocks: 0,
    };
  }
  if ([...pax.keys()].some((k) => k.startsWith("GNU.sparse.")))
    throw bad("is in a form GNU tar does not write (no map found)");
  return undefined;
}

/** Where parsePax gathers the repeated GNU.sparse.offset/numbytes records of format 0.0, as "o,n,o,n". */
const SPARSE_00_MAP = "GNU.sparse.map (0.0)";

/** The file a sparse layout describes: zeros, with each chunk at its offset. */
function unsparse(layout: SparseLayout, stored: Uint8Array, name: string): Uint8Array {
  const bad = (why: string) => new TarError(`${shortPath(name)}: sparse map ${why}`);
  const out = new Uint8Array(layout.realSize);
  let src = layout.dataStart,
    end = 0;
  for (const [o, n] of layout.chunks) {
    if (o < end) throw bad(`has chunks out of order or overlapping at offset ${o}`);
    if (o + n > layout.realSize) throw bad(`has a chunk past the file's ${fmt(layout.realSize)} bytes`);
    if (src + n > stored.length) throw bad("lists more data than the archive stores");
    out.set(stored.subarray(src, src + n), o);
    src += n;
    end = o + n;
  }
  return out;
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
    const lenText = String.fromCharCode(...data.subarray(i, Math.min(sp, i + 20)));
    const len = /^[0-9]+$/.test(lenText) ? Number(lenText) : NaN;
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length || sp >= i + len) {
      throw new TarError(`pax header at byte ${at} is damaged`);
    }
    // Values keep their bytes: a path under hdrcharset=BINARY is not UTF-8.
    const rec = data.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarError(`pax header at byte ${at} has a record without '='`);
    const key = decodeNameBytes(rec.subarray(0, eq)),
      value = decodeNameBytes(rec.subarray(eq + 1));
    // Sparse format 0.0 repeats these two keys once per chunk: keep them all, in order.
    if (key === "GNU.sparse.offset" || key === "GNU.sparse.numbytes") {
      const prev = out.get(SPARSE_00_MAP);
      out.set(SPARSE_00_MAP, prev === undefined ? value : prev + "," + value);
    } else out.set(key, value);
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
  /** Regular files that hard links point at, with the first link's path. */
  const linkedBy = new Map<string, string>();

  const take = (size: number, at: number): Uint8Array => {
    const start = off + BLOCK;
    if (start + size > bytes.length)
      throw new TarError(
        `entry at byte ${at} is truncated: needs ${size} bytes, ${Math.max(0, bytes.length - start)} remain`,
      );
    return bytes.subarray(start, start + size);
  };

  while (off + BLOCK <= bytes.length) {
    const at = off;
    if (bytes.subarray(off, off + BLOCK).every((x) => x === 0)) {
      sawEnd = true;
      break;
    }
    if (!checksumOk(bytes, off))
      throw new TarError(`header at byte ${at} has a bad checksum (not a tar file, or damaged)`);
    const type = String.fromCharCode(bytes[off + 156] || 0x30);
    let size = num(bytes, off + 124, 12, "size", at);
    const magic = cString(bytes, off + 257, 6);
    const ustar = magic.startsWith("ustar");
    const all = new Map([...globalPax, ...pax]);
    // GNU tar reads pax numbers as decimal digits only (size=0x1, +1 or " 1" is "Malformed
    // extended header"), where Number() would take hex, signs and spaces.
    if (all.has("size")) size = paxDecimal(all.get("size")!, "size", at);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`entry at byte ${at}: bad size`);

    if (type === "x" || type === "g" || type === "L" || type === "K") {
      if (size > 1024 * 1024) throw new TarError(`entry at byte ${at}: ${size}-byte metadata header exceeds 1 MiB`);
      const data = take(size, at);
      if (type === "x") pax = parsePax(data, at);
      else if (type === "g") globalPax = new Map([...globalPax, ...parsePax(data, at)]);
      else if (type === "L") longName = cName(data, 0, data.length);
      else longLink = cName(data, 0, data.length);
      off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }

    let rawName = cName(bytes, off, 100);
    if (ustar && bytes[off + 345] !== 0 && magic === "ustar") rawName = cName(bytes, off + 345, 155) + "/" + rawName;
    rawName = all.get("path") ?? longName ?? rawName;
    const rawLink = all.get("linkpath") ?? longLink ?? cName(bytes, off + 157, 100);
    // Sparse files: pax formats 0.1 and 1.0 name the entry GNUSparseFile.N/... and keep the
    // real name in GNU.sparse.name.
    if (all.has("GNU.sparse.name")) rawName = all.get("GNU.sparse.name")!;
    const sparse = sparseLayout(bytes, off, type, all, size, rawName, at);
    longName = longLink = undefined;
    pax = new Map();

    const kindOf: Record<string, NodeKind> = {
      "0": "file",
      "7": "file",
      S: "file",
      "1": "hardlink",
      "2": "symlink",
      "3": "chardev",
      "4": "blockdev",
      "5": "dir",
      "6": "fifo",
    };
    const kind = kindOf[type];
    if (!kind)
      throw new TarError(
        `${rawName}: entry type '${type}' is not supported (multi-volume and vendor types are refused)`,
      );

    let path: string;
    try {
      path = normalisePath(rawName);
    } catch (e) {
      if (!(e instanceof TreeError)) throw e;
      throw new TarError(`${shortPath(rawName)}: ${e.reason}`);
    }
    const dataSize = kind === "file" ? (sparse ? sparse.realSize : size) : 0;
    total += dataSize;
    if (total > limits.maxTotalBytes)
      throw new TarError(
        `files add up to more than the limit of ${fmt(limits.maxTotalBytes)} bytes`,
        limits.maxTotalBytes,
      );
    const field = (k: string, o: number, l: number) => {
      if (!all.has(k)) return num(bytes, off + o, l, k, at);
      // pax numbers are decimal text (mtime may carry a fraction); anything else is damage, not NaN.
      const v = all.get(k)!;
      if (k !== "mtime") return paxDecimal(v, k, at); // uid, gid: digits, as GNU tar's decode_num
      if (!/^-?[0-9]{1,20}(\.[0-9]*)?$/.test(v))
        throw new TarError(`${shortPath(path)}: pax ${k} "${v.slice(0, 40)}" is not a number`);
      return Math.floor(Number(v));
    };
    const entry: TreeEntry = {
      path,
      kind,
      mode: num(bytes, off + 100, 8, "mode", at) & 0o7777,
      uid: field("uid", 108, 8),
      gid: field("gid", 116, 8),
      mtime: field("mtime", 136, 12),
    };
    // A view, not a copy: the tree shares the archive's bytes, so memory stays near the data size.
    if (kind === "file") {
      const stored = take(size + (sparse ? sparse.extraBlocks * BLOCK : 0), at).subarray(
        sparse ? sparse.extraBlocks * BLOCK : 0,
      );
      entry.data = sparse ? unsparse(sparse, stored, path) : stored;
    }
    if (kind === "symlink") {
      if (rawLink === "") throw new TarError(`${path}: symlink with an empty target`);
      if (!rawLink.startsWith("/") && climbsOut(pathDepth(parentPath(path)), rawLink)) {
        throw new TarError(`${path}: symlink target "${rawLink}" points outside the tree`);
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
      if (!t || (t.kind !== "file" && t.kind !== "hardlink"))
        throw new TarError(`${path}: hard link target "${rawLink}" is not an earlier regular file in the archive`);
      entry.target = t.kind === "hardlink" ? t.target : target;
    }
    if (kind === "chardev" || kind === "blockdev") {
      entry.major = num(bytes, off + 329, 8, "devmajor", at);
      entry.minor = num(bytes, off + 337, 8, "devminor", at);
    }
    if (path === "/" && kind !== "dir") throw new TarError(`the archive's root must be a directory`);
    // A later entry replaces an earlier one, as tar extraction does, and takes its place in order.
    // Hard links made to the earlier file would keep its contents on disk; here they would
    // silently follow the new entry, so that case is refused.
    const linked = linkedBy.get(path);
    if (linked !== undefined && entries.has(path)) {
      throw new TarError(
        `${path} appears twice, and ${linked} is a hard link to the first one: tar would keep two different files, looproot cannot`,
      );
    }
    if (kind === "hardlink") linkedBy.set(entry.target!, linkedBy.get(entry.target!) ?? path);
    entries.delete(path);
    entries.set(path, entry);
    // Parents that the archive does not list get plain directories.
    for (let p = parentPath(path); !entries.has(p); p = parentPath(p)) {
      entries.set(p, { path: p, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: entry.mtime });
      if (p === "/") break;
    }
    if (entries.size > limits.maxEntries)
      throw new TarError(`more than ${fmt(limits.maxEntries)} entries`, limits.maxEntries);
    // Only regular files carry data; POSIX says the size field of the other types is ignored.
    off += BLOCK + (kind === "file" ? (sparse?.extraBlocks ?? 0) * BLOCK + Math.ceil(size / BLOCK) * BLOCK : 0);
  }
  if (!sawEnd && off !== bytes.length) throw new TarError(`archive ends in the middle of a header at byte ${off}`);
  if (entries.size === 0) throw new TarError("the archive is empty");
  // A directory entry replacing a file that already had children would orphan them.
  for (const e of entries.values()) {
    if (e.path === "/") continue;
    const parent = entries.get(parentPath(e.path));
    if (parent && parent.kind !== "dir")
      throw new TreeError(e.path, `its parent ${parent.path} is not a directory in the archive`);
  }
  return [...entries.values()];
}

/** Does a relative symlink target, followed from a directory `depth` levels deep, climb above the root? */
function climbsOut(depth: number, target: string): boolean {
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    depth += part === ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

/** Writes a tar archive (ustar, GNU long names) of a tree: the tests pack trees with it, the app offers the built root for download. */
export function writeTar(tree: Tree): Uint8Array {
  const chunks: Uint8Array[] = [];
  const header = (name: string, type: string, size: number, e: TreeEntry, link = "") => {
    const h = new Uint8Array(BLOCK);
    const put = (s: string, o: number, l: number) => h.set(nameBytes(s).subarray(0, l), o);
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
    const data = nameBytes(value + "\0");
    chunks.push(header("././@LongLink", type, data.length, { ...e, mode: 0, uid: 0, gid: 0, mtime: 0 }));
    pad(data);
  };
  const typeOf: Record<NodeKind, string> = {
    file: "0",
    hardlink: "1",
    symlink: "2",
    chardev: "3",
    blockdev: "4",
    dir: "5",
    fifo: "6",
    socket: "",
  };
  for (const e of tree) {
    if (e.kind === "socket") continue; // tar cannot hold sockets
    const name = e.path === "/" ? "./" : "." + e.path + (e.kind === "dir" ? "/" : "");
    const link = e.kind === "hardlink" ? "." + e.target! : e.kind === "symlink" ? e.target! : "";
    if (nameBytes(link).length > 100) longField("K", link, e);
    // The ustar field keeps the first 100 bytes; readers take the long name.
    if (nameBytes(name).length > 100) longField("L", name, e);
    const size = e.kind === "file" ? e.data!.length : 0;
    chunks.push(header(name, typeOf[e.kind], size, e, link));
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
