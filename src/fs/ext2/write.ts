// The ext2 writer: the HOWTO's `mke2fs -i 1024 -b 1024 -m 5` followed by copying a tree in,
// done in one pass into one Uint8Array. Field names follow the kernel's ext2_fs.h
// (s_inodes_count, bg_block_bitmap, i_block, ...). No htree, no resize inode, no journal.

import { type Tree, type TreeEntry } from "../tree.ts";
import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";
import {
  EXT2_MAGIC,
  FIRST_INO,
  ROOT_INO,
  MAX_BLOCKS,
  COMPAT_EXT_ATTR,
  INCOMPAT_FILETYPE,
  RO_COMPAT_SPARSE_SUPER,
  RO_COMPAT_LARGE_FILE,
  S_IFSOCK,
  S_IFLNK,
  S_IFREG,
  S_IFBLK,
  S_IFDIR,
  S_IFCHR,
  S_IFIFO,
  FT_DIR,
} from "./layout.ts";
import {
  checkParams,
  planTree,
  computeLayout,
  fits,
  ext2Needs,
  groupStart,
  hasSuper,
  groupOverhead,
  recLen,
  type Ext2Options,
  type DirEnt,
  type Layout,
  type Params,
} from "./plan.ts";

const enc = new TextEncoder();

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
    throw new LooprootError(
      ErrorCode.Limit,
      `ext2 sizeBytes: ${opts.sizeBytes} is not a positive whole number of bytes`,
      { field: "sizeBytes" },
    );
  }
  const totalBlocks = Math.floor(opts.sizeBytes / B);
  if (totalBlocks > MAX_BLOCKS) {
    throw new LooprootError(
      ErrorCode.Limit,
      `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes is ${fmt(totalBlocks)} blocks of ${B}, beyond the ${fmt(MAX_BLOCKS)}-block limit`,
      { field: "sizeBytes", limit: MAX_BLOCKS * B },
    );
  }
  const plan = planTree(tree, B, opts.time);
  const l = computeLayout(totalBlocks, p);
  if (typeof l === "string" || !fits(l, plan)) {
    const need = ext2Needs(tree, opts);
    if (need.minBytes > opts.sizeBytes) {
      throw new LooprootError(
        ErrorCode.Limit,
        `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes is too small for the tree: needs at least ${fmt(need.minBytes)} bytes`,
        { field: "sizeBytes", limit: need.minBytes },
      );
    }
    // Rare: a smaller size works, but this one's group layout (a cut-off last group, smaller
    // groups) leaves too little room. Name the next size up that works too.
    let up = totalBlocks + 1;
    for (
      let l2 = computeLayout(up, p);
      up < MAX_BLOCKS && (typeof l2 === "string" || !fits(l2, plan));
      l2 = computeLayout(++up, p)
    );
    throw new LooprootError(
      ErrorCode.Limit,
      `ext2 sizeBytes: ${fmt(opts.sizeBytes)} bytes does not hold the tree with the group layout of that size: ${fmt(need.minBytes)} or ${fmt(up * B)} bytes do`,
      { field: "sizeBytes", limit: up * B },
    );
  }

  if (into !== undefined && into.length !== opts.sizeBytes) {
    throw new Error(`ext2 into: ${fmt(into.length)} bytes, the image has ${fmt(opts.sizeBytes)}`);
  }
  const img = into ?? new Uint8Array(opts.sizeBytes);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const P = B / 4;

  // Metadata placement and the block-in-use map (one byte per block: simple and fast enough).
  const used = new Uint8Array(l.blocks);
  const bbm: number[] = [],
    ibm: number[] = [],
    itab: number[] = [];
  for (let g = 0; g < l.groups; g++) {
    const start = groupStart(l, g);
    let b = start;
    if (hasSuper(g)) b += 1 + l.gdtBlocks;
    bbm.push(b);
    ibm.push(b + 1);
    itab.push(b + 2);
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

  const writeInode = (
    ino: number,
    mode: number,
    e: TreeEntry,
    size: number,
    links: number,
    blocks: number,
    iblock: Uint32Array | null,
    raw?: Uint8Array,
  ) => {
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
  for (const n of plan.nodes)
    if (n.children) for (const c of n.children) if (c.type === FT_DIR) parentOf.set(c.ino, n.ino);
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
        let bi = 0,
          pos = 0,
          prev = -1;
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
        const ma = e.major!,
          mi = e.minor!;
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

  const groups = writeGroups(img, l, B, used, { bbm, ibm, itab }, plan.inodes, dirsPerGroup);
  writeSuperblocks(img, l, p, opts, plan.largeFile, groups);
  return img;
}

/** Where each group's block bitmap, inode bitmap and inode table start (block numbers). */
interface GroupMeta {
  bbm: number[];
  ibm: number[];
  itab: number[];
}

/**
 * The block and inode bitmaps of each group, and the group descriptors with their free counts.
 * `meta` is where each group's bitmaps and inode table went; `inodesUsed` the last inode in use.
 */
function writeGroups(
  img: Uint8Array,
  l: Layout,
  B: number,
  used: Uint8Array,
  meta: GroupMeta,
  inodesUsed: number,
  dirsPerGroup: Uint32Array,
): { gdt: Uint8Array; freeBlocksTotal: number; freeInodesTotal: number } {
  const { bbm, ibm, itab } = meta;
  let freeBlocksTotal = 0,
    freeInodesTotal = 0;
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
      if (i >= l.ipg || ino <= inodesUsed || ino < FIRST_INO) img[ib + (i >> 3)] |= 1 << (i & 7);
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

  return { gdt, freeBlocksTotal, freeInodesTotal };
}

/** The superblock, written at byte 1024 and, with the GDT, as a backup in each group sparse_super names. */
function writeSuperblocks(
  img: Uint8Array,
  l: Layout,
  p: Params,
  opts: Ext2Options,
  largeFile: boolean,
  groups: { gdt: Uint8Array; freeBlocksTotal: number; freeInodesTotal: number },
): void {
  const B = p.B;
  const { gdt, freeBlocksTotal, freeInodesTotal } = groups;
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
  s.setUint32(100, RO_COMPAT_SPARSE_SUPER | (largeFile ? RO_COMPAT_LARGE_FILE : 0), true); // s_feature_ro_compat
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
}
