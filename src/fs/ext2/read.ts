// A pure ext2 reader: the superblock, the group descriptors, inodes through triple indirection,
// directories, symlinks, devices. The image may be anyone's (an opened file, a disk the guest
// changed), so every number read is checked against the image before it is used: a bad image ends
// in one E_IMAGE error naming the field and where, never a hang or an allocation the image does
// not justify. Field names follow the kernel's ext2_fs.h.

import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";
import {
  EXT2_MAGIC,
  ROOT_INO,
  INCOMPAT_FILETYPE,
  RO_COMPAT_SPARSE_SUPER,
  RO_COMPAT_LARGE_FILE,
  COMPAT_RESIZE_INODE,
  INCOMPAT_NAMES,
  S_IFMT,
  S_IFREG,
  S_IFDIR,
  S_IFLNK,
  S_IFCHR,
  S_IFBLK,
  S_IFIFO,
  S_IFSOCK,
  groupHasSuper,
} from "./layout.ts";
import { type Tree, type TreeEntry, type NodeKind } from "../tree.ts";
import { uuidString } from "../../util/uuid.ts";

// Features this reader understands. An unknown incompat feature changes the on-disk format, so such
// an image is refused; unknown compat / ro_compat features do not change how files are found.
const INCOMPAT_KNOWN = INCOMPAT_FILETYPE;

export interface Ext2Group {
  index: number;
  /** First and last block of the group (inclusive). */
  firstBlock: number;
  lastBlock: number;
  /** The superblock (group 0) or its backup, when the group carries one. */
  hasSuperblock: boolean;
  /** Blocks of the group descriptor table (or its backup) and of the reserved GDT blocks, when present. */
  gdtBlocks: number;
  reservedGdtBlocks: number;
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  inodeTableBlocks: number;
  freeBlocks: number;
  freeInodes: number;
  usedDirs: number;
  /** Runs [first, count] of blocks the bitmap marks used, outside the group's own metadata. */
  usedData: [number, number][];
}

export interface Ext2Layout {
  blockSize: number;
  blocksCount: number;
  inodesCount: number;
  reservedBlocks: number;
  freeBlocks: number;
  freeInodes: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodeSize: number;
  revLevel: number;
  firstIno: number;
  featureCompat: number;
  featureIncompat: number;
  featureRoCompat: number;
  label: string;
  uuid: string;
  state: number;
  mtime: number;
  wtime: number;
  mkfsTime: number;
  groups: Ext2Group[];
}

/** What the reader found for one path, beyond the tree: the inode and where its data lies. */
export interface Ext2Node {
  path: string;
  ino: number;
  links: number;
  size: number;
  /** Data blocks in file order as runs [first, count]; holes are left out. */
  runs: [number, number][];
  /** The logical block (within the file) where each run starts, so holes can be placed. */
  starts: number[];
}

export interface Ext2Image {
  layout: Ext2Layout;
  tree: Tree;
  nodes: Ext2Node[];
  /** Entries walked but left out by maxEntries or maxPathChars (0 without caps). */
  omitted: number;
}

export interface Ext2ReadOptions {
  /**
   * Most bytes of file contents to unpack in all (sparse files can claim far more than the image
   * holds). Default: 4 x the image size plus 16 MiB.
   */
  maxDataBytes?: number;
  /** Offset of the filesystem in `image` (a partition or a file inside another image). */
  offset?: number;
  /**
   * false: regular files' contents are not copied out (their entries carry no data; their blocks
   * are in `nodes`), so a big image can be listed and mapped without a second copy of its files.
   */
  contents?: boolean;
  /**
   * A lister's caps: entries whose path is longer than maxPathChars (no program can name them in
   * one path: Linux's PATH_MAX is 4,096 bytes), or that come after the first maxEntries, are still
   * walked and checked but left out of `tree` and `nodes` and counted in `omitted`. Without caps a
   * tree 30,000 directories deep holds paths of 60,000 characters each.
   */
  maxEntries?: number;
  maxPathChars?: number;
}

