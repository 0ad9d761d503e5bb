// The FAT12/FAT16 on-disk format: the BPB fields and their limits, the floppy formats, the
// attribute bits and DOS dates, and the volume's geometry as FORMAT works it out; what the writer,
// the reader and the in-place editor share. Field names follow Microsoft's "FAT: General Overview
// of On-Disk Format" (BPB_*, BS_*, DIR_*).

import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";

export type FloppyKind = "360K" | "720K" | "1.2M" | "1.44M" | "2.88M";

export const ATTR_READ_ONLY = 0x01;
export const ATTR_HIDDEN = 0x02;
export const ATTR_SYSTEM = 0x04;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_LONG_NAME = 0x0f;
/** The attribute bits a file may carry on a volume looproot writes. */
export const ALLOWED_ATTRS = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE;

export const SECTOR = 512;

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
  "360K": {
    totalSectors: 720,
    sectorsPerCluster: 2,
    rootEntries: 112,
    media: 0xfd,
    fatSectors: 2,
    sectorsPerTrack: 9,
    heads: 2,
  },
  "720K": {
    totalSectors: 1440,
    sectorsPerCluster: 2,
    rootEntries: 112,
    media: 0xf9,
    fatSectors: 3,
    sectorsPerTrack: 9,
    heads: 2,
  },
  "1.2M": {
    totalSectors: 2400,
    sectorsPerCluster: 1,
    rootEntries: 224,
    media: 0xf9,
    fatSectors: 7,
    sectorsPerTrack: 15,
    heads: 2,
  },
  "1.44M": {
    totalSectors: 2880,
    sectorsPerCluster: 1,
    rootEntries: 224,
    media: 0xf0,
    fatSectors: 9,
    sectorsPerTrack: 18,
    heads: 2,
  },
  "2.88M": {
    totalSectors: 5760,
    sectorsPerCluster: 2,
    rootEntries: 240,
    media: 0xf0,
    fatSectors: 9,
    sectorsPerTrack: 36,
    heads: 2,
  },
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

/**
 * The largest FAT16 volume: 65,524 clusters of 64 sectors (32 KiB) after the boot sector, a
 * 512-entry root and two 256-sector FATs, plus a partial cluster: 4,194,144 sectors, just under 2 GiB.
 */
export const FAT16_MAX_SECTORS = 1 + 32 + 2 * 256 + 65525 * 64 - 1;

/** An option that must be a whole number in min..max, else a plain Error naming the field and the range. */
export function checkInt(field: string, v: number, min: number, max: number): void {
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
      fatType: 12,
      totalSectors: f.totalSectors,
      sectorsPerCluster: f.sectorsPerCluster,
      reservedSectors,
      numFats,
      rootEntries: f.rootEntries,
      media: f.media,
      fatSectors: f.fatSectors,
      sectorsPerTrack: opts.sectorsPerTrack ?? f.sectorsPerTrack,
      heads: opts.heads ?? f.heads,
      hiddenSectors: opts.hiddenSectors ?? 0,
      driveNumber: opts.driveNumber ?? 0x00,
      what: `${kind} floppy`,
      field: "floppy",
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
      spc =
        total <= 32680
          ? 2
          : total <= 262144
            ? 4
            : total <= 524288
              ? 8
              : total <= 1048576
                ? 16
                : total <= 2097152
                  ? 32
                  : 64;
    } else {
      spc = 1;
      while (spc < 64 && Math.floor((total - reservedSectors - rootSectors) / spc) > 4084) spc *= 2;
    }
    // Smallest FAT that covers every cluster it leaves room for.
    const entryBytes = (n: number) => (fatType === 12 ? Math.ceil((n * 3) / 2) : n * 2);
    const sizeFat = (perCluster: number): [number, number] => {
      for (let fs = 1; ; fs++) {
        const data = total - reservedSectors - rootSectors - numFats * fs;
        if (data <= 0)
          throw new Error(`totalSectors: ${fmt(total)} sectors leave no room for data in a FAT${fatType} volume`);
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
      fatType,
      totalSectors: total,
      sectorsPerCluster: spc,
      reservedSectors,
      numFats,
      rootEntries,
      media: 0xf8,
      fatSectors,
      sectorsPerTrack: spt,
      heads,
      hiddenSectors: opts.hiddenSectors ?? 0,
      driveNumber: opts.driveNumber ?? 0x80,
      what: `${sizeWords(total)} FAT${fatType} partition`,
      field: "partition",
    };
  }
  checkInt("heads", g.heads, 1, 255);
  checkInt("sectorsPerTrack", g.sectorsPerTrack, 1, 63);
  checkInt("hiddenSectors", g.hiddenSectors, 0, 0xffffffff);
  checkInt("driveNumber", g.driveNumber, 0, 255);
  const firstDataSector = g.reservedSectors + g.numFats * g.fatSectors + (g.rootEntries * 32) / SECTOR;
  const clusters = Math.floor((g.totalSectors - firstDataSector) / g.sectorsPerCluster);
  if (g.fatType === 12 && clusters > 4084) {
    throw new Error(
      `fatType: ${fmt(clusters)} clusters are more than FAT12's 4,084; use FAT16 or a smaller totalSectors`,
    );
  }
  if (g.fatType === 16 && clusters < 4085) {
    throw new Error(
      `fatType: FAT16 needs at least 4,085 clusters but ${fmt(g.totalSectors)} sectors give ${fmt(clusters)}; use FAT12 or a larger totalSectors`,
    );
  }
  if (g.fatType === 16 && clusters > 65524) {
    throw new Error(`totalSectors: ${fmt(clusters)} clusters are more than FAT16's 65,524`);
  }
  return { ...g, clusters, firstDataSector };
}

/** DOS date and time (UTC) for seconds since the epoch; DOS counts from 1980 to 2107, in 2 s steps. */
export function dosDateTime(seconds: number, field = "time"): { date: number; time: number } {
  if (!Number.isFinite(seconds))
    throw new LooprootError(ErrorCode.Limit, `${field}: ${seconds} is not a number of seconds`);
  const d = new Date(Math.floor(seconds) * 1000);
  const y = d.getUTCFullYear();
  if (y < 1980 || y > 2107)
    throw new LooprootError(ErrorCode.Limit, `${field}: year ${y} is outside DOS's 1980..2107`, {
      limit: "1980..2107",
    });
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
