// The ext2 writer's plan, before a byte is written: the options checked, the groups and their
// metadata laid out as mke2fs would (inode ratio, rounding of s_inodes_per_group, dropping a
// too-small last group), and the tree planned (inode numbers, block counts, directory contents).

import { checkTree, baseName, parentPath, nameBytes, TreeError, type Tree, type TreeEntry } from "../tree.ts";
import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";
import {
  FIRST_INO,
  ROOT_INO,
  LPF_INO,
  LINK_MAX,
  MAX_TIME,
  MAX_BLOCKS,
  LABEL_MAX,
  FT_REG,
  FT_DIR,
  FT_CHR,
  FT_BLK,
  FT_FIFO,
  FT_SOCK,
  FT_SYMLINK,
  groupHasSuper,
} from "./layout.ts";

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

const enc = new TextEncoder();

export interface Params {
  B: number;
  bytesPerInode: number;
  reservedPercent: number;
  inodeSize: number;
  minInodes: number;
  label: Uint8Array;
}

export function checkParams(opts: Omit<Ext2Options, "sizeBytes">): Params {
  const bad = (field: string, why: string, limit: number | string) =>
    new LooprootError(ErrorCode.Limit, `ext2 ${field}: ${why}`, { field, limit });
  const B = opts.blockSize ?? 1024;
  if (B !== 1024 && B !== 2048 && B !== 4096)
    throw bad("blockSize", `${B} is not one of 1024, 2048, 4096`, "1024, 2048, 4096");
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
  if (opts.label !== undefined && typeof opts.label !== "string")
    throw new LooprootError(ErrorCode.Type, "ext2 label: expected a string", { field: "label" });
  const label = enc.encode(opts.label ?? "");
  if (label.length > LABEL_MAX) throw bad("label", `${label.length} bytes exceeds ${LABEL_MAX}`, LABEL_MAX);
  if (!(opts.uuid instanceof Uint8Array) || opts.uuid.length !== 16) {
    throw bad(
      "uuid",
      `must be 16 bytes, got ${opts.uuid instanceof Uint8Array ? opts.uuid.length : typeof opts.uuid}`,
      16,
    );
  }
  if (!Number.isInteger(opts.time) || opts.time < 0 || opts.time > MAX_TIME) {
    throw bad("time", `${opts.time} is outside 0..2,147,483,647 seconds`, `0..${MAX_TIME}`);
  }
  return { B, bytesPerInode, reservedPercent, inodeSize, minInodes, label };
}

// ---------------------------------------------------------------------------------------------
// Layout: groups, their metadata, the inode count. Mirrors mke2fs's arithmetic for the parts
// that matter (inode ratio, rounding of s_inodes_per_group, dropping a too-small last group).

/** The writer always sets sparse_super. */
export const hasSuper = (g: number) => groupHasSuper(g, true);

export interface Layout {
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

export function groupStart(l: Pick<Layout, "firstDataBlock" | "bpg">, g: number): number {
  return l.firstDataBlock + g * l.bpg;
}

export function groupOverhead(l: Pick<Layout, "gdtBlocks" | "itableBlocks">, g: number): number {
  return (hasSuper(g) ? 1 + l.gdtBlocks : 0) + 2 + l.itableBlocks;
}

/**
 * The layout mke2fs (ext2fs_initialize) chooses for a device of `totalBlocks` blocks, or a reason
 * it cannot exist. Same steps: the inode count from the ratio of the whole device; fewer blocks
 * per group while a group would need more than one bitmap of inodes; s_inodes_per_group filling
 * whole inode table blocks, rounded down to a multiple of 8; a last group too small for its
 * metadata plus 50 blocks cut off, with the reserved count scaled the way mke2fs scales it.
 */
export function computeLayout(totalBlocks: number, p: Params): Layout | string {
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
    if (3 + itableBlocks + gdtBlocks > bpg)
      return `the inode tables of ${fmt(groups)} groups exceed their ${fmt(bpg)} blocks`;
    const l: Layout = {
      blocks,
      reserved,
      firstDataBlock,
      bpg,
      groups,
      ipg,
      inodes,
      itableBlocks,
      gdtBlocks,
      freeForData: 0,
    };
    const last = groups - 1;
    const rem = (blocks - firstDataBlock) % bpg;
    const lastOver = groupOverhead(l, last);
    if (groups === 1 && rem && rem < lastOver)
      return `${fmt(blocks)} blocks cannot hold the ${fmt(lastOver + firstDataBlock)} blocks of metadata`;
    if (rem && rem < lastOver + 50) {
      blocks -= rem;
      reserved = Math.floor((((100 * reservedWanted) / totalBlocks) * blocks) / 100);
      continue;
    }
    let free = 0;
    for (let g = 0; g < groups; g++) {
      const size = Math.min(bpg, blocks - groupStart(l, g));
      const over = groupOverhead(l, g);
      if (size <= over)
        return `group ${g} has ${fmt(size)} blocks, fewer than its ${fmt(over + 1)} blocks of metadata and data`;
      free += size - over;
    }
    l.freeForData = free;
    return l;
  }
}

