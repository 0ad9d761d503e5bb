// A pure ext2 writer: the HOWTO's `mke2fs -i 1024 -b 1024 -m 5` followed by copying a tree in,
// done in one pass into one Uint8Array. Field names follow the kernel's ext2_fs.h
// (s_inodes_count, bg_block_bitmap, i_block, ...). No htree, no resize inode, no journal.

import { checkTree, baseName, parentPath, nameBytes, TreeError, type Tree, type TreeEntry } from "./tree.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

export interface Ext2Options {
  /** Size of the image in bytes; the filesystem uses floor(sizeBytes / blockSize) blocks. */
  sizeBytes: number;
  /** mke2fs -b. Default 1024. */
  blockSize?: 1024 | 2048 | 4096;
  /** mke2fs -i. Default 4096 (mke2fs's "small" type); the HOWTO uses 1024. */
  bytesPerInode?: number;
  /** mke2fs -m. Default 5. */
  reservedPercent?: number;
  /** mke2fs -L, at most 16 bytes of UTF-8. */
  label?: string;
  /** s_uuid: 16 bytes, derived by the caller from the config. */
  uuid: Uint8Array;
  /** Seconds since the epoch: s_mkfs_time, s_wtime, s_lastcheck and lost+found's times. */
  time: number;
  /** mke2fs -I. Default 128. */
  inodeSize?: 128 | 256;
  /** A floor for s_inodes_count (mke2fs -N). */
  minInodes?: number;
}

const EXT2_MAGIC = 0xef53;
const FIRST_INO = 11; // s_first_ino for revision 1
const ROOT_INO = 2;
const LPF_INO = 11;
const LINK_MAX = 32000; // EXT2_LINK_MAX in the kernel
const MAX_TIME = 0x7fffffff; // i_mtime is a signed 32-bit field
const MAX_BLOCKS = 0xffffffff;

// s_feature_* bits
const COMPAT_EXT_ATTR = 0x0008;
const INCOMPAT_FILETYPE = 0x0002;
const RO_COMPAT_SPARSE_SUPER = 0x0001;
const RO_COMPAT_LARGE_FILE = 0x0002;

// i_mode file types
const S_IFSOCK = 0xc000, S_IFLNK = 0xa000, S_IFREG = 0x8000, S_IFBLK = 0x6000;
const S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

// ext2_dir_entry_2.file_type
const FT_REG = 1, FT_DIR = 2, FT_CHR = 3, FT_BLK = 4, FT_FIFO = 5, FT_SOCK = 6, FT_SYMLINK = 7;

const enc = new TextEncoder();


interface Params {
  B: number;
  bytesPerInode: number;
  reservedPercent: number;
  inodeSize: number;
  minInodes: number;
  label: Uint8Array;
}

/** s_volume_name: mke2fs -L takes at most 16 bytes. */
export const LABEL_MAX = 16;

function checkParams(opts: Omit<Ext2Options, "sizeBytes">): Params {
  const bad = (field: string, why: string, limit: number | string) => new LooprootError(ErrorCode.Limit, `ext2 ${field}: ${why}`, { field, limit });
  const B = opts.blockSize ?? 1024;
  if (B !== 1024 && B !== 2048 && B !== 4096) throw bad("blockSize", `${B} is not one of 1024, 2048, 4096`, "1024, 2048, 4096");
  const bytesPerInode = opts.bytesPerInode ?? 4096;
  if (!Number.isInteger(bytesPerInode) || bytesPerInode < 1024 || bytesPerInode > 67108864) {
    throw bad("bytesPerInode", `${bytesPerInode} is outside 1,024..67,108,864`, "1024..67108864");
  }
  const reservedPercent = opts.reservedPercent ?? 5;
  if (typeof reservedPercent !== "number" || !(reservedPercent >= 0 && reservedPercent <= 50)) {
    throw bad("reservedPercent", `${reservedPercent} is outside 0..50`, "0..50");
  }
  const inodeSize = opts.inodeSize ?? 128;
  if (inodeSize !== 128 && inodeSize !== 256) throw bad("inodeSize", `${inodeSize} is not 128 or 256`, "128, 256");
  const minInodes = opts.minInodes ?? 0;
  if (!Number.isInteger(minInodes) || minInodes < 0 || minInodes > 0xffffffff) {
    throw bad("minInodes", `${minInodes} is outside 0..4,294,967,295`, "0..4294967295");
  }
  if (opts.label !== undefined && typeof opts.label !== "string") throw new LooprootError(ErrorCode.Type, "ext2 label: expected a string", { field: "label" });
  const label = enc.encode(opts.label ?? "");
  if (label.length > LABEL_MAX) throw bad("label", `${label.length} bytes exceeds ${LABEL_MAX}`, LABEL_MAX);
  if (!(opts.uuid instanceof Uint8Array) || opts.uuid.length !== 16) {
    throw bad("uuid", `must be 16 bytes, got ${opts.uuid instanceof Uint8Array ? opts.uuid.length : typeof opts.uuid}`, 16);
  }
  if (!Number.isInteger(opts.time) || opts.time < 0 || opts.time > MAX_TIME) {
    throw bad("time", `${opts.time} is outside 0..2,147,483,647 seconds`, `0..${MAX_TIME}`);
  }
  return { B, bytesPerInode, reservedPercent, inodeSize, minInodes, label };
}

