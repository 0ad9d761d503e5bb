// FAT12/FAT16 formatter, writer ("format a: /s" then copy) and a defensive reader.
// Field names follow Microsoft's "FAT: General Overview of On-Disk Format" (BPB_*, BS_*, DIR_*).

import { messageBootCode } from "./bootmsg.ts";
import { checkDosPath, dosName11, fromDosName11, DOS_ILLEGAL_CHARS } from "./dosname.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

export type FloppyKind = "360K" | "720K" | "1.2M" | "1.44M" | "2.88M";

export const ATTR_READ_ONLY = 0x01;
export const ATTR_HIDDEN = 0x02;
export const ATTR_SYSTEM = 0x04;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
const ATTR_LONG_NAME = 0x0f;

const SECTOR = 512;

interface FloppyBpb {
  totalSectors: number;
  sectorsPerCluster: number;
  rootEntries: number;
  media: number;
  fatSectors: number;
  sectorsPerTrack: number;
  heads: number;
}

/** The BPBs DOS FORMAT writes for each standard floppy. */
export const FLOPPY_BPB: Record<FloppyKind, FloppyBpb> = {
  "360K": { totalSectors: 720, sectorsPerCluster: 2, rootEntries: 112, media: 0xfd, fatSectors: 2, sectorsPerTrack: 9, heads: 2 },
  "720K": { totalSectors: 1440, sectorsPerCluster: 2, rootEntries: 112, media: 0xf9, fatSectors: 3, sectorsPerTrack: 9, heads: 2 },
  "1.2M": { totalSectors: 2400, sectorsPerCluster: 1, rootEntries: 224, media: 0xf9, fatSectors: 7, sectorsPerTrack: 15, heads: 2 },
  "1.44M": { totalSectors: 2880, sectorsPerCluster: 1, rootEntries: 224, media: 0xf0, fatSectors: 9, sectorsPerTrack: 18, heads: 2 },
  "2.88M": { totalSectors: 5760, sectorsPerCluster: 2, rootEntries: 240, media: 0xf0, fatSectors: 9, sectorsPerTrack: 36, heads: 2 },
};

export interface FatOptions {
  /** A standard floppy; the default when totalSectors is not given either. */
  floppy?: FloppyKind;
  /** Size of a hard disk partition in 512-byte sectors (instead of floppy). */
  totalSectors?: number;
  /** BPB_HiddSec: the partition's first LBA sector (0 on floppies). */
  hiddenSectors?: number;
  heads?: number;
  sectorsPerTrack?: number;
  /** BS_DrvNum: 0x00 for a floppy, 0x80 for the first hard disk. */
  driveNumber?: number;
  label?: string;
  /** BS_VolID. */
  serial: number;
  oemName?: string;
  /** 512 bytes of boot code: bytes 0..2 and 0x3E..0x1FF are kept, the BPB is written over 0x03..0x3D. */
  bootSector?: Uint8Array;
  /** Default: FAT12 for floppies and partitions up to 8,400 sectors, FAT16 above (Microsoft's rule). */
  fatType?: 12 | 16;
  /** Seconds since the epoch for DOS time stamps of entries without their own mtime. */
  time: number;
}

export interface FatFile {
  /** DOS path relative to the root, "\" or "/" separated: "LINUX\\LINUXDSK.IMG", "LRDOS.SYS". */
  path: string;
  data: Uint8Array;
  /** For fatSpace only: the size when `data` is not built yet (makeFat requires it to equal data.length). */
  size?: number;
  /** ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE; default ATTR_ARCHIVE, as COPY sets it. */
  attributes?: number;
  mtime?: number;
}

/** The BIOS parameter block's numbers, as the writer lays a volume out and the reader finds them. */
export interface FatBpb {
  fatType: 12 | 16;
  totalSectors: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numFats: number;
  rootEntries: number;
  media: number;
  fatSectors: number;
  sectorsPerTrack: number;
  heads: number;
  hiddenSectors: number;
  driveNumber: number;
  clusters: number;
}

export interface FatGeometry extends FatBpb {
  firstDataSector: number;
  /** Words for messages: "1.44M floppy", "64 MiB FAT16 partition". */
  what: string;
  field: string;
}

import { fmt } from "../util/fmt.ts";

/**
 * The largest FAT16 volume: 65,524 clusters of 64 sectors (32 KiB) after the boot sector, a
 * 512-entry root and two 256-sector FATs, plus a partial cluster: 4,194,144 sectors, just under 2 GiB.
 */