/** Is there an ext2 superblock magic at offset 1024? (For recognising an image, not validating it.) */
export function looksLikeExt2(image: Uint8Array, offset = 0): boolean {
  const o = offset + 1024 + 56;
  return image.length >= o + 2 && (image[o] | (image[o + 1] << 8)) === EXT2_MAGIC;
}

export function readExt2(image: Uint8Array, opts: Ext2ReadOptions = {}): Ext2Image {
  const base = opts.offset ?? 0;
  const bad = (field: string, why: string, limit?: number | string): LooprootError =>
    new LooprootError(ErrorCode.Image, `ext2 image${base ? ` at offset ${fmt(base)}` : ""}: ${field}: ${why}`, {
      field,
      ...(limit !== undefined ? { limit } : {}),
    });

  if (base < 0 || base + 2048 > image.length)
    throw bad(
      "superblock",
      `the image has ${fmt(image.length - Math.max(0, base))} bytes, fewer than the 2,048 a superblock needs`,
      2048,
    );
  const img = image.subarray(base);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u16 = (o: number) => dv.getUint16(o, true);
  const S = 1024;

  const magic = u16(S + 56);
  if (magic !== EXT2_MAGIC) throw bad("s_magic", `0x${magic.toString(16)} is not 0xef53 (not an ext2 filesystem)`);
  const logBlock = u32(S + 24);
  if (logBlock > 6) throw bad("s_log_block_size", `${logBlock} gives blocks over 64 KiB`, 6);
  const B = 1024 << logBlock;
  const blocksCount = u32(S + 4);
  const inodesCount = u32(S + 0);
  const firstDataBlock = u32(S + 20);
  const bpg = u32(S + 32);
  const ipg = u32(S + 40);
  const revLevel = u32(S + 76);
  const inodeSize = revLevel === 0 ? 128 : u16(S + 88);
  const firstIno = revLevel === 0 ? 11 : u32(S + 84);
  const fCompat = revLevel === 0 ? 0 : u32(S + 92);
  const fIncompat = revLevel === 0 ? 0 : u32(S + 96);
  const fRoCompat = revLevel === 0 ? 0 : u32(S + 100);

  const unknown = fIncompat & ~INCOMPAT_KNOWN;
  if (unknown) {
    const names = Object.entries(INCOMPAT_NAMES)
      .filter(([bit]) => unknown & Number(bit))
      .map(([, n]) => n);
    throw bad(
      "s_feature_incompat",
      `0x${fIncompat.toString(16)} has features an ext2 reader cannot read (${names.join(", ") || "unknown bits"})`,
    );
  }
  if (blocksCount === 0) throw bad("s_blocks_count", "is 0");
  if (blocksCount > Math.floor(img.length / B)) {
    throw bad(
      "s_blocks_count",
      `${fmt(blocksCount)} blocks of ${fmt(B)} bytes is more than the image's ${fmt(img.length)} bytes (truncated image?)`,
      Math.floor(img.length / B),
    );
  }
  if (firstDataBlock !== (B === 1024 ? 1 : 0))
    throw bad("s_first_data_block", `${firstDataBlock} is not ${B === 1024 ? 1 : 0} for ${fmt(B)}-byte blocks`);
  if (bpg < 8 || bpg % 8 !== 0 || bpg > 8 * B)
    throw bad("s_blocks_per_group", `${fmt(bpg)} is not a multiple of 8 in 8..${fmt(8 * B)}`, 8 * B);
  if (ipg === 0 || ipg > 8 * B) throw bad("s_inodes_per_group", `${fmt(ipg)} is outside 1..${fmt(8 * B)}`, 8 * B);
  if (inodeSize < 128 || inodeSize > B || (inodeSize & (inodeSize - 1)) !== 0)
    throw bad("s_inode_size", `${inodeSize} is not a power of two in 128..${fmt(B)}`);
  if (blocksCount <= firstDataBlock)
    throw bad("s_blocks_count", `${fmt(blocksCount)} leaves no group after s_first_data_block ${firstDataBlock}`);
  const groups = Math.ceil((blocksCount - firstDataBlock) / bpg);
  if (inodesCount !== groups * ipg)
    throw bad("s_inodes_count", `${fmt(inodesCount)} is not ${fmt(groups)} groups x ${fmt(ipg)} inodes`, groups * ipg);
  if (firstIno < 3 || firstIno > inodesCount) throw bad("s_first_ino", `${firstIno} is outside 3..${fmt(inodesCount)}`);
  const sparse = (fRoCompat & RO_COMPAT_SPARSE_SUPER) !== 0;
  const largeFile = (fRoCompat & RO_COMPAT_LARGE_FILE) !== 0 || revLevel > 0;
  const gdtBlocks = Math.ceil((groups * 32) / B);
  const rsvGdt = fCompat & COMPAT_RESIZE_INODE ? u16(S + 206) : 0;
  if (rsvGdt > B / 4) throw bad("s_reserved_gdt_blocks", `${rsvGdt} is more than ${B / 4}`, B / 4);
  const itableBlocks = Math.ceil((ipg * inodeSize) / B);

  const blockAt = (blk: number) => blk * B;
  const inRange = (blk: number, n: number) => blk >= firstDataBlock && blk + n <= blocksCount;

  // Group descriptors, each checked to lie inside its own group: the bitmaps and the inode table
  // are read through them.
  const gdtAt = blockAt(firstDataBlock + 1);
  if (gdtAt + groups * 32 > blocksCount * B)
    throw bad("group descriptors", `${fmt(groups)} descriptors run past the end of the filesystem`);
  const groupList: Ext2Group[] = [];
  for (let g = 0; g < groups; g++) {
    const d = gdtAt + g * 32;
    const first = firstDataBlock + g * bpg;
    const last = Math.min(blocksCount - 1, first + bpg - 1);
    const gr: Ext2Group = {
      index: g,
      firstBlock: first,
      lastBlock: last,
      hasSuperblock: groupHasSuper(g, sparse),
      gdtBlocks: 0,
      reservedGdtBlocks: 0,
      blockBitmap: u32(d),
      inodeBitmap: u32(d + 4),
      inodeTable: u32(d + 8),
      inodeTableBlocks: itableBlocks,
      freeBlocks: u16(d + 12),
      freeInodes: u16(d + 14),
      usedDirs: u16(d + 16),
      usedData: [],
    };
    if (gr.hasSuperblock) {
      gr.gdtBlocks = gdtBlocks;
      gr.reservedGdtBlocks = rsvGdt;
    }
    const where = `group ${g}`;
    if (!inRange(gr.blockBitmap, 1))
      throw bad(
        `${where} bg_block_bitmap`,
        `block ${fmt(gr.blockBitmap)} is outside the filesystem (${fmt(firstDataBlock)}..${fmt(blocksCount - 1)})`,
      );
    if (!inRange(gr.inodeBitmap, 1))
      throw bad(
        `${where} bg_inode_bitmap`,
        `block ${fmt(gr.inodeBitmap)} is outside the filesystem (${fmt(firstDataBlock)}..${fmt(blocksCount - 1)})`,
      );
    if (!inRange(gr.inodeTable, itableBlocks))
      throw bad(
        `${where} bg_inode_table`,
        `blocks ${fmt(gr.inodeTable)}..${fmt(gr.inodeTable + itableBlocks - 1)} are outside the filesystem (${fmt(firstDataBlock)}..${fmt(blocksCount - 1)})`,
      );
    groupList.push(gr);
  }
  // Used data per group: the block bitmap minus the group's own metadata. The metadata must fit
  // its group, which keeps this loop to one pass over the blocks.
  for (const gr of groupList) {
    const len = gr.lastBlock - gr.firstBlock + 1;
    const metaLen = gr.hasSuperblock ? 1 + gr.gdtBlocks + gr.reservedGdtBlocks : 0;
    if (metaLen > len)
      throw bad(
        `group ${gr.index}`,
        `its superblock and ${fmt(gr.gdtBlocks + gr.reservedGdtBlocks)} descriptor blocks do not fit its ${fmt(len)} blocks`,
        len,
      );
    const meta = new Uint8Array(len);
    const mark = (b: number, n: number) => {
      for (let i = Math.max(b, gr.firstBlock); i < Math.min(b + n, gr.lastBlock + 1); i++) meta[i - gr.firstBlock] = 1;
    };
    mark(gr.firstBlock, metaLen);
    mark(gr.blockBitmap, 1);
    mark(gr.inodeBitmap, 1);
    mark(gr.inodeTable, itableBlocks);
    const bm = img.subarray(blockAt(gr.blockBitmap), blockAt(gr.blockBitmap) + B);
    let run: [number, number] | undefined;
    for (let i = 0; i < len; i++) {
      if ((bm[i >> 3] >> (i & 7)) & 1 && !meta[i]) {
        const b = gr.firstBlock + i;
        if (run && run[0] + run[1] === b) run[1]++;
        else gr.usedData.push((run = [b, 1]));
      }
    }
  }

  // Inodes.
  const inodeOffset = (ino: number, where: string): number => {
    if (ino < 1 || ino > inodesCount)
      throw bad(where, `inode ${fmt(ino)} is outside 1..${fmt(inodesCount)}`, inodesCount);
    const g = Math.floor((ino - 1) / ipg);
    return blockAt(groupList[g].inodeTable) + ((ino - 1) % ipg) * inodeSize;
  };
  const P = B / 4;
  const maxFileBlocks = 12 + P + P * P + P * P * P;

  interface Inode {
    ino: number;
    mode: number;
    uid: number;
    gid: number;
    size: number;
    mtime: number;
    links: number;
    blocks512: number;
    fileAcl: number;
    o: number;
  }
  const inode = (ino: number, where: string): Inode => {
    const o = inodeOffset(ino, where);
    const mode = u16(o);
    const high = u32(o + 108);
    const isReg = (mode & S_IFMT) === S_IFREG;
    if (isReg && largeFile && high >= 1 << 21)
      throw bad(`${where} (inode ${ino}) i_size_high`, `${fmt(high)} makes the file larger than 2^53 bytes`);
    const size = u32(o + 4) + (isReg && largeFile ? high * 0x100000000 : 0);
    return {
      ino,
      mode,
      size,
      o,
      uid: (u16(o + 2) | (u16(o + 120) << 16)) >>> 0,
      gid: (u16(o + 24) | (u16(o + 122) << 16)) >>> 0,
      mtime: u32(o + 16),
      links: u16(o + 26),
      blocks512: u32(o + 28),
      fileAcl: u32(o + 104),
    };
  };

  /**
   * The physical block of each logical block 0..n-1 (0 for a hole), through the direct, single,
   * double and triple indirect pointers. Work is bounded by n, which callers bound by the size.
   */
  const blockMap = (ind: Inode, n: number, where: string): Uint32Array => {
    if (n > maxFileBlocks)
      throw bad(
        `${where} i_size`,
        `${fmt(ind.size)} bytes need ${fmt(n)} blocks, more than ${fmt(maxFileBlocks)} that triple indirection reaches`,
        maxFileBlocks,
      );
    const out = new Uint32Array(n);
    const check = (blk: number, what: string) => {
      if (blk !== 0 && (blk < firstDataBlock || blk >= blocksCount))
        throw bad(
          `${where} (inode ${ind.ino}) ${what}`,
          `block ${fmt(blk)} is outside the filesystem (${fmt(firstDataBlock)}..${fmt(blocksCount - 1)})`,
          blocksCount - 1,
        );
      return blk;
    };
    let L = 0;
    for (let i = 0; i < 12 && L < n; i++) out[L++] = check(u32(ind.o + 40 + 4 * i), `i_block[${i}]`);
    // depth 1..3: each pointer in an indirect block covers P^(depth-1) logical blocks.
    const walk = (blk: number, depth: number, what: string) => {
      const span = depth === 1 ? 1 : depth === 2 ? P : P * P;
      if (blk === 0) {
        L = Math.min(n, L + span * P);
        return;
      }
      const at = blockAt(blk);
      for (let i = 0; i < P && L < n; i++) {
        const p = check(u32(at + 4 * i), `${what}[${i}]`);
        if (depth === 1) out[L++] = p;
        else walk(p, depth - 1, `${what}[${i}]`);
      }
    };
    const names = ["indirect", "double indirect", "triple indirect"];
    for (let d = 1; d <= 3 && L < n; d++)
      walk(check(u32(ind.o + 40 + 4 * (11 + d)), `i_block[${11 + d}] (${names[d - 1]})`), d, names[d - 1]);
    return out;
  };

  let dataBudget = opts.maxDataBytes ?? 4 * img.length + 16 * 1024 * 1024;
  const readData = (
    ind: Inode,
    where: string,
    keep = true,
  ): { data?: Uint8Array; runs: [number, number][]; starts: number[] } => {
    if (ind.size > dataBudget)
      throw bad(
        `${where} (inode ${ind.ino}) i_size`,
        `${fmt(ind.size)} bytes is more than the ${fmt(dataBudget)} left to unpack from this image`,
        dataBudget,
      );
    dataBudget -= ind.size;
    const n = Math.ceil(ind.size / B);
    const map = blockMap(ind, n, where);
    const data = keep ? new Uint8Array(ind.size) : undefined;
    const runs: [number, number][] = [],
      starts: number[] = [];
    let prev = -2;
    for (let i = 0; i < n; i++) {
      const p = map[i];
      if (p === 0) continue;
      const len = Math.min(B, ind.size - i * B);
      data?.set(img.subarray(blockAt(p), blockAt(p) + len), i * B);
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === p && prev === i - 1) last[1]++;
      else {
        runs.push([p, 1]);
        starts.push(i);
      }
      prev = i;
    }
    return { data, runs, starts };
  };

  const kindOf = (mode: number, where: string): Exclude<NodeKind, "hardlink"> => {
    switch (mode & S_IFMT) {
      case S_IFREG:
        return "file";
      case S_IFDIR:
        return "dir";
      case S_IFLNK:
        return "symlink";
      case S_IFCHR:
        return "chardev";
      case S_IFBLK:
        return "blockdev";
      case S_IFIFO:
        return "fifo";
      case S_IFSOCK:
        return "socket";
    }
    throw bad(`${where} i_mode`, `0o${mode.toString(8)} is not a known file type`);
  };

  const entries: (TreeEntry & { ino: number })[] = [];
  interface Info {
    links: number;
    size: number;
    runs: [number, number][];
    starts: number[];
    data?: Uint8Array;
    major?: number;
    minor?: number;
  }
  const nodeInfo = new Map<number, Info>();
  const dirsSeen = new Set<number>();
  const maxEntries = opts.maxEntries ?? Infinity,
    maxPathChars = opts.maxPathChars ?? Infinity;
  let omitted = 0;
  // Each directory block belongs to one directory: two directories sharing blocks would let a
  // small image make the walk read the same entries over and over.
  const dirBlocks = new Set<number>();
  const dec = new TextDecoder("utf-8", { fatal: false });

  const rootInode = inode(ROOT_INO, "/");
  if (kindOf(rootInode.mode, "/") !== "dir") throw bad("/ (inode 2) i_mode", "the root inode is not a directory");
  // `listed`: false for a directory left out by the caps (its path is kept short, for messages).
  const queue: { ino: number; path: string; listed: boolean }[] = [{ ino: ROOT_INO, path: "/", listed: true }];
  entries.push({
    path: "/",
    kind: "dir",
    mode: rootInode.mode & 0o7777,
    uid: rootInode.uid,
    gid: rootInode.gid,
    mtime: rootInode.mtime,
    ino: ROOT_INO,
  });
  dirsSeen.add(ROOT_INO);

  // Breadth first with a queue, each directory inode at most once: a directory linked twice (a
  // loop) is an error, and the walk ends after at most inodesCount directories.
  for (let qi = 0; qi < queue.length; qi++) {
    const { ino, path, listed } = queue[qi];
    // Names are unique per directory: one set per directory keeps the check linear in the tree.
    const names = new Set<string>();
    const dir = inode(ino, path);
    if (dir.size > blocksCount * B)
      throw bad(
        `${path} (inode ${ino}) i_size`,
        `${fmt(dir.size)} bytes is larger than the filesystem`,
        blocksCount * B,
      );
    const n = Math.ceil(dir.size / B);
    const map = blockMap(dir, n, path);
    const runs: [number, number][] = [],
      starts: number[] = [];
    for (let bi = 0; bi < n; bi++) {
      const p = map[bi];
      if (p === 0) throw bad(`${path} (inode ${ino})`, `directory block ${bi} is a hole`);
      if (dirBlocks.has(p))
        throw bad(`${path} (inode ${ino})`, `directory block ${fmt(p)} also belongs to another directory`);
      dirBlocks.add(p);
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === p) last[1]++;
      else {
        runs.push([p, 1]);
        starts.push(bi);
      }
      const at = blockAt(p);
      let o = 0;
      while (o < B) {
        const where = `${path} block ${fmt(p)} offset ${o}`;
        if (o + 8 > B) throw bad(where, "a directory entry runs past the block");
        const eIno = u32(at + o);
        const recLen = u16(at + o + 4);
        const nameLen = img[at + o + 6];
        if (recLen < 8 || recLen % 4 !== 0 || o + recLen > B)
          throw bad(`${where} rec_len`, `${recLen} is not a multiple of 4 in 8..${B - o}`);
        if (eIno !== 0) {
          if (nameLen === 0 || 8 + nameLen > recLen)
            throw bad(`${where} name_len`, `${nameLen} does not fit rec_len ${recLen}`);
          const raw = img.subarray(at + o + 8, at + o + 8 + nameLen);
          const name = dec.decode(raw);
          if (raw.includes(0x2f) || raw.includes(0)) throw bad(`${where} name`, `"${name}" contains a slash or NUL`);
          if (name !== "." && name !== "..") {
            const full = listed ? (path === "/" ? `/${name}` : `${path}/${name}`) : "";
            const show = listed && entries.length < maxEntries && full.length <= maxPathChars;
            // An entry left out is named by its inode in messages: its path is what was too long.
            const cpath = show
              ? full
              : `${listed ? path : "(a directory left out)"}/.../${name.length > 60 ? name.slice(0, 60) + "..." : name} (inode ${eIno})`;
            if (names.has(name)) throw bad(`${where} name`, `${cpath} appears twice in its directory`);
            names.add(name);
            const ci = inode(eIno, cpath);
            const kind = kindOf(ci.mode, cpath);
            const e: TreeEntry & { ino: number } = {
              path: cpath,
              kind,
              mode: ci.mode & 0o7777,
              uid: ci.uid,
              gid: ci.gid,
              mtime: ci.mtime,
              ino: eIno,
            };
            if (kind === "dir") {
              if (dirsSeen.has(eIno))
                throw bad(`${cpath} (inode ${eIno})`, "this directory is linked from more than one place (a loop)");
              dirsSeen.add(eIno);
              queue.push({ ino: eIno, path: show ? cpath : path, listed: show });
              nodeInfo.set(eIno, { links: ci.links, size: ci.size, runs: [], starts: [] });
            }
            if (!show) omitted++;
            else if (kind !== "dir" && !nodeInfo.has(eIno)) {
              const info: Info = { links: ci.links, size: ci.size, runs: [], starts: [] };
              if (kind === "file") {
                const r = readData(ci, cpath, opts.contents !== false);
                info.data = r.data;
                info.runs = r.runs;
                info.starts = r.starts;
              } else if (kind === "symlink") {
                const eaBlocks = ci.fileAcl ? B / 512 : 0;
                if (ci.size === 0) throw bad(`${cpath} (inode ${eIno}) i_size`, "a symlink with an empty target");
                if (ci.blocks512 - eaBlocks === 0) {
                  // A fast symlink: the target sits in i_block itself (at most 60 bytes).
                  if (ci.size > 60)
                    throw bad(`${cpath} (inode ${eIno}) i_size`, `${ci.size} bytes is too long for a fast symlink`, 60);
                  info.data = img.slice(ci.o + 40, ci.o + 40 + ci.size);
                } else {
                  if (ci.size >= B)
                    throw bad(
                      `${cpath} (inode ${eIno}) i_size`,
                      `${fmt(ci.size)} bytes is too long for a symlink`,
                      B - 1,
                    );
                  const r = readData(ci, cpath);
                  info.data = r.data;
                  info.runs = r.runs;
                  info.starts = r.starts;
                }
              } else if (kind === "chardev" || kind === "blockdev") {
                // Old encoding in i_block[0] (8-bit major and minor), new in i_block[1].
                const old = u32(ci.o + 40),
                  nw = u32(ci.o + 44);
                if (old !== 0) {
                  info.major = (old >> 8) & 0xff;
                  info.minor = old & 0xff;
                } else {
                  info.major = (nw & 0xfff00) >> 8;
                  info.minor = (nw & 0xff) | ((nw >>> 12) & 0xfff00);
                }
              }
              nodeInfo.set(eIno, info);
            }
            if (show) {
              const info = nodeInfo.get(eIno)!;
              if (kind === "symlink") e.target = dec.decode(info.data!);
              else if (kind === "chardev" || kind === "blockdev") {
                e.major = info.major;
                e.minor = info.minor;
              }
              entries.push(e);
            }
          }
        }
        o += recLen;
      }
    }
    nodeInfo.set(ino, { links: dir.links, size: dir.size, runs, starts });
  }

  // Tree order (parents first, then by path), and the first path of a regular file's inode carries
  // the data; the others become hard links to it.
  const sorted = checkTreeOrder(entries);
  const firstPath = new Map<number, string>();
  const tree: Tree = [];
  const nodes: Ext2Node[] = [];
  for (const e of sorted) {
    const info = nodeInfo.get(e.ino)!;
    nodes.push({ path: e.path, ino: e.ino, links: info.links, size: info.size, runs: info.runs, starts: info.starts });
    const { ino, ...entry } = e;
    if (e.kind === "file") {
      const fp = firstPath.get(ino);
      if (fp !== undefined) {
        tree.push({ ...entry, kind: "hardlink", target: fp });
        continue;
      }
      firstPath.set(ino, e.path);
      if (info.data) entry.data = info.data;
    }
    tree.push(entry);
  }

  const label = dec.decode(img.subarray(S + 120, S + 136)).replace(/\0.*$/s, "");
  const uuid = uuidString(img.subarray(S + 104, S + 120));
  return {
    layout: {
      blockSize: B,
      blocksCount,
      inodesCount,
      reservedBlocks: u32(S + 8),
      freeBlocks: u32(S + 12),
      freeInodes: u32(S + 16),
      firstDataBlock,
      blocksPerGroup: bpg,
      inodesPerGroup: ipg,
      inodeSize,
      revLevel,
      firstIno,
      featureCompat: fCompat,
      featureIncompat: fIncompat,
      featureRoCompat: fRoCompat,
      label,
      uuid,
      state: u16(S + 58),
      mtime: u32(S + 44),
      wtime: u32(S + 48),
      mkfsTime: revLevel === 0 ? 0 : u32(S + 264),
      groups: groupList,
    },
    tree,
    nodes,
    omitted,
  };
}

/** checkTree's order without its checks (names from an image are already unique per directory). */
function checkTreeOrder<T extends TreeEntry>(entries: T[]): T[] {
  // Each path's depth counted once, not in every comparison.
  const depths = new Map(entries.map((e) => [e, e.path === "/" ? 0 : e.path.split("/").length - 1]));
  return [...entries].sort((a, b) => {
    const da = depths.get(a)!,
      db = depths.get(b)!;
    if (da !== db) return da - db;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}