// ---------------------------------------------------------------------------------------------
// Layout: groups, their metadata, the inode count. Mirrors mke2fs's arithmetic for the parts
// that matter (inode ratio, rounding of s_inodes_per_group, dropping a too-small last group).

function hasSuper(g: number): boolean {
  // sparse_super: groups 0, 1 and powers of 3, 5 and 7 carry a backup superblock and GDT.
  if (g <= 1) return true;
  for (const p of [3, 5, 7]) {
    let x = p;
    while (x < g) x *= p;
    if (x === g) return true;
  }
  return false;
}

interface Layout {
  blocks: number; // s_blocks_count
  reserved: number; // s_r_blocks_count
  firstDataBlock: number;
  bpg: number; // s_blocks_per_group
  groups: number;
  ipg: number;
  inodes: number;
  itableBlocks: number;
  gdtBlocks: number;
  freeForData: number; // blocks left after all metadata
}

function groupStart(l: Pick<Layout, "firstDataBlock" | "bpg">, g: number): number {
  return l.firstDataBlock + g * l.bpg;
}

function groupOverhead(l: Pick<Layout, "gdtBlocks" | "itableBlocks">, g: number): number {
  return (hasSuper(g) ? 1 + l.gdtBlocks : 0) + 2 + l.itableBlocks;
}

/**
 * The layout mke2fs (ext2fs_initialize) chooses for a device of `totalBlocks` blocks, or a reason
 * it cannot exist. Same steps: the inode count from the ratio of the whole device; fewer blocks
 * per group while a group would need more than one bitmap of inodes; s_inodes_per_group filling
 * whole inode table blocks, rounded down to a multiple of 8; a last group too small for its
 * metadata plus 50 blocks cut off, with the reserved count scaled the way mke2fs scales it.
 */