export const FAT16_MAX_SECTORS = 1 + 32 + 2 * 256 + 65525 * 64 - 1;

function checkInt(field: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${field}: ${v} is outside ${fmt(min)}..${fmt(max)}`);
}

function sizeWords(sectors: number): string {
  const bytes = sectors * SECTOR;
  if (bytes >= 1 << 20) {
    const mib = bytes / (1 << 20);
    return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  }
  return `${fmt(bytes)} bytes`;
}

/** Works out the volume's layout from the options, as FORMAT would. */
export function fatGeometry(opts: FatOptions): FatGeometry {
  if (opts.floppy !== undefined && opts.totalSectors !== undefined) {
    throw new Error("fat: give either floppy or totalSectors, not both");
  }
  const reservedSectors = 1;
  const numFats = 2;
  let g: Omit<FatGeometry, "clusters" | "firstDataSector">;
  if (opts.totalSectors === undefined) {
    const kind = opts.floppy ?? "1.44M";
    const f = FLOPPY_BPB[kind];
    if (!f) throw new Error(`floppy: "${kind}" is not one of ${Object.keys(FLOPPY_BPB).join(", ")}`);
    if (opts.fatType === 16) throw new Error(`fatType: a ${kind} floppy is FAT12, not FAT16`);
    g = {
      fatType: 12, totalSectors: f.totalSectors, sectorsPerCluster: f.sectorsPerCluster, reservedSectors, numFats,
      rootEntries: f.rootEntries, media: f.media, fatSectors: f.fatSectors,
      sectorsPerTrack: opts.sectorsPerTrack ?? f.sectorsPerTrack, heads: opts.heads ?? f.heads,
      hiddenSectors: opts.hiddenSectors ?? 0, driveNumber: opts.driveNumber ?? 0x00,
      what: `${kind} floppy`, field: "floppy",
    };
  } else {
    const total = opts.totalSectors;
    checkInt("totalSectors", total, 64, FAT16_MAX_SECTORS);
    const fatType: 12 | 16 = opts.fatType ?? (total <= 8400 ? 12 : 16);
    if (fatType !== 12 && fatType !== 16) throw new Error(`fatType: ${fatType} is not 12 or 16`);
    const rootEntries = fatType === 16 ? 512 : 224;
    const rootSectors = (rootEntries * 32) / SECTOR;
    let spc: number;
    if (fatType === 16) {
      // Microsoft's DskTableFAT16 (512-byte sectors).
      spc = total <= 32680 ? 2 : total <= 262144 ? 4 : total <= 524288 ? 8 : total <= 1048576 ? 16 : total <= 2097152 ? 32 : 64;
    } else {
      spc = 1;
      while (spc < 64 && Math.floor((total - reservedSectors - rootSectors) / spc) > 4084) spc *= 2;
    }
    // Smallest FAT that covers every cluster it leaves room for.
    const entryBytes = (n: number) => (fatType === 12 ? Math.ceil((n * 3) / 2) : n * 2);
    const sizeFat = (perCluster: number): [number, number] => {
      for (let fs = 1; ; fs++) {
        const data = total - reservedSectors - rootSectors - numFats * fs;
        if (data <= 0) throw new Error(`totalSectors: ${fmt(total)} sectors leave no room for data in a FAT${fatType} volume`);
        const clusters = Math.floor(data / perCluster);
        if (fs * SECTOR >= entryBytes(clusters + 2)) return [fs, clusters];
      }
    };
    let [fatSectors, clusters] = sizeFat(spc);
    // A small volume forced to FAT16 still needs 4,085 clusters: smaller clusters get there.
    while (fatType === 16 && clusters < 4085 && spc > 1) {
      spc /= 2;
      [fatSectors, clusters] = sizeFat(spc);
    }
    const heads = opts.heads ?? 16;
    const spt = opts.sectorsPerTrack ?? 63;
    g = {
      fatType, totalSectors: total, sectorsPerCluster: spc, reservedSectors, numFats, rootEntries, media: 0xf8,
      fatSectors, sectorsPerTrack: spt, heads, hiddenSectors: opts.hiddenSectors ?? 0, driveNumber: opts.driveNumber ?? 0x80,
      what: `${sizeWords(total)} FAT${fatType} partition`, field: "partition",
    };
  }
  checkInt("heads", g.heads, 1, 255);
  checkInt("sectorsPerTrack", g.sectorsPerTrack, 1, 63);
  checkInt("hiddenSectors", g.hiddenSectors, 0, 0xffffffff);
  checkInt("driveNumber", g.driveNumber, 0, 255);
  const firstDataSector = g.reservedSectors + g.numFats * g.fatSectors + (g.rootEntries * 32) / SECTOR;
  const clusters = Math.floor((g.totalSectors - firstDataSector) / g.sectorsPerCluster);
  if (g.fatType === 12 && clusters > 4084) {
    throw new Error(`fatType: ${fmt(clusters)} clusters are more than FAT12's 4,084; use FAT16 or a smaller totalSectors`);
  }
  if (g.fatType === 16 && clusters < 4085) {
    throw new Error(`fatType: FAT16 needs at least 4,085 clusters but ${fmt(g.totalSectors)} sectors give ${fmt(clusters)}; use FAT12 or a larger totalSectors`);
  }
  if (g.fatType === 16 && clusters > 65524) {
    throw new Error(`totalSectors: ${fmt(clusters)} clusters are more than FAT16's 65,524`);
  }
  return { ...g, clusters, firstDataSector };
}

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

