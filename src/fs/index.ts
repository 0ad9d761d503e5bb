// `looproot/fs`: the image writers and readers as a small, stable API for other projects. Pure
// (no Node, no DOM): it runs in Node, in a browser tab and in a worker. Each function checks its
// options with a LooprootError naming the field and the limit, then calls the core writers in this
// folder; nothing here formats a filesystem itself.

import { makeFat, checkBootSector, readFat as coreReadFat, extractSystem as coreExtractSystem, fatGeometry, ATTR_ARCHIVE, ATTR_DIRECTORY, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_SYSTEM, FLOPPY_BPB, type FatFile, type FatOptions, type FatVolume as CoreFatVolume, type FatEntry as CoreFatEntry, type FloppyKind as CoreFloppyKind } from "./fat/index.ts";
import { checkDosPath as coreCheckDosPath } from "./fat/dosname.ts";
import { makeMbr, diskLayout, readMbr as coreReadMbr, DISK_MIN_BYTES, DISK_MAX_BYTES } from "./mbr.ts";
import { makeExt2 as coreMakeExt2, ext2Needs, type Ext2Options } from "./ext2/index.ts";
import { LABEL_MAX as EXT2_LABEL_MAX } from "./ext2/layout.ts";
import { readExt2 as coreReadExt2 } from "./ext2/index.ts";
import { makeSwap as coreMakeSwap, readSwap as coreReadSwap, SWAP_PAGE, SWAP_MIN_PAGES, SWAP_MAX_PAGES, SWAP_LABEL_MAX } from "./swap.ts";
import { parseTar, writeTar as coreWriteTar, DEFAULT_TAR_LIMITS, type TarLimits as CoreTarLimits } from "./tar.ts";
import { gunzip as coreGunzip, gzip9, isGzip } from "./gzip.ts";
import { checkTree, normalisePath, parentPath, type Tree as CoreTree, type NodeKind as CoreNodeKind } from "./tree.ts";
import { inspect as coreInspect, type Inspection as CoreInspection, type Region as CoreRegion, type ImageKind as CoreImageKind } from "./views/maps.ts";
import { editFatVolume } from "./fat/edit.ts";
import { sha256 } from "../util/sha256.ts";
import { fmt } from "../util/fmt.ts";
import { LooprootError, ErrorCode, atField, typeError } from "../errors.ts";
import type { DosSystem as CoreDosSystem } from "../ingredients.ts";

/** DOS attribute bits for ImageFile.attributes: READ_ONLY, HIDDEN, SYSTEM, ARCHIVE; DIRECTORY marks directories in readFat's entries. */
export const ATTR = { READ_ONLY: ATTR_READ_ONLY, HIDDEN: ATTR_HIDDEN, SYSTEM: ATTR_SYSTEM, ARCHIVE: ATTR_ARCHIVE, DIRECTORY: ATTR_DIRECTORY } as const;
/** Swap limits: the page size, mkswap's minimum of pages, the most pages an i386 kernel uses, the label's bytes. */
export const SWAP_LIMITS = { page: SWAP_PAGE, minPages: SWAP_MIN_PAGES, maxPages: SWAP_MAX_PAGES, labelBytes: SWAP_LABEL_MAX } as const;
/** The largest FAT16 partition (2 GiB less one 32 KiB cluster: 65,524 clusters of 32 KiB and the FATs). */
const FAT16_MAX_PARTITION_BYTES = 2 ** 31 - 32768;

/** Disk sizes makeFatDisk takes, in bytes: from two cylinders of the BIOS geometry up to the largest disk whose FAT16 partition DOS reads. */
export const DISK_LIMITS = { minBytes: DISK_MIN_BYTES, maxBytes: largestFatDisk() } as const;