function computeLayout(totalBlocks: number, p: Params): Layout | string {
  const B = p.B;
  const firstDataBlock = B === 1024 ? 1 : 0;
  const ipb = B / p.inodeSize;
  const inodesWanted = Math.max(Math.floor((totalBlocks * B) / p.bytesPerInode), p.minInodes, FIRST_INO + 1);
  if (inodesWanted * p.inodeSize >= totalBlocks * B) {
    return `${fmt(inodesWanted)} inodes of ${p.inodeSize} bytes do not fit ${fmt(totalBlocks)} blocks`;
  }
  const reservedWanted = Math.floor((p.reservedPercent * totalBlocks) / 100);
  let reserved = reservedWanted;
  let bpg = 8 * B;
  let blocks = totalBlocks;
  for (;;) {
    if (blocks <= firstDataBlock) return `${fmt(totalBlocks)} blocks is too few for a filesystem`;
    const groups = Math.ceil((blocks - firstDataBlock) / bpg);
    const gdtBlocks = Math.ceil((groups * 32) / B);
    let ipg = Math.ceil(inodesWanted / groups);
    if (ipg > 8 * B) {
      if (bpg < 256) return `${fmt(inodesWanted)} inodes exceed what ${fmt(groups)} groups can hold`;
      bpg -= 8; // as mke2fs: smaller groups, so more of them share the inodes
      blocks = totalBlocks;
      continue;
    }
    ipg = Math.min(ipg, 65536 - ipb);
    let itableBlocks = Math.ceil((ipg * p.inodeSize) / B);
    ipg = Math.max(8, (itableBlocks * B) / p.inodeSize) & ~7;
    itableBlocks = Math.ceil((ipg * p.inodeSize) / B);
    const inodes = ipg * groups;
    if (inodes > 0xffffffff) return `${fmt(inodes)} inodes exceeds 4,294,967,295`;
    if (3 + itableBlocks + gdtBlocks > bpg) return `the inode tables of ${fmt(groups)} groups exceed their ${fmt(bpg)} blocks`;
    const l: Layout = { blocks, reserved, firstDataBlock, bpg, groups, ipg, inodes, itableBlocks, gdtBlocks, freeForData: 0 };
    const last = groups - 1;
    const rem = (blocks - firstDataBlock) % bpg;
    const lastOver = groupOverhead(l, last);
    if (groups === 1 && rem && rem < lastOver) return `${fmt(blocks)} blocks cannot hold the ${fmt(lastOver + firstDataBlock)} blocks of metadata`;
    if (rem && rem < lastOver + 50) {
      blocks -= rem;
      reserved = Math.floor((((100 * reservedWanted) / totalBlocks) * blocks) / 100);
      continue;
    }
    let free = 0;
    for (let g = 0; g < groups; g++) {
      const size = Math.min(bpg, blocks - groupStart(l, g));
      const over = groupOverhead(l, g);
      if (size <= over) return `group ${g} has ${fmt(size)} blocks, fewer than its ${fmt(over + 1)} blocks of metadata and data`;
      free += size - over;
    }
    l.freeForData = free;
    return l;
  }
}

// ---------------------------------------------------------------------------------------------
// The tree, planned: inode numbers, block counts, directory contents.

interface DirEnt {
  name: Uint8Array;
  ino: number;
  type: number;
}

interface PNode {
  ino: number;
  entry: TreeEntry; // for lost+found when the tree has none, a synthetic entry
  links: number;
  dataBlocks: number; // data blocks (file contents, directory blocks, slow symlink block)
  totalBlocks: number; // data blocks plus indirect blocks
  children?: DirEnt[];
  linkBytes?: Uint8Array;
}

interface Plan {
  nodes: PNode[]; // in allocation order: root, lost+found, then the rest; one per inode
  inodes: number; // highest inode number used
  blocks: number; // data + indirect blocks needed
  largeFile: boolean;
}

/** Blocks of indirection needed to map n data blocks, or -1 beyond triple indirection. */
function indirectBlocks(n: number, P: number): number {
  let c = 0;
  n -= 12;
  if (n <= 0) return 0;
  c += 1;
  n -= P;
  if (n <= 0) return c;
  const m2 = Math.min(n, P * P);
  c += 1 + Math.ceil(m2 / P);
  n -= P * P;
  if (n <= 0) return c;
  const m3 = Math.min(n, P * P * P);
  c += 1 + Math.ceil(m3 / (P * P)) + Math.ceil(m3 / P);
  n -= P * P * P;
  if (n <= 0) return c;
  return -1;
}

function recLen(nameLen: number): number {
  return (8 + nameLen + 3) & ~3;
}

/** Directory blocks for these entries ("." and ".." included), packed in order. */
function dirBlockCount(ents: DirEnt[], B: number): number {
  let blocks = 1, pos = 0;
  for (const e of ents) {
    const rl = recLen(e.name.length);
    if (pos + rl > B) {
      blocks++;
      pos = 0;
    }
    pos += rl;
  }
  return blocks;
}

function lostFoundBlocks(B: number): number {
  // mke2fs grows lost+found to 16 KiB (at least two blocks), within the 12 direct blocks.
  return Math.min(12, Math.max(2, 16384 / B));
}

function fileType(kind: TreeEntry["kind"]): number {
  switch (kind) {
    case "file": case "hardlink": return FT_REG;
    case "dir": return FT_DIR;
    case "symlink": return FT_SYMLINK;
    case "chardev": return FT_CHR;
    case "blockdev": return FT_BLK;
    case "fifo": return FT_FIFO;
    case "socket": return FT_SOCK;
  }
}