const ALLOWED_ATTRS = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE;

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
      if (next && !next.dir) throw new LooprootError(ErrorCode.Limit, `fat path "${raw}": ${next.path} is a file, not a directory`);
      if (!next) {
        next = { name: parts[i], path: parts.slice(0, i + 1).join("\\"), dir: true, children: [], parent: cur, clusters: 0, firstCluster: 0 };
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
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) throw new LooprootError(ErrorCode.Limit, `fat file "${f.path}": ${fmt(size)} bytes is outside FAT's 0..4,294,967,295`);
    if (f.attributes !== undefined && (!Number.isInteger(f.attributes) || (f.attributes & ~ALLOWED_ATTRS) !== 0)) {
      throw new Error(`fat file "${f.path}": attributes 0x${f.attributes.toString(16)} has bits outside READ_ONLY|HIDDEN|SYSTEM|ARCHIVE (0x27)`);
    }
    const parent = ensureDir(parts.slice(0, -1), f.path);
    const name = parts[parts.length - 1];
    if (lookup(parent, name)) throw new LooprootError(ErrorCode.Limit, `fat file "${f.path}": ${parts.join("\\")} appears twice`);
    const node: PlanNode = {
      name, path: parts.join("\\"), dir: false, file: f, children: [], parent,
      clusters: Math.ceil(size / clusterBytes), firstCluster: 0,
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
    throw new LooprootError(ErrorCode.Limit, `${p.g.field}: the files need ${fmt(p.usedClusters * p.g.sectorsPerCluster * SECTOR)} bytes but a ${p.g.what} has ${fmt(p.g.clusters * p.g.sectorsPerCluster * SECTOR)} bytes free`, { field: p.g.field, limit: p.g.clusters * p.g.sectorsPerCluster * SECTOR });
  }
  allocate(p);
  const g = p.g;
  return files.map((f) => {
    const n = p.order.find((o) => !o.dir && o.file === f)!;
    if (n.clusters === 0) return -1; // an empty file has no clusters
    return (g.firstDataSector + (n.firstCluster - 2) * g.sectorsPerCluster) * SECTOR;
  });
}

/** DOS date and time (UTC) for seconds since the epoch; DOS counts from 1980 to 2107, in 2 s steps. */
export function dosDateTime(seconds: number, field = "time"): { date: number; time: number } {
  if (!Number.isFinite(seconds)) throw new LooprootError(ErrorCode.Limit, `${field}: ${seconds} is not a number of seconds`);
  const d = new Date(Math.floor(seconds) * 1000);
  const y = d.getUTCFullYear();
  if (y < 1980 || y > 2107) throw new LooprootError(ErrorCode.Limit, `${field}: year ${y} is outside DOS's 1980..2107`, { limit: "1980..2107" });
  return {
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

export function fromDosDateTime(date: number, time: number): number {
  const y = 1980 + (date >> 9);
  const mo = Math.max(1, Math.min(12, (date >> 5) & 15));
  const day = Math.max(1, date & 31);
  return Date.UTC(y, mo - 1, day, time >> 11, (time >> 5) & 63, (time & 31) * 2) / 1000;
}

function checkLabel(label: string): Uint8Array {
  const up = label.toUpperCase();
  if (up.length === 0 || up.length > 11) throw new LooprootError(ErrorCode.Limit, `label: "${label}" has ${label.length} characters; a volume label has 1..11`, { field: "label", limit: 11 });
  if (up.startsWith(" ")) throw new LooprootError(ErrorCode.Limit, `label: "${label}" starts with a space`, { field: "label" });
  const out = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < up.length; i++) {
    const c = up.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || DOS_ILLEGAL_CHARS.includes(up[i]) || up[i] === ".") {
      throw new LooprootError(ErrorCode.Limit, `label: character '${up[i]}' in "${label}" is not allowed in a volume label (illegal: ${DOS_ILLEGAL_CHARS}. and control characters)`, { field: "label" });
    }
    out[i] = c;
  }
  return out;
}

