// looproot/fs: FAT floppies and disks (with their MBR), written, read back and edited in place.

import {
  makeFat,
  checkBootSector,
  readFat as coreReadFat,
  extractSystem as coreExtractSystem,
  fatGeometry,
  ATTR_ARCHIVE,
  ATTR_DIRECTORY,
  ATTR_HIDDEN,
  ATTR_READ_ONLY,
  ATTR_SYSTEM,
  FLOPPY_BPB,
  type FatFile,
  type FatOptions,
} from "../fat/index.ts";
import { checkDosPath as coreCheckDosPath } from "../fat/dosname.ts";
import { makeMbr, diskLayout, readMbr as coreReadMbr, MBR_DISK_MIN_BYTES, MBR_DISK_MAX_BYTES } from "../mbr.ts";
import { editFatVolume } from "../fat/edit.ts";
import { fmt } from "../../util/fmt.ts";
import { LooprootError, ErrorCode, atField, typeError } from "../../errors.ts";
import { limit, checkInt, checkBytes, checkObject, atFieldIfNone, atImage, derivedU32 } from "./check.ts";
import { DEFAULT_TIME, type FatVolume, type FloppyKind, type DosSystem } from "./tree.ts";

/** DOS attribute bits for ImageFile.attributes: READ_ONLY, HIDDEN, SYSTEM, ARCHIVE; DIRECTORY marks directories in readFat's entries. */
export const ATTR = {
  READ_ONLY: ATTR_READ_ONLY,
  HIDDEN: ATTR_HIDDEN,
  SYSTEM: ATTR_SYSTEM,
  ARCHIVE: ATTR_ARCHIVE,
  DIRECTORY: ATTR_DIRECTORY,
} as const;

/** The largest FAT16 partition (2 GiB less one 32 KiB cluster: 65,524 clusters of 32 KiB and the FATs). */
const FAT16_MAX_PARTITION_BYTES = 2 ** 31 - 32768;

/** Disk sizes makeFatDisk takes, in bytes: from two cylinders of the BIOS geometry up to the largest disk whose FAT16 partition DOS reads. */
export const DISK_LIMITS = { minBytes: MBR_DISK_MIN_BYTES, maxBytes: largestFatDisk() } as const;