function planTree(tree: Tree, B: number, time: number): Plan {
  const entries = checkTree(tree);
  const P = B / 4;
  const byPath = new Map<string, PNode>();
  const nodes: PNode[] = [];
  let nextIno = FIRST_INO + 1;
  let largeFile = false;

  for (const e of entries) {
    if (!Number.isInteger(e.mtime) || e.mtime < 0 || e.mtime > MAX_TIME) {
      throw new TreeError(e.path, `mtime ${e.mtime} is outside ext2's 0..2,147,483,647 seconds`, "0..2147483647");
    }
  }
  const rootEntry = entries[0];
  const lpfEntry: TreeEntry = entries.find((e) => e.path === "/lost+found") ??
    { path: "/lost+found", kind: "dir", mode: 0o700, uid: 0, gid: 0, mtime: time };
  if (lpfEntry.kind !== "dir") throw new TreeError("/lost+found", `must be a directory (e2fsck keeps orphans there), not a ${lpfEntry.kind}`);

  const root: PNode = { ino: ROOT_INO, entry: rootEntry, links: 2, dataBlocks: 0, totalBlocks: 0, children: [] };
  const lpf: PNode = { ino: LPF_INO, entry: lpfEntry, links: 2, dataBlocks: 0, totalBlocks: 0, children: [] };
  byPath.set("/", root);
  byPath.set("/lost+found", lpf);
  nodes.push(root, lpf);
  root.children!.push({ name: enc.encode("lost+found"), ino: LPF_INO, type: FT_DIR });
  root.links++;

  // Pass 1: an inode for every entry but hard links (whose targets may sort after them).
  for (const e of entries) {
    if (e.path === "/" || e.path === "/lost+found" || e.kind === "hardlink") continue;
    const node: PNode = { ino: nextIno++, entry: e, links: 1, dataBlocks: 0, totalBlocks: 0 };
    nodes.push(node);
    byPath.set(e.path, node);
    if (e.kind === "dir") {
      node.children = [];
      node.links = 2;
    } else if (e.kind === "file") {
      const size = e.data!.length;
      if (size >= 0x80000000) largeFile = true;
      node.dataBlocks = Math.ceil(size / B);
      const ind = indirectBlocks(node.dataBlocks, P);
      if (ind < 0) throw new TreeError(e.path, `${fmt(size)} bytes exceeds the largest file ${B}-byte blocks can map`);
      node.totalBlocks = node.dataBlocks + ind;
    } else if (e.kind === "symlink") {
      const t = nameBytes(e.target!); // a target keeps its bytes, like a name
      if (t.includes(0)) throw new TreeError(e.path, "symlink target contains a NUL byte");
      if (t.length >= B) throw new TreeError(e.path, `symlink target of ${fmt(t.length)} bytes exceeds ${fmt(B - 1)} (block size - 1)`, B - 1);
      node.linkBytes = t;
      // Fast symlinks keep the text in i_block (60 bytes); longer ones take a data block.
      if (t.length >= 60) node.dataBlocks = node.totalBlocks = 1;
    }
  }
  // Pass 2: directory entries in the tree's order, and link counts.
  for (const e of entries) {
    if (e.path === "/" || e.path === "/lost+found") continue;
    const parent = byPath.get(parentPath(e.path))!;
    const node = byPath.get(e.kind === "hardlink" ? e.target! : e.path)!;
    if (e.kind === "hardlink") {
      node.links++;
      if (node.links > LINK_MAX) throw new TreeError(e.target!, `${fmt(node.links)} links exceed ext2's ${fmt(LINK_MAX)}`, LINK_MAX);
    } else if (e.kind === "dir") {
      parent.links++;
      if (parent.links > LINK_MAX) throw new TreeError(parent.entry.path, `${fmt(parent.links - 2)} subdirectories exceed ext2's ${fmt(LINK_MAX - 2)}`, LINK_MAX - 2);
    }
    parent.children!.push({ name: nameBytes(baseName(e.path)), ino: node.ino, type: fileType(e.kind) });
  }

  let blocks = 0;
  for (const n of nodes) {
    if (n.children) {
      const all: DirEnt[] = [
        { name: enc.encode("."), ino: n.ino, type: FT_DIR },
        { name: enc.encode(".."), ino: 0, type: FT_DIR },
        ...n.children,
      ];
      n.dataBlocks = dirBlockCount(all, B);
      if (n === lpf) n.dataBlocks = Math.max(n.dataBlocks, lostFoundBlocks(B));
      if (n.dataBlocks * B > 0xffffffff) throw new TreeError(n.entry.path, "directory exceeds 4 GiB");
      const ind = indirectBlocks(n.dataBlocks, P);
      if (ind < 0) throw new TreeError(n.entry.path, "directory too large for the block map");
      n.totalBlocks = n.dataBlocks + ind;
    }
    blocks += n.totalBlocks;
  }
  return { nodes, inodes: nextIno - 1, blocks, largeFile };
}