function writeAscii(b: Uint8Array, at: number, s: string, len: number): void {
  for (let i = 0; i < len; i++) b[at + i] = i < s.length ? s.charCodeAt(i) : 0x20;
}

export function dirEntry(b: Uint8Array, at: number, name11: Uint8Array, attr: number, cluster: number, size: number, secs: number, field: string): void {
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
  if (b.length !== SECTOR) throw new LooprootError(ErrorCode.Limit, `${field}: ${fmt(b.length)} bytes, a boot sector has 512`, { field, limit: SECTOR });
  if (b[510] !== 0x55 || b[511] !== 0xaa) throw new LooprootError(ErrorCode.Limit, `${field}: bytes 510..511 are not the signature 55 AA`, { field, limit: "55 AA" });
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
  if (oem.length > 8 || !/^[\x20-\x7e]*$/.test(oem)) throw new Error(`oemName: "${oem}" must be at most 8 printable ASCII characters`);
  if (opts.bootSector !== undefined) checkBootSector(opts.bootSector);
  const p = plan(opts, files, dirs, true);
  const g = p.g;
  const clusterBytes = g.sectorsPerCluster * SECTOR;
  if (p.usedClusters > g.clusters) {
    const need = p.usedClusters * clusterBytes;
    const have = g.clusters * clusterBytes;
    throw new LooprootError(ErrorCode.Limit, `${g.field}: the files need ${fmt(need)} bytes but a ${g.what} has ${fmt(have)} bytes free (${fmt(need - have)} bytes over)`, { field: g.field, limit: have });
  }
  if (p.rootEntriesUsed > g.rootEntries) {
    throw new LooprootError(ErrorCode.Limit, `${g.field}: the root directory needs ${p.rootEntriesUsed} entries but a ${g.what} has ${g.rootEntries} (BPB_RootEntCnt)`, { field: g.field, limit: g.rootEntries });
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
  if (labelBytes) img.set(labelBytes, 43); // BS_VolLab
  else writeAscii(img, 43, "NO NAME", 11);
  writeAscii(img, 54, `FAT${g.fatType}`, 8); // BS_FilSysType

  allocate(p);

  // One FAT, then copied.
  const fatBytes = g.fatSectors * SECTOR;
  const fat = new Uint8Array(fatBytes);
  const set = g.fatType === 12
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
      dirEntry(img, o, dotdot, ATTR_DIRECTORY, dir.parent && dir.parent !== p.root ? dir.parent.firstCluster : 0, 0, opts.time, "time");
      o += 32;
    }
    for (const c of dir.children) {
      if (c.dir) {
        dirEntry(img, o, dosName11(c.name), ATTR_DIRECTORY, c.firstCluster, 0, opts.time, "time");
      } else {
        const f = c.file!;
        dirEntry(img, o, dosName11(c.name), f.attributes ?? ATTR_ARCHIVE, c.firstCluster, f.data.length, f.mtime ?? opts.time, `mtime of ${c.path}`);
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

// ---------------------------------------------------------------------------------------------
// Reading, defensively: the image may be a user's own floppy.

export interface FatEntry {
  /** "LINUX\\LINUXDSK.IMG"; directories too. */
  path: string;
  size: number;
  attributes: number;
  mtime: number;
  /** The file's bytes; with `maxBytes`, only its first maxBytes (to identify a big image cheaply). */
  data(maxBytes?: number): Uint8Array;
  /**
   * The clusters the file's size needs, from its chain, checked (in range, no loop, not ending
   * early or in a free cluster), without reading the data; [] for a directory or an empty file.
   */
  clusters(): number[];
}

export interface FatVolume extends FatBpb {
  bytesPerSector: number;
  oemName: string;
  label?: string;
  serial?: number;
  entries: FatEntry[];
}

/**
 * Reads a FAT12/16 volume that may be hostile (a user's own floppy). Every directory cluster is
 * visited at most once in the whole walk, so cross-linked or looping directories are an error
 * (E_IMAGE) instead of work that grows with their product; the walk is bounded by the image size.
 */
export function readFat(image: Uint8Array, offset = 0): FatVolume {
  return readFatWalk(image, offset).volume;
}

/** A volume read, with the cluster chain of each directory entry its walk followed. */
export interface FatWalk {
  volume: FatVolume;
  offset: number;
  dirClusters: Map<FatEntry, number[]>;
}

/** readFat, keeping the directories' chains for the maps (FatEntry.clusters() is [] for a directory). */
export function readFatWalk(image: Uint8Array, offset = 0): FatWalk {
  const bad = (why: string) => new LooprootError(ErrorCode.Image, `FAT image${offset ? ` at offset ${fmt(offset)}` : ""}: ${why}`);
  if (offset < 0 || offset + SECTOR > image.length) throw bad(`no boot sector (image has ${fmt(image.length)} bytes)`);
  const b = image.subarray(offset);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const bps = dv.getUint16(11, true);
  const spc = b[13];
  const rsvd = dv.getUint16(14, true);
  const nfats = b[16];
  const rootEntries = dv.getUint16(17, true);
  const tot16 = dv.getUint16(19, true);
  const media = b[21];
  const fatSz = dv.getUint16(22, true);
  const tot32 = dv.getUint32(32, true);
  if (![512, 1024, 2048, 4096].includes(bps)) throw bad(`BPB_BytsPerSec ${bps} is not 512, 1024, 2048 or 4096 (not a FAT boot sector?)`);
  if (spc === 0 || (spc & (spc - 1)) !== 0) throw bad(`BPB_SecPerClus ${spc} is not a power of two`);
  if (rsvd === 0) throw bad("BPB_RsvdSecCnt is 0");
  if (nfats === 0 || nfats > 4) throw bad(`BPB_NumFATs ${nfats} is not 1..4`);
  if (fatSz === 0) throw bad("BPB_FATSz16 is 0 (FAT32 is not supported)");
  if (media < 0xf0 && media !== 0) throw bad(`BPB_Media 0x${media.toString(16)} is not a media byte (F0..FF)`);
  const total = tot16 !== 0 ? tot16 : tot32;
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  const firstData = rsvd + nfats * fatSz + rootSectors;
  if (total <= firstData) throw bad(`BPB_TotSec ${fmt(total)} leaves no data area (first data sector ${fmt(firstData)})`);
  if (total * bps > b.length) throw bad(`BPB_TotSec says ${fmt(total * bps)} bytes but only ${fmt(b.length)} are there (truncated image?)`);
  const clusters = Math.floor((total - firstData) / spc);
  if (clusters >= 65525) throw bad(`${fmt(clusters)} clusters means FAT32, which is not supported`);
  const fatType: 12 | 16 = clusters < 4085 ? 12 : 16;
  const fat = b.subarray(rsvd * bps, (rsvd + fatSz) * bps);
  const maxCluster = clusters + 1;
  if ((fatType === 12 ? Math.ceil(((maxCluster + 1) * 3) / 2) : (maxCluster + 1) * 2) > fat.length) {
    throw bad(`BPB_FATSz16 ${fatSz} sectors is too small for ${fmt(clusters)} clusters`);
  }
  const getFat = fatType === 12
    ? (n: number) => {
        const o = n + (n >> 1);
        const v = fat[o] | (fat[o + 1] << 8);
        return n & 1 ? v >> 4 : v & 0xfff;
      }
    : (n: number) => fat[2 * n] | (fat[2 * n + 1] << 8);
  const eocMin = fatType === 12 ? 0xff8 : 0xfff8;
  const clusterBytes = spc * bps;
  const clusterAt = (c: number) => (firstData + (c - 2) * spc) * bps;

  /**
   * The cluster chain from `first`, at most `max` clusters long (more are not needed). `owner`, when
   * given, records which directory each cluster belongs to: a second owner means a cross-link.
   */
  const chain = (first: number, what: string, max = clusters, owner?: Map<number, string>): number[] => {
    const out: number[] = [];
    let c = first;
    while (out.length < max) {
      if (c < 2 || c > maxCluster) throw bad(`${what}: cluster ${c} is outside 2..${maxCluster}`);
      if (owner) {
        const other = owner.get(c);
        if (other !== undefined) throw bad(other === what ? `${what}: the cluster chain loops at cluster ${c}` : `${what}: cluster ${c} also belongs to ${other || "the root directory"} (cross-linked directories)`);
        owner.set(c, what);
      }
      out.push(c);
      if (out.length > clusters) throw bad(`${what}: the cluster chain loops`);
      const nx = getFat(c);
      if (nx >= eocMin) break;
      if (nx === 0) throw bad(`${what}: the cluster chain runs into a free cluster after ${c}`);
      c = nx;
    }
    return out;
  };

  let label: string | undefined;
  const entries: FatEntry[] = [];
  // Which directory each directory cluster belongs to, across the whole walk.
  const dirOwner = new Map<number, string>();
  const dirClusters = new Map<FatEntry, number[]>();

  const readDir = (raw: Uint8Array, prefix: string, depth: number) => {
    if (depth > 32) throw bad(`${prefix}: directories nested more than 32 deep`);
    const dirs: [string, number, FatEntry][] = [];
    for (let o = 0; o + 32 <= raw.length; o += 32) {
      const first = raw[o];
      if (first === 0x00) break;
      if (first === 0xe5) continue;
      const attr = raw[o + 11];
      if ((attr & ATTR_LONG_NAME) === ATTR_LONG_NAME) continue;
      const name11 = raw.subarray(o, o + 11);
      const ev = new DataView(raw.buffer, raw.byteOffset + o, 32);
      if (attr & ATTR_VOLUME_ID) {
        if (prefix === "" && label === undefined) {
          let s = "";
          for (let i = 0; i < 11; i++) s += String.fromCharCode(name11[i]);
          label = s.trimEnd();
        }
        continue;
      }
      const name = fromDosName11(name11);
      if (name === "." || name === "..") continue;
      const path = prefix ? `${prefix}\\${name}` : name;
      const cluster = ev.getUint16(26, true);
      const size = ev.getUint32(28, true);
      const mtime = fromDosDateTime(ev.getUint16(24, true), ev.getUint16(22, true));
      if (attr & ATTR_DIRECTORY) {
        const entry: FatEntry = { path, size: 0, attributes: attr, mtime, data: () => new Uint8Array(0), clusters: () => [] };
        entries.push(entry);
        dirs.push([path, cluster, entry]);
      } else {
        // The chain a file of this size needs: too short, looping or running off the volume is damage.
        const fileChain = (need: number) => {
          if (size > clusters * clusterBytes) throw bad(`${path}: ${fmt(size)} bytes is more than the whole volume holds (${fmt(clusters * clusterBytes)})`);
          if (need === 0) return [];
          const cs = chain(cluster, path, need, new Map()); // a loop within the file is damage too
          if (cs.length < need) throw bad(`${path}: ${fmt(size)} bytes need ${Math.ceil(size / clusterBytes)} clusters but the chain has ${cs.length}`);
          return cs;
        };
        entries.push({
          path, size, attributes: attr, mtime,
          clusters: () => fileChain(Math.ceil(size / clusterBytes)),
          data: (maxBytes = size) => {
            const want = Math.min(size, Math.max(0, maxBytes));
            if (size > clusters * clusterBytes) throw bad(`${path}: ${fmt(size)} bytes is more than the whole volume holds (${fmt(clusters * clusterBytes)})`);
            const out = new Uint8Array(want);
            if (want === 0) return out;
            const need = Math.ceil(want / clusterBytes);
            const cs = fileChain(need);
            for (let i = 0; i < need; i++) {
              const n = Math.min(clusterBytes, want - i * clusterBytes);
              out.set(b.subarray(clusterAt(cs[i]), clusterAt(cs[i]) + n), i * clusterBytes);
            }
            return out;
          },
        });
      }
    }
    for (const [path, cluster, entry] of dirs) {
      const cs = chain(cluster, path, clusters, dirOwner);
      dirClusters.set(entry, cs);
      const sub = new Uint8Array(cs.length * clusterBytes);
      cs.forEach((c, i) => sub.set(b.subarray(clusterAt(c), clusterAt(c) + clusterBytes), i * clusterBytes));
      readDir(sub, path, depth + 1);
    }
  };
  const rootAt = (rsvd + nfats * fatSz) * bps;
  readDir(b.subarray(rootAt, rootAt + rootEntries * 32), "", 0);

  const bootSig = b[38];
  let oemName = "";
  for (let i = 3; i < 11; i++) oemName += String.fromCharCode(b[i]);
  if (label === undefined && bootSig === 0x29) {
    let s = "";
    for (let i = 43; i < 54; i++) s += String.fromCharCode(b[i]);
    s = s.trimEnd();
    if (s !== "NO NAME") label = s;
  }
  const volume: FatVolume = {
    fatType, bytesPerSector: bps, sectorsPerCluster: spc, reservedSectors: rsvd, numFats: nfats, rootEntries,
    totalSectors: total, media, fatSectors: fatSz, sectorsPerTrack: dv.getUint16(24, true), heads: dv.getUint16(26, true),
    hiddenSectors: dv.getUint32(28, true), driveNumber: b[36], oemName: oemName.trimEnd(), clusters,
    label, serial: bootSig === 0x29 || bootSig === 0x28 ? dv.getUint32(39, true) : undefined, entries,
  };
  return { volume, offset, dirClusters };
}

/**
 * Every entry's clusters in entry order (a directory's from the walk when given, else []), each
 * cluster in one chain only: DOS and Linux read a cross-linked file without a word, so it is
 * damage (E_IMAGE) here. Work is bounded by the cluster count.
 */
export function fatChains(walk: Pick<FatWalk, "volume" | "offset"> & { dirClusters?: Map<FatEntry, number[]> }): number[][] {
  const owner = new Map<number, string>();
  return walk.volume.entries.map((e) => {
    const cs = e.attributes & ATTR_DIRECTORY ? (walk.dirClusters?.get(e) ?? []) : e.clusters();
    for (const c of cs) {
      const prev = owner.get(c);
      if (prev !== undefined) throw new LooprootError(ErrorCode.Image, `FAT image${walk.offset ? ` at offset ${fmt(walk.offset)}` : ""}: ${e.path}: cluster ${c} also belongs to ${prev} (cross-linked)`);
      owner.set(c, e.path);
    }
    return cs;
  });
}

/** The system files "format /s" copies, for MS-DOS, PC DOS, FreeDOS and looproot's own LRDOS. */
export const DOS_SYSTEM_FILES = ["IO.SYS", "MSDOS.SYS", "IBMBIO.COM", "IBMDOS.COM", "KERNEL.SYS", "LRDOS.SYS", "COMMAND.COM"];

/**
 * Takes the boot sector and the system files out of a DOS boot floppy, for "format /s" with the
 * user's own DOS: the files named in DOS_SYSTEM_FILES and any other root file marked System (what
 * "format /s" and SYS mark their kernel files with, whatever a DOS calls them: a boot sector looks
 * its kernel up by name, so leaving one out gives a floppy that stops at "... missing").
 * Files come in root directory order, ready to pass to makeFat.
 */
export function extractSystem(image: Uint8Array): { bootSector: Uint8Array; files: FatFile[] } {
  let vol: FatVolume;
  try {
    vol = readFat(image);
  } catch (e) {
    if (!(e instanceof LooprootError)) throw e;
    throw new LooprootError(ErrorCode.Image, `DOS floppy: ${e.message}`, { cause: e });
  }
  const bad = (why: string) => new LooprootError(ErrorCode.Image, `DOS floppy: ${why}`);
  if (image[510] !== 0x55 || image[511] !== 0xaa) throw bad("the boot sector has no 55 AA signature, so it cannot boot");
  const files: FatFile[] = [];
  for (const e of vol.entries) {
    if (e.attributes & (ATTR_DIRECTORY | ATTR_VOLUME_ID) || e.path.includes("\\")) continue;
    if (DOS_SYSTEM_FILES.includes(e.path) || e.attributes & ATTR_SYSTEM) {
      files.push({ path: e.path, data: e.data(), attributes: e.attributes & ALLOWED_ATTRS, mtime: e.mtime });
    }
  }
  if (files.length === 0) {
    throw bad(`none of ${DOS_SYSTEM_FILES.join(", ")} nor any System file is in the root directory, so it is not a system disk`);
  }
  return { bootSector: image.slice(0, SECTOR), files };
}
