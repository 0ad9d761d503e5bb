// The FAT12/FAT16 formatter and writer ("format a: /s" then copy): the directory tree planned
// with the clusters each entry needs, each entry one contiguous run, written in one pass.

import { messageBootCode } from "../bootmsg.ts";
import { checkDosPath, dosName11, DOS_ILLEGAL_CHARS } from "./dosname.ts";
import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";
import {
  SECTOR,
  ATTR_VOLUME_ID,
  ATTR_DIRECTORY,
  ATTR_ARCHIVE,
  ALLOWED_ATTRS,
  checkInt,
  fatGeometry,
  dosDateTime,
  type FatOptions,
  type FatFile,
  type FatGeometry,
} from "./layout.ts";

// ---------------------------------------------------------------------------------------------
// Planning: the directory tree with the clusters each entry needs, in allocation order.

interface PlanNode {
  name: string; // canonical 8.3
  path: string; // "LINUX\\LINUXDSK.IMG"
  dir: boolean;
  file?: FatFile;
  children: PlanNode[];
  parent?: PlanNode;
  clusters: number;
  firstCluster: number;
}

interface Plan {
  g: FatGeometry;
  root: PlanNode;
  order: PlanNode[]; // allocation order
  usedClusters: number;
  rootEntriesUsed: number;
}

function plan(opts: FatOptions, files: FatFile[], dirs: string[] = [], forWriting = false): Plan {
  const g = fatGeometry(opts);
  const clusterBytes = g.sectorsPerCluster * SECTOR;
  const root: PlanNode = { name: "", path: "", dir: true, children: [], clusters: 0, firstCluster: 0 };
  const order: PlanNode[] = [];
  const lookup = (parent: PlanNode, name: string) => parent.children.find((c) => c.name === name);

  const ensureDir = (parts: string[], raw: string): PlanNode => {
    let cur = root;
    for (let i = 0; i < parts.length; i++) {
      let next = lookup(cur, parts[i]);
      if (next && !next.dir)
        throw new LooprootError(ErrorCode.Limit, `fat path "${raw}": ${next.path} is a file, not a directory`);
      if (!next) {
        next = {
          name: parts[i],
          path: parts.slice(0, i + 1).join("\\"),
          dir: true,
          children: [],
          parent: cur,
          clusters: 0,
          firstCluster: 0,
        };
        cur.children.push(next);
        order.push(next);
      }
      cur = next;
    }
    return cur;
  };

  for (const f of files) {
    const parts = checkDosPath(f.path);
    if (!(f.data instanceof Uint8Array)) throw new Error(`fat file "${f.path}": data is not a Uint8Array`);
    const size = f.size ?? f.data.length;
    if (f.size !== undefined && forWriting && f.size !== f.data.length) {
      throw new Error(`fat file "${f.path}": size ${fmt(f.size)} differs from its data's ${fmt(f.data.length)} bytes`);
    }
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff)
      throw new LooprootError(
        ErrorCode.Limit,
        `fat file "${f.path}": ${fmt(size)} bytes is outside FAT's 0..4,294,967,295`,
      );
    if (f.attributes !== undefined && (!Number.isInteger(f.attributes) || (f.attributes & ~ALLOWED_ATTRS) !== 0)) {
      throw new Error(
        `fat file "${f.path}": attributes 0x${f.attributes.toString(16)} has bits outside READ_ONLY|HIDDEN|SYSTEM|ARCHIVE (0x27)`,
      );
    }
    const parent = ensureDir(parts.slice(0, -1), f.path);
    const name = parts[parts.length - 1];
    if (lookup(parent, name))
      throw new LooprootError(ErrorCode.Limit, `fat file "${f.path}": ${parts.join("\\")} appears twice`);
    const node: PlanNode = {
      name,
      path: parts.join("\\"),
      dir: false,
      file: f,
      children: [],
      parent,
      clusters: Math.ceil(size / clusterBytes),
      firstCluster: 0,
    };
    parent.children.push(node);
    order.push(node);
  }
  for (const d of dirs) ensureDir(checkDosPath(d), d);

  let used = 0;
  for (const n of order) {
    if (n.dir) n.clusters = Math.max(1, Math.ceil(((2 + n.children.length) * 32) / clusterBytes));
    used += n.clusters;
  }
  const rootEntriesUsed = root.children.length + (opts.label ? 1 : 0);
  return { g, root, order, usedClusters: used, rootEntriesUsed };
}