function fits(l: Layout, plan: Plan): boolean {
  return l.freeForData >= plan.blocks && l.inodes >= plan.inodes;
}

/**
 * The smallest image (a whole number of blocks) that holds `tree` with these options, with its
 * block and inode counts. Throws the same errors as makeExt2 for bad options or a bad tree.
 */
export function ext2Needs(tree: Tree, opts: Omit<Ext2Options, "sizeBytes">): { minBytes: number; blocks: number; inodes: number } {
  const p = checkParams(opts);
  const plan = planTree(tree, p.B, opts.time);
  const ok = (n: number): Layout | null => {
    const l = computeLayout(n, p);
    return typeof l !== "string" && fits(l, plan) ? l : null;
  };
  // Find an upper bound by doubling, then bisect assuming (near-)monotonicity, then make sure.
  let hi = Math.max(64, plan.blocks + 16);
  while (!ok(hi)) {
    if (hi >= MAX_BLOCKS) throw new LooprootError(ErrorCode.Limit, `ext2: the tree needs more than ${fmt(MAX_BLOCKS)} blocks of ${p.B} bytes`, { field: "sizeBytes", limit: MAX_BLOCKS });
    hi = Math.min(MAX_BLOCKS, hi * 2);
  }
  let lo = Math.max(1, plan.blocks);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  let l = ok(lo);
  while (!l) l = ok(++lo);
  return { minBytes: lo * p.B, blocks: lo, inodes: l.inodes };
}

// ---------------------------------------------------------------------------------------------

/** A 16-byte s_hash_seed derived from the UUID (deterministic, distinct from it). */
function hashSeed(uuid: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      h ^= uuid[j] ^ (i * 16 + j);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d) >>> 0;
    h ^= h >>> 12;
    out[i] = h & 0xff;
  }
  out[6] = (out[6] & 0x0f) | 0x40; // shaped like a version-4 UUID, as mke2fs's random seed is
  out[8] = (out[8] & 0x3f) | 0x80;
  return out;
}

/**
 * Builds an ext2 image of opts.sizeBytes bytes holding `tree`: what `mke2fs -t ext2` with these
 * options followed by copying the tree in would give (without resize_inode and dir_index).
 * `into`, when given, is where the image is written instead of a new array (a file's window of a
 * disk image, so the image is never copied); it must be sizeBytes long and all zero, as a fresh
 * array is (nothing is zero-filled here).
 */