/** The largest disk (in sectors, up to the MBR's own limit) whose partition still fits FAT16; the partition grows with the disk, so a binary search finds it. */
function largestFatDisk(): number {
  let lo = DISK_MIN_BYTES / 512, hi = DISK_MAX_BYTES / 512;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (diskLayout(mid * 512).partitionSectors * 512 <= FAT16_MAX_PARTITION_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return lo * 512;
}
/** readTar's default limits: bytes of contents and number of entries. */
export const TAR_LIMITS: TarLimits = DEFAULT_TAR_LIMITS;
/** A tree as a POSIX ustar archive (GNU long names where needed), the inverse of readTar. Checked like makeExt2's tree first. */
export const writeTar: (tree: Tree) => Uint8Array = (tree) => coreWriteTar(checkedTree("tree", tree));
/** gzip -9 -n: deterministic (no name, no time stamp). */
export const gzip: (data: Uint8Array) => Uint8Array = (data) => gzip9(checkBytes("data", data));
/** Unpacks gzip data, refusing to produce more than maxBytes (checked while inflating). */
export const gunzip: (data: Uint8Array, maxBytes: number) => Uint8Array = (data, maxBytes) =>
  atFieldIfNone("data", () => coreGunzip(checkBytes("data", data), checkInt("maxBytes", maxBytes, 0, Number.MAX_SAFE_INTEGER)));
/** Checks a DOS path ("LINUX\\LINUXDSK.IMG") and returns its upper-cased 8.3 components; throws E_DOS_NAME. */
export const checkDosPath: (path: string) => string[] = (path) => {
  if (typeof path !== "string") throw typeError("path", "a string");
  return atFieldIfNone("path", () => coreCheckDosPath(path));
};
/** The boot sector and system files of a user's DOS boot floppy, as a DosSystem for makeFatFloppy's `system`. */
export function extractSystem(floppy: Uint8Array, name = "DOS"): DosSystem {
  if (typeof name !== "string") throw typeError("name", "a string");
  const s = atFieldIfNone("floppy", () => coreExtractSystem(checkBytes("floppy", floppy)));
  return { name, bootSector: s.bootSector, files: s.files.map((f) => ({ name: f.path, data: f.data, attributes: f.attributes ?? ATTR_ARCHIVE })) };
}

/** What every tree entry has: its path, permission bits, owner and time stamp. */
export interface TreeEntryBase {
  /** Absolute, normalised path: "/", "/bin/sh". No "." or ".." components, no trailing slash. */
  path: string;
  /** Permission and special bits only (0o7777): the file type is `kind`. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}
/** A regular file and its contents. */
export interface FileEntry extends TreeEntryBase { kind: "file"; data: Uint8Array }
/** A directory. */
export interface DirEntry extends TreeEntryBase { kind: "dir" }
/** A symbolic link and its link text. */
export interface SymlinkEntry extends TreeEntryBase { kind: "symlink"; target: string }
/** A hard link: another name for the earlier "file" entry at the absolute path `target`. */
export interface HardlinkEntry extends TreeEntryBase { kind: "hardlink"; target: string }
/** A character or block device node and its numbers (major 0..4095, minor 0..1048575). */
export interface DeviceEntry extends TreeEntryBase { kind: "chardev" | "blockdev"; major: number; minor: number }
/** A named pipe or a socket (no data). */
export interface SpecialEntry extends TreeEntryBase { kind: "fifo" | "socket" }
/** One entry of a Tree, told apart by `kind`: each kind has exactly the fields it needs (a device its numbers). */
export type TreeEntry = FileEntry | DirEntry | SymlinkEntry | HardlinkEntry | DeviceEntry | SpecialEntry;
/** A filesystem tree as plain data: one entry per path, parents before children. */
export type Tree = TreeEntry[];
/** The kinds of tree entry: "file", "dir", "symlink", "hardlink", "chardev", "blockdev", "fifo", "socket". */
export type NodeKind = CoreNodeKind;
/** A FAT volume read back by readFat: the BPB's fields and its entries. */
export type FatVolume = CoreFatVolume;
/** One file or directory of a FatVolume; data() reads its clusters. */
export type FatEntry = CoreFatEntry;
/** A standard floppy: "360K", "720K", "1.2M", "1.44M" or "2.88M". */
export type FloppyKind = CoreFloppyKind;
/** Limits for reading a tar: total bytes of contents and number of entries. */
export type TarLimits = CoreTarLimits;
/** A DOS to make a floppy bootable: its boot sector and its system files, in order. */
export type DosSystem = CoreDosSystem;

/** 1998-06-03 08:47 UTC, the HOWTO's date: the default time stamp, so the same input gives the same bytes. */
export const DEFAULT_TIME = Date.UTC(1998, 5, 3, 8, 47, 0) / 1000;

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


function limit(field: string, message: string, lim?: number | string): LooprootError {
  return new LooprootError(ErrorCode.Limit, `${field}: ${message}`, { field, ...(lim !== undefined ? { limit: lim } : {}) });
}

function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number") throw typeError(field, "a number");
  if (!Number.isInteger(v) || v < min || v > max) throw limit(field, `${String(v)} is not a whole number in ${fmt(min)}..${fmt(max)}`, `${min}..${max}`);
  return v;
}

function checkBytes(field: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw typeError(field, "a Uint8Array");
  return v;
}

function checkObject<T>(field: string, v: T): T {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw typeError(field, "an object");
  return v;
}

/** Runs `run`, placing an error it throws without a field at `field` (the argument it is about). */
function atFieldIfNone<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw e instanceof LooprootError && e.field === undefined ? atField(e, field) : e;
  }
}