export interface FatSpace {
  clusterBytes: number;
  totalDataBytes: number;
  usedBytes: number;
  /** Negative when the files do not fit. */
  freeBytes: number;
}

export function fatSpace(opts: FatOptions, files: FatFile[], dirs: string[] = []): FatSpace {
  const p = plan(opts, files, dirs);
  const clusterBytes = p.g.sectorsPerCluster * SECTOR;
  const totalDataBytes = p.g.clusters * clusterBytes;
  const usedBytes = p.usedClusters * clusterBytes;
  return { clusterBytes, totalDataBytes, usedBytes, freeBytes: totalDataBytes - usedBytes };
}

// ---------------------------------------------------------------------------------------------
// Writing.

/** Clusters in plan order from 2 on, each entry one contiguous run. */
function allocate(p: Plan): void {
  let next = 2;
  for (const n of p.order) {
    if (n.clusters > 0) {
      n.firstCluster = next;
      next += n.clusters;
    }
  }
}

/**
 * Where makeFat will put each file's data: the byte offset in the volume of its contiguous cluster
 * run, in the order of `files` (sizes from `size` or data.length; the bytes are not read). A caller
 * can write a large file straight into that window of the volume and pass the window as its data:
 * makeFat then leaves it where it is instead of copying it.
 */
export function fatFileOffsets(opts: FatOptions, files: FatFile[], dirs: string[] = []): number[] {
  const p = plan(opts, files, dirs);
  if (p.usedClusters > p.g.clusters) {
    throw new LooprootError(
      ErrorCode.Limit,
      `${p.g.field}: the files need ${fmt(p.usedClusters * p.g.sectorsPerCluster * SECTOR)} bytes but a ${p.g.what} has ${fmt(p.g.clusters * p.g.sectorsPerCluster * SECTOR)} bytes free`,
      { field: p.g.field, limit: p.g.clusters * p.g.sectorsPerCluster * SECTOR },
    );
  }
  allocate(p);
  const g = p.g;
  return files.map((f) => {
    const n = p.order.find((o) => !o.dir && o.file === f)!;
    if (n.clusters === 0) return -1; // an empty file has no clusters
    return (g.firstDataSector + (n.firstCluster - 2) * g.sectorsPerCluster) * SECTOR;
  });
}

function checkLabel(label: string): Uint8Array {
  const up = label.toUpperCase();
  if (up.length === 0 || up.length > 11)
    throw new LooprootError(
      ErrorCode.Limit,
      `label: "${label}" has ${label.length} characters; a volume label has 1..11`,
      { field: "label", limit: 11 },
    );
  if (up.startsWith(" "))
    throw new LooprootError(ErrorCode.Limit, `label: "${label}" starts with a space`, { field: "label" });
  const out = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < up.length; i++) {
    const c = up.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || DOS_ILLEGAL_CHARS.includes(up[i]) || up[i] === ".") {
      throw new LooprootError(
        ErrorCode.Limit,
        `label: character '${up[i]}' in "${label}" is not allowed in a volume label (illegal: ${DOS_ILLEGAL_CHARS}. and control characters)`,
        { field: "label" },
      );
    }
    out[i] = c;
  }
  return out;
}

function writeAscii(b: Uint8Array, at: number, s: string, len: number): void {
  for (let i = 0; i < len; i++) b[at + i] = i < s.length ? s.charCodeAt(i) : 0x20;
}

export function dirEntry(
  b: Uint8Array,
  at: number,
  name11: Uint8Array,
  attr: number,
  cluster: number,
  size: number,
  secs: number,
  field: string,
): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const { date, time } = dosDateTime(secs, field);
  b.set(name11, at); // DIR_Name
  b[at + 11] = attr; // DIR_Attr
  dv.setUint16(at + 14, time, true); // DIR_CrtTime
  dv.setUint16(at + 16, date, true); // DIR_CrtDate
  dv.setUint16(at + 18, date, true); // DIR_LstAccDate
  dv.setUint16(at + 22, time, true); // DIR_WrtTime
  dv.setUint16(at + 24, date, true); // DIR_WrtDate
  dv.setUint16(at + 26, cluster, true); // DIR_FstClusLO
  dv.setUint32(at + 28, size, true); // DIR_FileSize
}