// ---------------------------------------------------------------------------------------------
// The tree, planned: inode numbers, block counts, directory contents.

export interface DirEnt {
  name: Uint8Array;
  ino: number;
  type: number;
}

export interface PNode {
  ino: number;
  entry: TreeEntry; // for lost+found when the tree has none, a synthetic entry
  links: number;
  dataBlocks: number; // data blocks (file contents, directory blocks, slow symlink block)
  totalBlocks: number; // data blocks plus indirect blocks
  children?: DirEnt[];
  linkBytes?: Uint8Array;
}

export interface Plan {
  nodes: PNode[]; // in allocation order: root, lost+found, then the rest; one per inode
  inodes: number; // highest inode number used
  blocks: number; // data + indirect blocks needed
  largeFile: boolean;
}

/** Blocks of indirection needed to map n data blocks, or -1 beyond triple indirection. */
export function indirectBlocks(n: number, P: number): number {
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

export function recLen(nameLen: number): number {
  return (8 + nameLen + 3) & ~3;
}

/** Directory blocks for these entries ("." and ".." included), packed in order. */
export function dirBlockCount(ents: DirEnt[], B: number): number {
  let blocks = 1,
    pos = 0;
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

export function lostFoundBlocks(B: number): number {
  // mke2fs grows lost+found to 16 KiB (at least two blocks), within the 12 direct blocks.
  return Math.min(12, Math.max(2, 16384 / B));
}

export function fileType(kind: TreeEntry["kind"]): number {
  switch (kind) {
    case "file":
    case "hardlink":
      return FT_REG;
    case "dir":
      return FT_DIR;
    case "symlink":
      return FT_SYMLINK;
    case "chardev":
      return FT_CHR;
    case "blockdev":
      return FT_BLK;
    case "fifo":
      return FT_FIFO;
    case "socket":
      return FT_SOCK;
  }
}

export function planTree(tree: Tree, B: number, time: number): Plan {
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
  const lpfEntry: TreeEntry = entries.find((e) => e.path === "/lost+found") ?? {
    path: "/lost+found",
    kind: "dir",
    mode: 0o700,
    uid: 0,
    gid: 0,
    mtime: time,
  };
  if (lpfEntry.kind !== "dir")
    throw new TreeError("/lost+found", `must be a directory (e2fsck keeps orphans there), not a ${lpfEntry.kind}`);

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
      if (t.length >= B)
        throw new TreeError(
          e.path,
          `symlink target of ${fmt(t.length)} bytes exceeds ${fmt(B - 1)} (block size - 1)`,
          B - 1,
        );
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
      if (node.links > LINK_MAX)
        throw new TreeError(e.target!, `${fmt(node.links)} links exceed ext2's ${fmt(LINK_MAX)}`, LINK_MAX);
    } else if (e.kind === "dir") {
      parent.links++;
      if (parent.links > LINK_MAX)
        throw new TreeError(
          parent.entry.path,
          `${fmt(parent.links - 2)} subdirectories exceed ext2's ${fmt(LINK_MAX - 2)}`,
          LINK_MAX - 2,
        );
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

export function fits(l: Layout, plan: Plan): boolean {
  return l.freeForData >= plan.blocks && l.inodes >= plan.inodes;
}

/**
 * The smallest image (a whole number of blocks) that holds `tree` with these options, with its
 * block and inode counts. Throws the same errors as makeExt2 for bad options or a bad tree.
 */
export function ext2Needs(
  tree: Tree,
  opts: Omit<Ext2Options, "sizeBytes">,
): { minBytes: number; blocks: number; inodes: number } {
  const p = checkParams(opts);
  const plan = planTree(tree, p.B, opts.time);
  const ok = (n: number): Layout | null => {
    const l = computeLayout(n, p);
    return typeof l !== "string" && fits(l, plan) ? l : null;
  };
  // Find an upper bound by doubling, then bisect assuming (near-)monotonicity, then make sure.
  let hi = Math.max(64, plan.blocks + 16);
  while (!ok(hi)) {
    if (hi >= MAX_BLOCKS)
      throw new LooprootError(
        ErrorCode.Limit,
        `ext2: the tree needs more than ${fmt(MAX_BLOCKS)} blocks of ${p.B} bytes`,
        { field: "sizeBytes", limit: MAX_BLOCKS },
      );
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