/** The largest disk (in sectors, up to the MBR's own limit) whose partition still fits FAT16; the partition grows with the disk, so a binary search finds it. */
function largestFatDisk(): number {
  let lo = MBR_DISK_MIN_BYTES / 512,
    hi = MBR_DISK_MAX_BYTES / 512;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (diskLayout(mid * 512).partitionSectors * 512 <= FAT16_MAX_PARTITION_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return lo * 512;
}

/** Checks a DOS path ("LINUX\\LINUXDSK.IMG") and returns its upper-cased 8.3 components; throws E_DOS_NAME. */
export const checkDosPath: (path: string) => string[] = (path) => {
  if (typeof path !== "string") throw typeError("path", "a string");
  return atFieldIfNone("path", () => coreCheckDosPath(path));
};
/** The boot sector and system files of a user's DOS boot floppy, as a DosSystem for makeFatFloppy's `system`. */
export function extractSystem(floppy: Uint8Array, name = "DOS"): DosSystem {
  if (typeof name !== "string") throw typeError("name", "a string");
  const s = atFieldIfNone("floppy", () => coreExtractSystem(checkBytes("floppy", floppy)));
  return {
    name,
    bootSector: s.bootSector,
    files: s.files.map((f) => ({ name: f.path, data: f.data, attributes: f.attributes ?? ATTR_ARCHIVE })),
  };
}

/** One file for a FAT image. */
export interface ImageFile {
  /** DOS path from the root, "\" or "/" separated: "AUTOEXEC.BAT", "GAMES/TETRIS.EXE" (8.3 names, checked). */
  path: string;
  data: Uint8Array;
  /** Seconds since the epoch (1980..2107); default: the image's `time`. */
  mtime?: number;
  /** DOS attribute bits (ATTR.READ_ONLY | ATTR.HIDDEN | ATTR.SYSTEM | ATTR.ARCHIVE); default ATTR.ARCHIVE. */
  attributes?: number;
}

/** What every FAT image takes besides its size. */
export interface FatContents {
  /** The files, written in this order after any system files. */
  files: ImageFile[];
  /** Extra (possibly empty) directories; the parents of every file are made anyway. */
  dirs?: string[];
  /** Volume label, at most 11 characters of a DOS name. */
  label?: string;
  /** BS_VolID; default: derived from the file names and sizes. */
  serial?: number;
  /** Seconds since the epoch for the time stamps; default DEFAULT_TIME. */
  time?: number;
  /**
   * VFAT long names: a file whose path is not 8.3 ("Read Me.txt", "docs/Long Folder/x.html") is
   * written with an alias (READM~1.TXT) and long-name entries, after the 8.3 files, as Windows 95
   * and Linux's vfat write them. Without it such a path is refused (E_DOS_NAME).
   */
  longNames?: boolean;
}

/** Options for makeFatFloppy. */
export interface FatFloppyOptions extends FatContents {
  /** The floppy size; default "1.44M". */
  floppy?: FloppyKind;
  /**
   * A DOS to make the floppy bootable ("format a: /s"): its boot sector, and its system files
   * written first, in order, as DOS requires. In Node, `lrdos()` from looproot/emulator gives the
   * package's own DOS; `extractSystem` (looproot/fs) takes one out of a user's DOS floppy.
   */
  system?: DosSystem;
}

/** Options for makeFatDisk. */
export interface FatDiskOptions extends FatContents {
  /** The whole disk in bytes, a multiple of 512, DISK_LIMITS.minBytes..DISK_LIMITS.maxBytes. */
  sizeBytes: number;
  /** The MBR's disk signature; default: derived like `serial`. */
  diskSignature?: number;
  /** 512 bytes of partition boot code (bytes 0..2 and 0x3E..0x1FF kept), e.g. images/dos/boot16.bin. */
  bootSector?: Uint8Array;
}

/** Checks the list and turns it into the core's FatFile list, names checked with the index in the field. */
function fatFiles(files: unknown, time: number, system?: DosSystem): { files: FatFile[]; ids: string[] } {
  if (!Array.isArray(files)) throw typeError("files", "an array of { path, data }");
  const out: FatFile[] = [];
  const seen = new Map<string, string>();
  const add = (
    field: string,
    path: unknown,
    data: unknown,
    attributes: number | undefined,
    mtime: number | undefined,
  ) => {
    if (typeof path !== "string") throw typeError(`${field}.path`, "a string");
    let parts: string[];
    try {
      parts = coreCheckDosPath(path);
    } catch (e) {
      throw e instanceof LooprootError ? atField(e, `${field}.path`) : e;
    }
    const key = parts.join("\\");
    if (seen.has(key))
      throw new LooprootError(
        ErrorCode.DosName,
        `${field}.path: "${path}" is ${key}, the same DOS name as ${seen.get(key)}`,
        { field: `${field}.path` },
      );
    seen.set(key, field);
    if (attributes !== undefined)
      checkInt(`${field}.attributes`, attributes, 0, ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE);
    if (mtime !== undefined) checkInt(`${field}.mtime`, mtime, 315532800, 4354819199);
    out.push({
      path: key,
      data: checkBytes(`${field}.data`, data),
      attributes: attributes ?? ATTR_ARCHIVE,
      mtime: mtime ?? time,
    });
  };
  system?.files.forEach((f, i) => add(`system.files[${i}]`, f.name, f.data, f.attributes, undefined));
  files.forEach((f: ImageFile, i) => add(`files[${i}]`, f?.path, f?.data, f?.attributes, f?.mtime));
  return { files: out, ids: out.map((f) => `${f.path}:${f.data.length}`) };
}

/** With `longNames`, the files whose paths are not 8.3 go apart (with their index, for errors); the rest as they are. */
function splitLong(opts: FatContents): { short: unknown; long: { file: ImageFile; index: number }[] } {
  if (opts.longNames === undefined || opts.longNames === false || !Array.isArray(opts.files))
    return { short: opts.files, long: [] };
  if (opts.longNames !== true) throw typeError("longNames", "a boolean");
  const short: ImageFile[] = [];
  const long: { file: ImageFile; index: number }[] = [];
  opts.files.forEach((f: ImageFile, index) => {
    let dos = typeof f?.path === "string";
    try {
      if (dos) coreCheckDosPath(f.path);
    } catch {
      dos = false;
    }
    if (dos || typeof f?.path !== "string") short.push(f);
    else {
      checkBytes(`files[${index}].data`, f.data);
      long.push({ file: f, index });
    }
  });
  return { short, long };
}

/** Writes the long-named files into the fresh volume at `offset`, their errors at their own files[i]. */
function addLong(image: Uint8Array, offset: number, long: { file: ImageFile; index: number }[], time: number): void {
  if (!long.length) return;
  try {
    editFatVolume(image, offset, {
      put: long.map(({ file }) => ({
        path: file.path,
        data: file.data,
        mtime: file.mtime,
        attributes: file.attributes,
      })),
      time,
      longNames: true,
    });
  } catch (e) {
    const m = e instanceof LooprootError ? /^put\[(\d+)\](.*)$/.exec(e.field ?? "") : null;
    throw m ? atField(e as LooprootError, `files[${long[+m[1]].index}]${m[2]}`) : e;
  }
}

function checkDirs(dirs: unknown): string[] {
  if (dirs === undefined) return [];
  if (!Array.isArray(dirs)) throw typeError("dirs", "an array of DOS paths");
  return dirs.map((d, i) => {
    if (typeof d !== "string") throw typeError(`dirs[${i}]`, "a string");
    try {
      return coreCheckDosPath(d).join("\\");
    } catch (e) {
      throw e instanceof LooprootError ? atField(e, `dirs[${i}]`) : e;
    }
  });
}

function commonFat(opts: FatContents) {
  const time = opts.time === undefined ? DEFAULT_TIME : checkInt("time", opts.time, 315532800, 4354819199);
  if (opts.serial !== undefined) checkInt("serial", opts.serial, 0, 0xffffffff);
  return { time, dirs: checkDirs(opts.dirs) };
}

/**
 * A FAT12 floppy image holding `files`, bootable when `system` is given: its boot sector goes in
 * (with the floppy's own BPB) and its system files are written first, as "format a: /s" does.
 * Without a system the boot sector prints that the disk is not bootable.
 */
export function makeFatFloppy(opts: FatFloppyOptions): Uint8Array {
  checkObject("opts", opts);
  const floppy = opts.floppy ?? "1.44M";
  if (!Object.hasOwn(FLOPPY_BPB, floppy))
    throw limit(
      "floppy",
      `"${floppy}" is not one of ${Object.keys(FLOPPY_BPB).join(", ")}`,
      Object.keys(FLOPPY_BPB).join(", "),
    );
  const { time, dirs } = commonFat(opts);
  if (opts.system !== undefined) {
    checkObject("system", opts.system);
    checkBootSector(checkBytes("system.bootSector", opts.system.bootSector), "system.bootSector");
    if (!Array.isArray(opts.system.files)) throw typeError("system.files", "an array of { name, data }");
  }
  const { short, long } = splitLong(opts);
  const { files, ids } = fatFiles(short, time, opts.system);
  ids.push(...long.map(({ file }) => `${file.path}:${file.data?.length}`));
  const fo: FatOptions = {
    floppy,
    driveNumber: 0x00,
    label: opts.label,
    serial: opts.serial ?? derivedU32("floppy-serial", [floppy, opts.label ?? "", ...ids, ...dirs]),
    bootSector: opts.system?.bootSector,
    time,
  };
  const image = makeFat(fo, files, dirs);
  addLong(image, 0, long, time);
  return image;
}

/**
 * A hard disk image: an MBR with one active FAT partition from sector 63 to the last whole
 * cylinder of the BIOS geometry (as DOS FDISK made it), formatted FAT12 or FAT16 by size, holding
 * `files`. The partition type is 01h (FAT12), 04h (FAT16 under 32 MiB) or 06h (FAT16 above).
 */
export function makeFatDisk(opts: FatDiskOptions): Uint8Array {
  checkObject("opts", opts);
  const sizeBytes = checkInt("sizeBytes", opts.sizeBytes, DISK_LIMITS.minBytes, DISK_LIMITS.maxBytes);
  if (sizeBytes % 512 !== 0)
    throw limit("sizeBytes", `${fmt(sizeBytes)} is not a whole number of 512-byte sectors`, 512);
  const { time, dirs } = commonFat(opts);
  if (opts.diskSignature !== undefined) checkInt("diskSignature", opts.diskSignature, 0, 0xffffffff);
  if (opts.bootSector !== undefined) checkBootSector(checkBytes("bootSector", opts.bootSector));
  const { short, long } = splitLong(opts);
  const { files, ids } = fatFiles(short, time);
  ids.push(...long.map(({ file }) => `${file.path}:${file.data?.length}`));
  const layout = diskLayout(sizeBytes);
  if (layout.partitionSectors * 512 > FAT16_MAX_PARTITION_BYTES)
    throw limit("sizeBytes", `${fmt(sizeBytes)} bytes give a partition over 2 GiB, more than FAT16 holds`);
  const idParts = [String(sizeBytes), opts.label ?? "", ...ids, ...dirs];
  const fo: FatOptions = {
    totalSectors: layout.partitionSectors,
    hiddenSectors: layout.partitionStart,
    heads: layout.geometry.heads,
    sectorsPerTrack: layout.geometry.sectorsPerTrack,
    driveNumber: 0x80,
    label: opts.label,
    serial: opts.serial ?? derivedU32("disk-serial", idParts),
    bootSector: opts.bootSector,
    time,
  };
  const fatType = fatGeometry(fo).fatType;
  const disk = new Uint8Array(sizeBytes);
  const start = layout.partitionStart * 512;
  const volume = disk.subarray(start, start + layout.partitionSectors * 512);
  // The core names a full volume "partition"; here its size is the caller's sizeBytes.
  try {
    makeFat(fo, files, dirs, volume);
  } catch (e) {
    throw e instanceof LooprootError && e.field === "partition" ? atField(e, "sizeBytes") : e;
  }
  const mbr = makeMbr({
    sizeBytes,
    partitionStart: layout.partitionStart,
    partitionSectors: layout.partitionSectors,
    partitionType: fatType === 12 ? 0x01 : layout.partitionSectors < 65536 ? 0x04 : 0x06,
    active: true,
    diskSignature: opts.diskSignature ?? derivedU32("disk-signature", idParts),
    volumeBytes: volume.length,
    volumeBootSector: volume.subarray(0, 512),
  });
  disk.set(mbr, 0);
  addLong(disk, start, long, time);
  return disk;
}

/** A FAT12/16 volume read back: its BPB fields and every entry with its data. `offset` is the volume's byte offset. */
export function readFat(image: Uint8Array, offset = 0): FatVolume {
  checkBytes("image", image);
  checkInt("offset", offset, 0, Math.max(0, image.length - 1));
  return atFieldIfNone("image", () => coreReadFat(image, offset));
}

/** The one partition an MBR made by makeFatDisk describes, read back. */
export interface PartitionInfo {
  /** 0..3: the slot in the partition table. */
  index: number;
  type: number;
  active: boolean;
  /** First sector (LBA) and sector count. */
  start: number;
  sectors: number;
}

/** The primary partitions of an MBR disk image (empty slots left out). */
export function readMbr(image: Uint8Array): PartitionInfo[] {
  checkBytes("image", image);
  const { partitions } = atImage(() => coreReadMbr(image));
  return partitions.map((p) => ({
    index: p.index - 1,
    type: p.type,
    active: p.bootable,
    start: p.start,
    sectors: p.sectors,
  }));
}

/** The FAT volume in the first partition of a disk image from makeFatDisk (or DOS FDISK). */
export function readFatDisk(image: Uint8Array): FatVolume {
  const part = readMbr(image)[0];
  if (!part) throw new LooprootError(ErrorCode.Image, "MBR: the partition table is empty", { field: "image" });
  return atFieldIfNone("image", () => coreReadFat(image, part.start * 512));
}

/** What editFat changes, in this order: `remove`, then `mkdir`, then `put`. */
export interface FatChanges {
  /** DOS paths of files, or of folders with everything in them, to delete (as mdel / mdeltree). */
  remove?: string[];
  /** Folders to make, with their parents (as mmd); one that exists is left as it is. */
  mkdir?: string[];
  /** Files to add, or to replace where the path exists (as mcopy -o); their folders are made as needed. */
  put?: ImageFile[];
  /** Seconds since the epoch for new folders and for files without an mtime; default DEFAULT_TIME. */
  time?: number;
  /** VFAT long names for paths that are not 8.3, as makeFatFloppy's `longNames`; a long name also finds an existing entry by its long name. */
  longNames?: boolean;
}

function checkChanges(changes: FatChanges) {
  checkObject("changes", changes);
  const time = changes.time === undefined ? DEFAULT_TIME : checkInt("time", changes.time, 315532800, 4354819199);
  const paths = (field: "remove" | "mkdir") => {
    const v = changes[field];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw typeError(field, "an array of DOS paths");
    v.forEach((p, i) => {
      if (typeof p !== "string") throw typeError(`${field}[${i}]`, "a string");
    });
    return v;
  };
  if (changes.put !== undefined && !Array.isArray(changes.put)) throw typeError("put", "an array of { path, data }");
  const put = (changes.put ?? []).map((f, i) => {
    checkObject(`put[${i}]`, f);
    if (typeof f.path !== "string") throw typeError(`put[${i}].path`, "a string");
    checkBytes(`put[${i}].data`, f.data);
    if (f.attributes !== undefined)
      checkInt(`put[${i}].attributes`, f.attributes, 0, ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE);
    if (f.mtime !== undefined) checkInt(`put[${i}].mtime`, f.mtime, 315532800, 4354819199);
    return { path: f.path, data: f.data, mtime: f.mtime, attributes: f.attributes };
  });
  if (changes.longNames !== undefined && typeof changes.longNames !== "boolean")
    throw typeError("longNames", "a boolean");
  return { remove: paths("remove"), mkdir: paths("mkdir"), put, time, longNames: changes.longNames };
}

/**
 * Changes a FAT12/16 image in place, as mtools' `mcopy -o -i`, `mmd -i` and `mdeltree -i` do:
 * adds or replaces files, makes folders, deletes files and folders, leaving every other file's
 * clusters and entries where they are. `offset` is the volume's byte offset in `image`. Checked
 * before anything is written; an error (the volume or its root directory full, a path that is not
 * there) leaves `image` as it was.
 */
export function editFat(image: Uint8Array, changes: FatChanges, offset = 0): void {
  checkBytes("image", image);
  checkInt("offset", offset, 0, Math.max(0, image.length - 1));
  const c = checkChanges(changes);
  atFieldIfNone("image", () => editFatVolume(image, offset, c));
}

/** editFat on the FAT volume in the first partition of a disk image (from makeFatDisk, or DOS FDISK). */
export function editFatDisk(image: Uint8Array, changes: FatChanges): void {
  const part = readMbr(image)[0];
  if (!part) throw new LooprootError(ErrorCode.Image, "MBR: the partition table is empty", { field: "image" });
  const c = checkChanges(changes);
  atFieldIfNone("image", () => editFatVolume(image, part.start * 512, c));
}