const NOT_BOOTABLE =
  "\r\nNot a bootable disk: no system files on this disk.\r\nInsert a DOS boot floppy and press any key to try again.\r\n";

/** A boot sector's own rules: 512 bytes ending in 55 AA. `field` names it in the caller's terms. */
export function checkBootSector(b: Uint8Array, field = "bootSector"): void {
  if (b.length !== SECTOR)
    throw new LooprootError(ErrorCode.Limit, `${field}: ${fmt(b.length)} bytes, a boot sector has 512`, {
      field,
      limit: SECTOR,
    });
  if (b[510] !== 0x55 || b[511] !== 0xaa)
    throw new LooprootError(ErrorCode.Limit, `${field}: bytes 510..511 are not the signature 55 AA`, {
      field,
      limit: "55 AA",
    });
}

/**
 * Formats a volume and copies the files in. `into`, when given, is where the volume is written
 * instead of a new array (for instance the partition's window of a whole disk image, which saves
 * a copy of a large volume); it must be exactly the volume's size and zero-filled (a fresh array),
 * except for file data already written in place at the offsets fatFileOffsets gives.
 */
export function makeFat(opts: FatOptions, files: FatFile[], dirs: string[] = [], into?: Uint8Array): Uint8Array {
  checkInt("serial", opts.serial, 0, 0xffffffff);
  dosDateTime(opts.time, "time");
  const labelBytes = opts.label !== undefined ? checkLabel(opts.label) : undefined;
  const oem = opts.oemName ?? "LOOPROOT";
  if (oem.length > 8 || !/^[\x20-\x7e]*$/.test(oem))
    throw new Error(`oemName: "${oem}" must be at most 8 printable ASCII characters`);
  if (opts.bootSector !== undefined) checkBootSector(opts.bootSector);
  const p = plan(opts, files, dirs, true);
  const g = p.g;
  const clusterBytes = g.sectorsPerCluster * SECTOR;
  if (p.usedClusters > g.clusters) {
    const need = p.usedClusters * clusterBytes;
    const have = g.clusters * clusterBytes;
    throw new LooprootError(
      ErrorCode.Limit,
      `${g.field}: the files need ${fmt(need)} bytes but a ${g.what} has ${fmt(have)} bytes free (${fmt(need - have)} bytes over)`,
      { field: g.field, limit: have },
    );
  }
  if (p.rootEntriesUsed > g.rootEntries) {
    throw new LooprootError(
      ErrorCode.Limit,
      `${g.field}: the root directory needs ${p.rootEntriesUsed} entries but a ${g.what} has ${g.rootEntries} (BPB_RootEntCnt)`,
      { field: g.field, limit: g.rootEntries },
    );
  }

  if (into !== undefined && into.length !== g.totalSectors * SECTOR) {
    throw new Error(`into: ${fmt(into.length)} bytes, the volume has ${fmt(g.totalSectors * SECTOR)}`);
  }
  const img = into ?? new Uint8Array(g.totalSectors * SECTOR);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);

  // Boot sector.
  if (opts.bootSector) {
    img.set(opts.bootSector.subarray(0, 3), 0);
    img.set(opts.bootSector.subarray(0x3e, SECTOR), 0x3e);
  } else {
    img.set([0xeb, 0x3c, 0x90], 0); // jmp short 0x3E; nop
    img.set(messageBootCode(0x3e, NOT_BOOTABLE), 0x3e);
    img[510] = 0x55;
    img[511] = 0xaa;
  }
  writeAscii(img, 3, oem, 8); // BS_OEMName
  dv.setUint16(11, SECTOR, true); // BPB_BytsPerSec
  img[13] = g.sectorsPerCluster; // BPB_SecPerClus
  dv.setUint16(14, g.reservedSectors, true); // BPB_RsvdSecCnt
  img[16] = g.numFats; // BPB_NumFATs
  dv.setUint16(17, g.rootEntries, true); // BPB_RootEntCnt
  dv.setUint16(19, g.totalSectors < 0x10000 ? g.totalSectors : 0, true); // BPB_TotSec16
  img[21] = g.media; // BPB_Media
  dv.setUint16(22, g.fatSectors, true); // BPB_FATSz16
  dv.setUint16(24, g.sectorsPerTrack, true); // BPB_SecPerTrk
  dv.setUint16(26, g.heads, true); // BPB_NumHeads
  dv.setUint32(28, g.hiddenSectors, true); // BPB_HiddSec
  dv.setUint32(32, g.totalSectors < 0x10000 ? 0 : g.totalSectors, true); // BPB_TotSec32
  img[36] = g.driveNumber; // BS_DrvNum
  img[37] = 0; // BS_Reserved1
  img[38] = 0x29; // BS_BootSig
  dv.setUint32(39, opts.serial >>> 0, true); // BS_VolID
  if (labelBytes)
    img.set(labelBytes, 43); // BS_VolLab
  else writeAscii(img, 43, "NO NAME", 11);
  writeAscii(img, 54, `FAT${g.fatType}`, 8); // BS_FilSysType

  allocate(p);

  // One FAT, then copied.
  const fatBytes = g.fatSectors * SECTOR;
  const fat = new Uint8Array(fatBytes);
  const set =
    g.fatType === 12
      ? (n: number, v: number) => {
          const o = n + (n >> 1);
          if (n & 1) {
            fat[o] = (fat[o] & 0x0f) | ((v & 0x0f) << 4);
            fat[o + 1] = v >> 4;
          } else {
            fat[o] = v & 0xff;
            fat[o + 1] = (fat[o + 1] & 0xf0) | (v >> 8);
          }
        }
      : (n: number, v: number) => {
          fat[2 * n] = v & 0xff;
          fat[2 * n + 1] = v >> 8;
        };
  const eoc = g.fatType === 12 ? 0xfff : 0xffff;
  set(0, (eoc & ~0xff) | g.media); // FAT[0]: media byte
  set(1, eoc);
  for (const n of p.order) {
    for (let i = 0; i < n.clusters; i++) set(n.firstCluster + i, i === n.clusters - 1 ? eoc : n.firstCluster + i + 1);
  }
  for (let i = 0; i < g.numFats; i++) img.set(fat, (g.reservedSectors + i * g.fatSectors) * SECTOR);

  const rootStart = (g.reservedSectors + g.numFats * g.fatSectors) * SECTOR;
  const clusterOffset = (c: number) => (g.firstDataSector + (c - 2) * g.sectorsPerCluster) * SECTOR;

  const writeDir = (dir: PlanNode, at: number) => {
    let o = at;
    if (dir !== p.root) {
      const dot = new Uint8Array(11).fill(0x20);
      dot[0] = 0x2e;
      dirEntry(img, o, dot, ATTR_DIRECTORY, dir.firstCluster, 0, opts.time, "time");
      o += 32;
      const dotdot = dot.slice();
      dotdot[1] = 0x2e;
      dirEntry(
        img,
        o,
        dotdot,
        ATTR_DIRECTORY,
        dir.parent && dir.parent !== p.root ? dir.parent.firstCluster : 0,
        0,
        opts.time,
        "time",
      );
      o += 32;
    }
    for (const c of dir.children) {
      if (c.dir) {
        dirEntry(img, o, dosName11(c.name), ATTR_DIRECTORY, c.firstCluster, 0, opts.time, "time");
      } else {
        const f = c.file!;
        dirEntry(
          img,
          o,
          dosName11(c.name),
          f.attributes ?? ATTR_ARCHIVE,
          c.firstCluster,
          f.data.length,
          f.mtime ?? opts.time,
          `mtime of ${c.path}`,
        );
      }
      o += 32;
    }
    if (dir === p.root && labelBytes) dirEntry(img, o, labelBytes, ATTR_VOLUME_ID, 0, 0, opts.time, "time");
  };
  writeDir(p.root, rootStart);
  for (const n of p.order) {
    if (n.dir) writeDir(n, clusterOffset(n.firstCluster));
    else if (n.clusters > 0) {
      const data = n.file!.data;
      const at = clusterOffset(n.firstCluster);
      // Already in its clusters (written through a view from fatFileOffsets): nothing to copy.
      if (data.buffer === img.buffer && data.byteOffset === img.byteOffset + at) continue;
      img.set(data, at);
    }
  }
  return img;
}