/** Runs a core reader, placing the image problems it names by header field at `image` (the argument). */
function atImage<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw e instanceof LooprootError && e.code === ErrorCode.Image ? atField(e, "image") : e;
  }
}

/** A core tree that checkTree has passed: each entry has the fields of its kind, so it is a public Tree. */
const asPublic = (tree: CoreTree): Tree => tree as Tree;

/** A tree checked by the writers' rules, its errors (each naming the entry's path) at `field`. */
function checkedTree(field: string, tree: unknown): Tree {
  if (!Array.isArray(tree)) throw typeError(field, "an array of tree entries");
  return asPublic(atFieldIfNone(field, () => checkTree(tree)));
}

/** A u32 from the SHA-256 of what identifies an image, so a default serial is stable and differs between contents. */
function derivedU32(purpose: string, parts: string[]): number {
  const d = sha256(purpose + "\0" + parts.join("\0"));
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

function derivedUuid(purpose: string, parts: string[]): Uint8Array {
  const u = sha256(purpose + "\0" + parts.join("\0")).slice(0, 16);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return u;
}

/** Checks the list and turns it into the core's FatFile list, names checked with the index in the field. */
function fatFiles(files: unknown, time: number, system?: DosSystem): { files: FatFile[]; ids: string[] } {
  if (!Array.isArray(files)) throw typeError("files", "an array of { path, data }");
  const out: FatFile[] = [];
  const seen = new Map<string, string>();
  const add = (field: string, path: unknown, data: unknown, attributes: number | undefined, mtime: number | undefined) => {
    if (typeof path !== "string") throw typeError(`${field}.path`, "a string");
    let parts: string[];
    try {
      parts = coreCheckDosPath(path);
    } catch (e) {
      throw e instanceof LooprootError ? atField(e, `${field}.path`) : e;
    }
    const key = parts.join("\\");
    if (seen.has(key)) throw new LooprootError(ErrorCode.DosName, `${field}.path: "${path}" is ${key}, the same DOS name as ${seen.get(key)}`, { field: `${field}.path` });
    seen.set(key, field);
    if (attributes !== undefined) checkInt(`${field}.attributes`, attributes, 0, ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE);
    if (mtime !== undefined) checkInt(`${field}.mtime`, mtime, 315532800, 4354819199);
    out.push({ path: key, data: checkBytes(`${field}.data`, data), attributes: attributes ?? ATTR_ARCHIVE, mtime: mtime ?? time });
  };
  system?.files.forEach((f, i) => add(`system.files[${i}]`, f.name, f.data, f.attributes, undefined));
  files.forEach((f: ImageFile, i) => add(`files[${i}]`, f?.path, f?.data, f?.attributes, f?.mtime));
  return { files: out, ids: out.map((f) => `${f.path}:${f.data.length}`) };
}

/** With `longNames`, the files whose paths are not 8.3 go apart (with their index, for errors); the rest as they are. */
function splitLong(opts: FatContents): { short: unknown; long: { file: ImageFile; index: number }[] } {
  if (opts.longNames === undefined || opts.longNames === false || !Array.isArray(opts.files)) return { short: opts.files, long: [] };
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
    editFatVolume(image, offset, { put: long.map(({ file }) => ({ path: file.path, data: file.data, mtime: file.mtime, attributes: file.attributes })), time, longNames: true });
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
  if (!Object.hasOwn(FLOPPY_BPB, floppy)) throw limit("floppy", `"${floppy}" is not one of ${Object.keys(FLOPPY_BPB).join(", ")}`, Object.keys(FLOPPY_BPB).join(", "));
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
  if (sizeBytes % 512 !== 0) throw limit("sizeBytes", `${fmt(sizeBytes)} is not a whole number of 512-byte sectors`, 512);
  const { time, dirs } = commonFat(opts);
  if (opts.diskSignature !== undefined) checkInt("diskSignature", opts.diskSignature, 0, 0xffffffff);
  if (opts.bootSector !== undefined) checkBootSector(checkBytes("bootSector", opts.bootSector));
  const { short, long } = splitLong(opts);
  const { files, ids } = fatFiles(short, time);
  ids.push(...long.map(({ file }) => `${file.path}:${file.data?.length}`));
  const layout = diskLayout(sizeBytes);
  if (layout.partitionSectors * 512 > FAT16_MAX_PARTITION_BYTES) throw limit("sizeBytes", `${fmt(sizeBytes)} bytes give a partition over 2 GiB, more than FAT16 holds`);
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

/** makeExt2's contents given as a tree. */
export interface Ext2FromTree {
  /** The contents as plain data (see treeFromFiles, treeFromDirectory). */
  tree: Tree;
  tar?: never;
}

/** makeExt2's contents given as a tar archive. */
export interface Ext2FromTar {
  /** The contents as a tar archive, gzip'd or not (ustar, GNU and pax headers; checked with `tarLimits`). */
  tar: Uint8Array;
  /** Limits for reading `tar`; default TAR_LIMITS. */
  tarLimits?: TarLimits;
  tree?: never;
}

/** Options for makeExt2: the contents, as a tree or as a tar (exactly one), and mke2fs's settings. */
export type Ext2ImageOptions = (Ext2FromTree | Ext2FromTar) & Ext2Settings;

/** mke2fs's settings for makeExt2. */
export interface Ext2Settings {
  /** Image size in bytes; default: the smallest that holds the contents, plus `slackBytes`. */
  sizeBytes?: number;
  /** Free space added to the smallest size when sizeBytes is not given; default 256 KiB. */
  slackBytes?: number;
  /** mke2fs -b; default 1024. */
  blockSize?: 1024 | 2048 | 4096;
  /** mke2fs -i; default 4096. */
  bytesPerInode?: number;
  /** mke2fs -m; default 5. */
  reservedPercent?: number;
  /** mke2fs -L, at most 16 bytes. */
  label?: string;
  /** s_uuid (16 bytes); default: derived from the contents' paths and sizes. */
  uuid?: Uint8Array;
  /** Seconds since the epoch for the superblock and lost+found; default DEFAULT_TIME. */
  time?: number;
}

/** The largest ext2 image makeExt2 writes: one Uint8Array. */
const EXT2_MAX_BYTES = 2 ** 31 - 1;

/**
 * An ext2 image (what `mke2fs -t ext2` and copying the files in gives) from a tree or a tarball.
 * Exactly one of `tree` and `tar` must be given.
 */
export function makeExt2(opts: Ext2ImageOptions): Uint8Array {
  checkObject("opts", opts);
  if ((opts.tree === undefined) === (opts.tar === undefined)) throw new LooprootError(ErrorCode.Type, "tree, tar: give exactly one of them", { field: opts.tree ? "tar" : "tree" });
  if (opts.label !== undefined && typeof opts.label !== "string") throw typeError("label", "a string");
  if (opts.label !== undefined && new TextEncoder().encode(opts.label).length > EXT2_LABEL_MAX) {
    throw limit("label", `"${String(opts.label)}" is longer than ${EXT2_LABEL_MAX} bytes`, EXT2_LABEL_MAX);
  }
  const tree = opts.tree !== undefined ? checkedTree("tree", opts.tree) : readTar(checkBytes("tar", opts.tar), opts.tarLimits);
  const time = opts.time === undefined ? DEFAULT_TIME : checkInt("time", opts.time, 0, 0x7fffffff);
  if (opts.uuid !== undefined && checkBytes("uuid", opts.uuid).length !== 16) throw limit("uuid", `${opts.uuid.length} bytes, a UUID has 16`, 16);
  const uuid = opts.uuid ?? derivedUuid("ext2-uuid", [opts.label ?? "", ...tree.map((e) => `${e.path}:${e.kind}:${(e as { data?: Uint8Array }).data?.length ?? 0}`)]);
  const settings: Omit<Ext2Options, "sizeBytes"> = { blockSize: opts.blockSize, bytesPerInode: opts.bytesPerInode, reservedPercent: opts.reservedPercent, label: opts.label, uuid, time };
  let sizeBytes: number;
  if (opts.sizeBytes !== undefined) sizeBytes = checkInt("sizeBytes", opts.sizeBytes, 1, EXT2_MAX_BYTES);
  else {
    const slack = opts.slackBytes === undefined ? 256 * 1024 : checkInt("slackBytes", opts.slackBytes, 0, EXT2_MAX_BYTES);
    const block = opts.blockSize ?? 1024;
    sizeBytes = Math.ceil((ext2Needs(tree, settings).minBytes + slack) / block) * block;
    if (sizeBytes > EXT2_MAX_BYTES) throw limit("sizeBytes", `the contents need ${fmt(sizeBytes)} bytes, more than the ${fmt(EXT2_MAX_BYTES)} of one image`, EXT2_MAX_BYTES);
  }
  return coreMakeExt2(tree, { ...settings, sizeBytes });
}

/** Options for makeSwap. */
export interface SwapImageOptions {
  /** Size in bytes, whole pages of SWAP_LIMITS.page bytes, SWAP_LIMITS.minPages..SWAP_LIMITS.maxPages of them. */
  sizeBytes: number;
  /** At most SWAP_LIMITS.labelBytes bytes. */
  label?: string;
  /** sws_uuid (16 bytes); default: derived from the size and label. */
  uuid?: Uint8Array;
}

/** A Linux swap area (mkswap's version-1 header), ready for `swapon`. */
export function makeSwap(opts: SwapImageOptions): Uint8Array {
  checkObject("opts", opts);
  const sizeBytes = checkInt("sizeBytes", opts.sizeBytes, SWAP_MIN_PAGES * SWAP_PAGE, SWAP_MAX_PAGES * SWAP_PAGE);
  if (sizeBytes % SWAP_PAGE !== 0) throw limit("sizeBytes", `${fmt(sizeBytes)} is not a whole number of ${SWAP_PAGE}-byte pages`, SWAP_PAGE);
  if (opts.label !== undefined && typeof opts.label !== "string") throw typeError("label", "a string");
  if (opts.label !== undefined && new TextEncoder().encode(opts.label).length > SWAP_LABEL_MAX) {
    throw limit("label", `"${String(opts.label)}" is longer than ${SWAP_LABEL_MAX} bytes`, SWAP_LABEL_MAX);
  }
  if (opts.uuid !== undefined && checkBytes("uuid", opts.uuid).length !== 16) throw limit("uuid", `${opts.uuid.length} bytes, a UUID has 16`, 16);
  return coreMakeSwap({ sizeBytes, label: opts.label, uuid: opts.uuid ?? derivedUuid("swap-uuid", [String(sizeBytes), opts.label ?? ""]) });
}

/** One file for treeFromFiles: a path and its contents (a string is written as UTF-8). */
export interface TreeFile {
  /** Absolute or relative Unix path: "/sbin/init", "etc/motd". */
  path: string;
  /** Contents of a file; omit for a directory or a symlink. */
  data?: Uint8Array | string;
  /** kind "symlink": the link text. */
  symlink?: string;
  /** Permission bits; default 0o644 for files (0o755 when `executable`), 0o755 for directories. */
  mode?: number;
  executable?: boolean;
  /** A directory (no data). */
  dir?: boolean;
}

/**
 * A tree (root-owned, time stamps `time`) from a list of files, with every parent directory made,
 * ready for makeExt2 or writeTar. Checked by the same rules as a tarball.
 */
export function treeFromFiles(files: TreeFile[], time = DEFAULT_TIME): Tree {
  if (!Array.isArray(files)) throw typeError("files", "an array of { path, data }");
  const byPath = new Map<string, TreeEntry>();
  const dir = (path: string) => {
    if (!byPath.has(path)) byPath.set(path, { path, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: time });
  };
  const parents = (path: string) => {
    const chain: string[] = [];
    for (let p = parentPath(path); !byPath.has(p); p = parentPath(p)) {
      chain.push(p);
      if (p === "/") break;
    }
    for (const p of chain.reverse()) dir(p);
  };
  dir("/");
  files.forEach((f, i) => {
    if (typeof f?.path !== "string") throw typeError(`files[${i}].path`, "a string");
    const path = atFieldIfNone(`files[${i}].path`, () => normalisePath(f.path.startsWith("/") ? f.path : "/" + f.path));
    parents(path);
    const mode = f.mode ?? (f.dir || f.executable ? 0o755 : f.symlink !== undefined ? 0o777 : 0o644);
    if (f.dir) byPath.set(path, { path, kind: "dir", mode, uid: 0, gid: 0, mtime: time });
    else if (f.symlink !== undefined) byPath.set(path, { path, kind: "symlink", target: f.symlink, mode, uid: 0, gid: 0, mtime: time });
    else {
      const data = typeof f.data === "string" ? new TextEncoder().encode(f.data) : checkBytes(`files[${i}].data`, f.data ?? new Uint8Array(0));
      byPath.set(path, { path, kind: "file", data, mode, uid: 0, gid: 0, mtime: time });
    }
  });
  return checkedTree("files", [...byPath.values()]);
}

/** A tar or tar.gz read into a tree, within `limits` (bounded time and memory for untrusted input). */
export function readTar(archive: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): Tree {
  checkBytes("tar", archive);
  checkObject("limits", limits);
  checkInt("limits.maxTotalBytes", limits.maxTotalBytes, 0, Number.MAX_SAFE_INTEGER);
  checkInt("limits.maxEntries", limits.maxEntries, 0, Number.MAX_SAFE_INTEGER);
  const gz = isGzip(archive);
  // Headers and padding take at most a few blocks per entry beyond the data.
  const bytes = gz ? gunzip(archive, Math.min(2 ** 31 - 1, limits.maxTotalBytes + limits.maxEntries * 2048 + 1024)) : archive;
  return asPublic(atFieldIfNone("tar", () => parseTar(bytes, limits)));
}

/** A FAT12/16 volume read back: its BPB fields and every entry with its data. `offset` is the volume's byte offset. */
export function readFat(image: Uint8Array, offset = 0): FatVolume {
  checkBytes("image", image);
  checkInt("offset", offset, 0, Math.max(0, image.length - 1));
  return atFieldIfNone("image", () => coreReadFat(image, offset));
}

/**
 * The contents of an ext2 image as a tree (files with their data, directories, links, devices),
 * read with bounded time and memory: at most `maxDataBytes` of file data (default 4 x the image
 * size plus 16 MiB); `offset` is where the filesystem starts in `image`.
 */
export function readExt2(image: Uint8Array, opts: { maxDataBytes?: number; offset?: number } = {}): Tree {
  checkBytes("image", image);
  checkObject("opts", opts);
  if (opts.offset !== undefined) checkInt("opts.offset", opts.offset, 0, Math.max(0, image.length - 1));
  if (opts.maxDataBytes !== undefined) checkInt("opts.maxDataBytes", opts.maxDataBytes, 0, Number.MAX_SAFE_INTEGER);
  return asPublic(atFieldIfNone("image", () => coreReadExt2(image, opts).tree));
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
  return partitions.map((p) => ({ index: p.index - 1, type: p.type, active: p.bootable, start: p.start, sectors: p.sectors }));
}

/** The FAT volume in the first partition of a disk image from makeFatDisk (or DOS FDISK). */
export function readFatDisk(image: Uint8Array): FatVolume {
  const part = readMbr(image)[0];
  if (!part) throw new LooprootError(ErrorCode.Image, "MBR: the partition table is empty", { field: "image" });
  return atFieldIfNone("image", () => coreReadFat(image, part.start * 512));
}

/** A swap area's header read back. */
export interface SwapInfo {
  /** Usable pages after the header page (mkswap's last_page). */
  lastPage: number;
  uuid: Uint8Array;
  label: string;
}

/** Reads the version-1 header of a swap area ("SWAPSPACE2" at the end of the first page). */
export function readSwap(image: Uint8Array): SwapInfo {
  checkBytes("image", image);
  const { lastPage, uuid, label } = atImage(() => coreReadSwap(image));
  return { lastPage, uuid, label };
}


/** What inspectImage found: the image's kind, size and map (regions by HOWTO step), and its files where it has a FAT volume. */
export type ImageMap = CoreInspection;
/** One named stretch of an image (half-open byte range, the same in sectors or blocks, the HOWTO step that wrote it). */
export type Region = CoreRegion;
/** What an image is, recognised by its content: "disk", "fat", "ext2", "initrd-gz" or "swap". */
export type ImageKind = CoreImageKind;

/**
 * The map `looproot inspect` draws of any image looproot builds (a disk with its partition and
 * root image, a FAT floppy, an ext2 image, a gzip'd initrd, a swap area), recognised by content.
 * Throws E_IMAGE (field "image") for an image it cannot read.
 */
export function inspectImage(image: Uint8Array): ImageMap {
  return atFieldIfNone("image", () => coreInspect(checkBytes("image", image)));
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
    v.forEach((p, i) => { if (typeof p !== "string") throw typeError(`${field}[${i}]`, "a string"); });
    return v;
  };
  if (changes.put !== undefined && !Array.isArray(changes.put)) throw typeError("put", "an array of { path, data }");
  const put = (changes.put ?? []).map((f, i) => {
    checkObject(`put[${i}]`, f);
    if (typeof f.path !== "string") throw typeError(`put[${i}].path`, "a string");
    checkBytes(`put[${i}].data`, f.data);
    if (f.attributes !== undefined) checkInt(`put[${i}].attributes`, f.attributes, 0, ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_ARCHIVE);
    if (f.mtime !== undefined) checkInt(`put[${i}].mtime`, f.mtime, 315532800, 4354819199);
    return { path: f.path, data: f.data, mtime: f.mtime, attributes: f.attributes };
  });
  if (changes.longNames !== undefined && typeof changes.longNames !== "boolean") throw typeError("longNames", "a boolean");
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