export function makeExt2(tree: Tree, opts: Ext2Options, into?: Uint8Array): Uint8Array {
  const p = checkParams(opts);
  const B = p.B;
  if (!Number.isInteger(opts.sizeBytes) || opts.sizeBytes <= 0) {
    throw new LooprootError(ErrorCode.Limit, `ext2 sizeBytes: ${opts.sizeBytes} is not a positive whole number of bytes`, { field: "sizeBytes" });
  }
  const totalBlocks = Math.floor(opts.sizeBytes / B);
  if (totalBlocks > MAX_BLOCKS) {
    throw new LooprootError(ErrorCode.Limit, `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes is ${fmt(totalBlocks)} blocks of ${B}, beyond the ${fmt(MAX_BLOCKS)}-block limit`, { field: "sizeBytes", limit: MAX_BLOCKS * B });
  }
  const plan = planTree(tree, B, opts.time);
  const l = computeLayout(totalBlocks, p);
  if (typeof l === "string" || !fits(l, plan)) {
    const need = ext2Needs(tree, opts);
    if (need.minBytes > opts.sizeBytes) {
      throw new LooprootError(ErrorCode.Limit, `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes is too small for the tree: needs at least ${fmt(need.minBytes)} bytes`, { field: "sizeBytes", limit: need.minBytes });
    }
    // Rare: a smaller size works, but this one's group layout (a cut-off last group, smaller
    // groups) leaves too little room. Name the next size up that works too.
    let up = totalBlocks + 1;
    for (let l2 = computeLayout(up, p); up < MAX_BLOCKS && (typeof l2 === "string" || !fits(l2, plan)); l2 = computeLayout(++up, p));
    throw new LooprootError(ErrorCode.Limit, `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes does not hold the tree with the group layout of that size: ${fmt(need.minBytes)} or ${fmt(up * B)} bytes do`, { field: "sizeBytes", limit: up * B });
  }

  if (into !== undefined && into.length !== opts.sizeBytes) {
    throw new Error(`ext2 into: ${fmt(into.length)} bytes, the image has ${fmt(opts.sizeBytes)}`);
  }
  const img = into ?? new Uint8Array(opts.sizeBytes);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const P = B / 4;

  // Metadata placement and the block-in-use map (one byte per block: simple and fast enough).
  const used = new Uint8Array(l.blocks);
  const bbm: number[] = [], ibm: number[] = [], itab: number[] = [];
  for (let g = 0; g < l.groups; g++) {
    const start = groupStart(l, g);
    let b = start;
    if (hasSuper(g)) b += 1 + l.gdtBlocks;
    bbm.push(b); ibm.push(b + 1); itab.push(b + 2);
    used.fill(1, start, start + groupOverhead(l, g));
  }
  if (l.firstDataBlock) used[0] = 1;

  let cursor = l.firstDataBlock;
  const alloc = (): number => {
    while (used[cursor]) cursor++;
    used[cursor] = 1;
    return cursor++;
  };

  /**
   * Allocates n data blocks with their indirect blocks (each indirect block just before the
   * blocks it maps, as the kernel lays out a file written sequentially); fills i_block.
   */
  const allocMapped = (n: number, iblock: Uint32Array, onData: (i: number, blk: number) => void) => {
    let i = 0;
    for (; i < n && i < 12; i++) {
      const b = alloc();
      iblock[i] = b;
      onData(i, b);
    }
    const level = (depth: number): number => {
      const blk = alloc();
      const base = blk * B;
      for (let k = 0; k < P && i < n; k++) {
        const child = depth === 1 ? alloc() : level(depth - 1);
        if (depth === 1) onData(i++, child);
        dv.setUint32(base + 4 * k, child, true);
      }
      return blk;
    };
    if (i < n) iblock[12] = level(1);
    if (i < n) iblock[13] = level(2);
    if (i < n) iblock[14] = level(3);
  };

  const inodeOff = (ino: number): number => {
    const g = Math.floor((ino - 1) / l.ipg);
    return itab[g] * B + ((ino - 1) % l.ipg) * p.inodeSize;
  };

  const writeInode = (ino: number, mode: number, e: TreeEntry, size: number, links: number, blocks: number, iblock: Uint32Array | null, raw?: Uint8Array) => {
    const o = inodeOff(ino);
    dv.setUint16(o + 0, mode, true); // i_mode
    dv.setUint16(o + 2, e.uid & 0xffff, true); // i_uid
    dv.setUint32(o + 4, size % 0x100000000, true); // i_size
    dv.setUint32(o + 8, e.mtime, true); // i_atime
    dv.setUint32(o + 12, e.mtime, true); // i_ctime
    dv.setUint32(o + 16, e.mtime, true); // i_mtime
    dv.setUint16(o + 24, e.gid & 0xffff, true); // i_gid
    dv.setUint16(o + 26, links, true); // i_links_count
    dv.setUint32(o + 28, blocks * (B / 512), true); // i_blocks, in 512-byte sectors
    if (iblock) for (let k = 0; k < 15; k++) dv.setUint32(o + 40 + 4 * k, iblock[k], true);
    if (raw) img.set(raw, o + 40);
    dv.setUint32(o + 108, Math.floor(size / 0x100000000), true); // i_size_high
    dv.setUint16(o + 120, e.uid >>> 16, true); // l_i_uid_high
    dv.setUint16(o + 122, e.gid >>> 16, true); // l_i_gid_high
    if (p.inodeSize > 128) {
      dv.setUint16(o + 128, 32, true); // i_extra_isize
      dv.setUint32(o + 144, e.mtime, true); // i_crtime
    }
  };

  const dirsPerGroup = new Uint32Array(l.groups);
  const parentOf = new Map<number, number>();
  for (const n of plan.nodes) if (n.children) for (const c of n.children) if (c.type === FT_DIR) parentOf.set(c.ino, n.ino);
  parentOf.set(ROOT_INO, ROOT_INO);

  for (const n of plan.nodes) {
    const e = n.entry;
    const iblock = new Uint32Array(15);
    switch (e.kind) {
      case "dir": {
        dirsPerGroup[Math.floor((n.ino - 1) / l.ipg)]++;
        const ents: DirEnt[] = [
          { name: enc.encode("."), ino: n.ino, type: FT_DIR },
          { name: enc.encode(".."), ino: parentOf.get(n.ino)!, type: FT_DIR },
          ...n.children!,
        ];
        const phys: number[] = [];
        allocMapped(n.dataBlocks, iblock, (_i, b) => phys.push(b));
        let bi = 0, pos = 0, prev = -1;
        for (const d of ents) {
          const rl = recLen(d.name.length);
          if (pos + rl > B) {
            dv.setUint16(prev + 4, phys[bi] * B + B - prev, true); // stretch the last rec_len to the block end
            bi++;
            pos = 0;
          }
          const o = phys[bi] * B + pos;
          dv.setUint32(o, d.ino, true); // inode
          dv.setUint16(o + 4, rl, true); // rec_len
          img[o + 6] = d.name.length; // name_len
          img[o + 7] = d.type; // file_type
          img.set(d.name, o + 8);
          prev = o;
          pos += rl;
        }
        dv.setUint16(prev + 4, phys[bi] * B + B - prev, true);
        // Blocks past the entries (lost+found's spare room) hold one empty entry each.
        for (bi++; bi < phys.length; bi++) dv.setUint16(phys[bi] * B + 4, B, true);
        writeInode(n.ino, S_IFDIR | e.mode, e, n.dataBlocks * B, n.links, n.totalBlocks, iblock);
        break;
      }
      case "file": {
        const data = e.data!;
        allocMapped(n.dataBlocks, iblock, (i, b) => {
          img.set(data.subarray(i * B, Math.min(data.length, (i + 1) * B)), b * B);
        });
        writeInode(n.ino, S_IFREG | e.mode, e, data.length, n.links, n.totalBlocks, iblock);
        break;
      }
      case "symlink": {
        const t = n.linkBytes!;
        if (t.length < 60) {
          writeInode(n.ino, S_IFLNK | e.mode, e, t.length, 1, 0, null, t);
        } else {
          const b = alloc();
          iblock[0] = b;
          img.set(t, b * B);
          writeInode(n.ino, S_IFLNK | e.mode, e, t.length, 1, 1, iblock);
        }
        break;
      }
      case "chardev":
      case "blockdev": {
        const ma = e.major!, mi = e.minor!;
        // The kernel's encoding: old 16-bit dev_t in i_block[0] when it fits, else new in i_block[1].
        if (ma < 256 && mi < 256) iblock[0] = (ma << 8) | mi;
        else iblock[1] = ((mi & 0xff) | (ma << 8) | ((mi & ~0xff) << 12)) >>> 0;
        writeInode(n.ino, (e.kind === "chardev" ? S_IFCHR : S_IFBLK) | e.mode, e, 0, 1, 0, iblock);
        break;
      }
      case "fifo":
        writeInode(n.ino, S_IFIFO | e.mode, e, 0, 1, 0, iblock);
        break;
      case "socket":
        writeInode(n.ino, S_IFSOCK | e.mode, e, 0, 1, 0, iblock);
        break;
      case "hardlink":
        break; // never a node of its own
    }
  }
  // Inode 1 (bad blocks) carries the creation times, as mke2fs leaves it.
  {
    const o = inodeOff(1);
    dv.setUint32(o + 8, opts.time, true);
    dv.setUint32(o + 12, opts.time, true);
    dv.setUint32(o + 16, opts.time, true);
    if (p.inodeSize > 128) dv.setUint16(o + 128, 32, true);
  }

  // Bitmaps and group descriptors.
  let freeBlocksTotal = 0, freeInodesTotal = 0;
  const gdt = new Uint8Array(l.gdtBlocks * B);
  const gdv = new DataView(gdt.buffer);
  for (let g = 0; g < l.groups; g++) {
    const start = groupStart(l, g);
    const size = Math.min(l.bpg, l.blocks - start);
    const bb = bbm[g] * B;
    let free = 0;
    for (let i = 0; i < 8 * B; i++) {
      // Bits past the end of the group (the last one, or all when s_blocks_per_group < 8 * block
      // size) are set, as e2fsck expects of the padding.
      if (i >= size || used[start + i]) img[bb + (i >> 3)] |= 1 << (i & 7);
      else free++;
    }
    const ib = ibm[g] * B;
    let ifree = 0;
    for (let i = 0; i < 8 * B; i++) {
      const ino = g * l.ipg + i + 1;
      if (i >= l.ipg || ino <= plan.inodes || ino < FIRST_INO) img[ib + (i >> 3)] |= 1 << (i & 7);
      else ifree++;
    }
    freeBlocksTotal += free;
    freeInodesTotal += ifree;
    const d = g * 32;
    gdv.setUint32(d + 0, bbm[g], true); // bg_block_bitmap
    gdv.setUint32(d + 4, ibm[g], true); // bg_inode_bitmap
    gdv.setUint32(d + 8, itab[g], true); // bg_inode_table
    gdv.setUint16(d + 12, free, true); // bg_free_blocks_count
    gdv.setUint16(d + 14, ifree, true); // bg_free_inodes_count
    gdv.setUint16(d + 16, dirsPerGroup[g], true); // bg_used_dirs_count
  }

  // The superblock, always at byte 1024.
  const sb = new Uint8Array(1024);
  const s = new DataView(sb.buffer);
  s.setUint32(0, l.inodes, true); // s_inodes_count
  s.setUint32(4, l.blocks, true); // s_blocks_count
  s.setUint32(8, l.reserved, true); // s_r_blocks_count
  s.setUint32(12, freeBlocksTotal, true); // s_free_blocks_count
  s.setUint32(16, freeInodesTotal, true); // s_free_inodes_count
  s.setUint32(20, l.firstDataBlock, true); // s_first_data_block
  s.setUint32(24, Math.log2(B) - 10, true); // s_log_block_size
  s.setUint32(28, Math.log2(B) - 10, true); // s_log_frag_size
  s.setUint32(32, l.bpg, true); // s_blocks_per_group
  s.setUint32(36, l.bpg, true); // s_frags_per_group
  s.setUint32(40, l.ipg, true); // s_inodes_per_group
  s.setUint32(48, opts.time, true); // s_wtime
  s.setInt16(54, -1, true); // s_max_mnt_count: no mount-count checks
  s.setUint16(56, EXT2_MAGIC, true); // s_magic
  s.setUint16(58, 1, true); // s_state: EXT2_VALID_FS
  s.setUint16(60, 1, true); // s_errors: EXT2_ERRORS_CONTINUE
  s.setUint32(64, opts.time, true); // s_lastcheck
  s.setUint32(72, 0, true); // s_creator_os: EXT2_OS_LINUX
  s.setUint32(76, 1, true); // s_rev_level: EXT2_DYNAMIC_REV
  s.setUint32(84, FIRST_INO, true); // s_first_ino
  s.setUint16(88, p.inodeSize, true); // s_inode_size
  s.setUint32(92, COMPAT_EXT_ATTR, true); // s_feature_compat
  s.setUint32(96, INCOMPAT_FILETYPE, true); // s_feature_incompat
  s.setUint32(100, RO_COMPAT_SPARSE_SUPER | (plan.largeFile ? RO_COMPAT_LARGE_FILE : 0), true); // s_feature_ro_compat
  sb.set(opts.uuid, 104); // s_uuid
  sb.set(p.label, 120); // s_volume_name
  sb.set(hashSeed(opts.uuid), 236); // s_hash_seed
  sb[252] = 1; // s_def_hash_version: half_md4, as mke2fs
  s.setUint32(256, 0x000c, true); // s_default_mount_opts: user_xattr, acl (mke2fs's default)
  s.setUint32(264, opts.time, true); // s_mkfs_time
  if (p.inodeSize > 128) {
    s.setUint16(348, 32, true); // s_min_extra_isize
    s.setUint16(350, 32, true); // s_want_extra_isize
  }
  s.setUint32(352, 0x0001, true); // s_flags: signed directory hash

  for (let g = 0; g < l.groups; g++) {
    if (!hasSuper(g)) continue;
    const start = groupStart(l, g);
    s.setUint16(90, g, true); // s_block_group_nr
    img.set(sb, g === 0 ? 1024 : start * B);
    img.set(gdt, (start + 1) * B);
  }
  return img;
}
