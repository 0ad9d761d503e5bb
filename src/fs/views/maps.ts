// Maps of the images as data: which bytes of a floppy, a disk, a root image or an initrd hold
// what, and which HOWTO step wrote them. Pure: the page draws these, the CLI prints them, and
// both read them from the images' own bytes (built, opened, or changed by the guest).

import { LooprootError, ErrorCode } from "../../errors.ts";
import { readFat, readFatWalk, fatChains, ATTR_DIRECTORY, type FatVolume } from "../fat/index.ts";
import { readExt2, looksLikeExt2, type Ext2Image, type Ext2ReadOptions } from "../ext2/index.ts";
import { gunzip, isGzip } from "../gzip.ts";
import { readMbr, FAT_PARTITION_TYPES, type MbrPartition } from "../mbr.ts";
import { readSwap, looksLikeSwap, type SwapHeader } from "../swap.ts";
import { uuidString } from "../../util/uuid.ts";
import { fmt } from "../../util/fmt.ts";

const SECTOR = 512;

/**
 * The FAT reader and gunzip name the problem in plain Errors with a fixed prefix ("FAT image",
 * "gzip:"); those are user problems and become the project's error here. Anything else (a bug) is
 * passed on untouched.
 */
function typed<T>(fn: () => T, prefix: string, code: typeof ErrorCode.Image | typeof ErrorCode.Gzip): T {
  try {
    return fn();
  } catch (e) {
    if (
      !(e instanceof LooprootError) &&
      e instanceof Error &&
      e.constructor === Error &&
      e.message.startsWith(prefix)
    ) {
      throw new LooprootError(code, e.message, { cause: e, field: "image" });
    }
    throw e;
  }
}

const readFatTyped = (image: Uint8Array, offset: number): FatVolume =>
  typed(() => readFat(image, offset), "FAT image", ErrorCode.Image);

/** One named stretch of an image. Byte ranges are half-open and absolute within the inspected file. */
export interface Region {
  name: string;
  kind:
    | "mbr"
    | "gap"
    | "partition"
    | "free"
    | "boot"
    | "fat"
    | "root-dir"
    | "dir"
    | "file"
    | "data"
    | "superblock"
    | "gdt"
    | "reserved-gdt"
    | "block-bitmap"
    | "inode-bitmap"
    | "inode-table"
    | "group"
    | "swap-header"
    | "swap";
  start: number;
  end: number;
  /** The same range in the image's own unit: 512-byte sectors, or ext2 blocks. */
  unit: "sector" | "block";
  unitSize: number;
  first: number;
  last: number;
  /** FAT files and directories: the clusters of this run. */
  clusters?: [number, number];
  /** The path of the file or directory the region belongs to. */
  path?: string;
  /** The HOWTO section whose step wrote these bytes (3.3 initrd .. 3.7 floppy). */
  step: string;
  /**
   * A FAT file's contents, recognised from its first bytes, and the step that made them (the
   * copy onto the volume is `step`): the kernel (3.2), the initrd (3.3), the root image (3.4), swap (3.5).
   */
  content?: { kind: ImageKind | "kernel"; step: string };
  children?: Region[];
}

export type ImageKind = "disk" | "fat" | "ext2" | "initrd-gz" | "swap";

/** A chain as runs [first, count] of consecutive clusters. */
function toRuns(cs: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const c of cs) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === c) last[1]++;
    else runs.push([c, 1]);
  }
  return runs;
}

function region(
  name: string,
  kind: Region["kind"],
  start: number,
  end: number,
  step: string,
  unitSize = SECTOR,
  extra: Partial<Region> = {},
): Region {
  const unit = unitSize === SECTOR && extra.unit !== "block" ? "sector" : "block";
  return {
    name,
    kind,
    start,
    end,
    unit,
    unitSize,
    first: Math.floor(start / unitSize),
    last: Math.ceil(end / unitSize) - 1,
    step,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// FAT

export interface FatFileRuns {
  /** DOS path, "LINUX\\LINUXDSK.IMG". */
  path: string;
  directory: boolean;
  size: number;
  content?: Region["content"];
  /** Cluster runs [first, count] in file order. */
  runs: [number, number][];
}

export interface FatMap {
  volume: Omit<FatVolume, "entries">;
  offset: number;
  regions: Region[];
  files: FatFileRuns[];
  /** Data clusters in use, and free. */
  usedClusters: number;
  freeClusters: number;
}

/**
 * The FAT volume at `offset`: boot sector, each FAT, the root directory, and the cluster runs of
 * every file and directory. The volume and its chains are read (and checked) by the FAT reader:
 * each cluster owned by at most one file, so a cross-linked or looped FAT is an E_IMAGE error and
 * the work is bounded by the cluster count.
 */
export function fatMap(image: Uint8Array, offset = 0, step = "3.7"): FatMap {
  const walk = typed(() => readFatWalk(image, offset), "FAT image", ErrorCode.Image);
  const vol = walk.volume;
  const chains = fatChains(walk);
  const bps = vol.bytesPerSector;
  const fatStart = vol.reservedSectors * bps;
  const rootAt = fatStart + vol.numFats * vol.fatSectors * bps;
  const firstData = rootAt + Math.ceil((vol.rootEntries * 32) / bps) * bps;
  const clusterBytes = vol.sectorsPerCluster * bps;
  const clusterAt = (c: number) => firstData + (c - 2) * clusterBytes;
  const files: FatFileRuns[] = vol.entries.map((e, i) => {
    const runs = toRuns(chains[i]);
    if (e.attributes & ATTR_DIRECTORY)
      return { path: e.path, directory: true, size: chains[i].length * clusterBytes, runs };
    const content = e.size > 0 ? contentOf(e.data(4096)) : undefined;
    return { path: e.path, directory: false, size: e.size, runs, ...(content ? { content } : {}) };
  });
  const used = chains.reduce((n, cs) => n + cs.length, 0);

  const abs = (x: number) => offset + x;
  const regions: Region[] = [];
  regions.push(region("boot sector", "boot", abs(0), abs(bps), step));
  if (vol.reservedSectors > 1) regions.push(region("reserved sectors", "boot", abs(bps), abs(fatStart), step));
  for (let i = 0; i < vol.numFats; i++) {
    regions.push(
      region(
        `FAT ${i + 1}`,
        "fat",
        abs(fatStart + i * vol.fatSectors * bps),
        abs(fatStart + (i + 1) * vol.fatSectors * bps),
        step,
      ),
    );
  }
  regions.push(region("root directory", "root-dir", abs(rootAt), abs(firstData), step));
  const runRegions: Region[] = [];
  for (const f of files) {
    for (const [c, n] of f.runs) {
      runRegions.push(
        region(
          f.directory ? `${f.path}\\ (directory)` : f.path,
          f.directory ? "dir" : "file",
          abs(clusterAt(c)),
          abs(clusterAt(c + n)),
          step,
          SECTOR,
          { clusters: [c, c + n - 1], path: f.path, ...(f.content ? { content: f.content } : {}) },
        ),
      );
    }
  }
  runRegions.sort((x, y) => x.start - y.start);
  // Free stretches between the runs, so the map covers the whole data area.
  const dataEnd = firstData + vol.clusters * clusterBytes;
  let at = abs(firstData);
  const data: Region[] = [];
  for (const r of runRegions) {
    if (r.start > at)
      data.push(
        region("free", "free", at, r.start, step, SECTOR, {
          clusters: [2 + (at - abs(firstData)) / clusterBytes, 1 + (r.start - abs(firstData)) / clusterBytes],
        }),
      );
    data.push(r);
    at = r.end;
  }
  if (abs(dataEnd) > at)
    data.push(
      region("free", "free", at, abs(dataEnd), step, SECTOR, {
        clusters: [2 + (at - abs(firstData)) / clusterBytes, 1 + vol.clusters],
      }),
    );
  regions.push(
    region("data area", "data", abs(firstData), abs(dataEnd), step, SECTOR, {
      clusters: [2, 1 + vol.clusters],
      children: data,
    }),
  );
  if (vol.totalSectors * bps > dataEnd)
    regions.push(region("unused sectors at the end", "free", abs(dataEnd), abs(vol.totalSectors * bps), step));

  const { entries: _entries, ...summary } = vol;
  void _entries;
  return { volume: summary, offset, regions, files, usedClusters: used, freeClusters: vol.clusters - used };
}

// ---------------------------------------------------------------------------------------------
// MBR

export interface DiskMap {
  sizeBytes: number;
  diskSignature: number;
  partitions: MbrPartition[];
  regions: Region[];
  /** The FAT volume of the first FAT partition, when there is one. */
  fat?: FatMap;
}

/** The disk: the MBR, the gap before the partition, each partition (a FAT one mapped inside), the rest. */
export function diskMap(image: Uint8Array, step = "3.6"): DiskMap {
  const { diskSignature, partitions } = readMbr(image);
  const regions: Region[] = [region("MBR (boot code, partition table)", "mbr", 0, SECTOR, step)];
  let at = SECTOR;
  let fat: FatMap | undefined;
  for (const p of [...partitions].sort((a, b) => a.start - b.start)) {
    const s = p.start * SECTOR,
      e = (p.start + p.sectors) * SECTOR;
    if (s > at) regions.push(region(at === SECTOR ? "gap (rest of track 0)" : "unpartitioned", "gap", at, s, step));
    const r = region(`partition ${p.index} (type ${p.type.toString(16).padStart(2, "0")}h)`, "partition", s, e, step);
    if (!fat && FAT_PARTITION_TYPES.has(p.type)) {
      fat = fatMap(image.subarray(0, e), s, step);
      r.children = fat.regions;
    }
    regions.push(r);
    at = e;
  }
  if (image.length > at) regions.push(region("unpartitioned", "gap", at, image.length, step));
  return { sizeBytes: image.length, diskSignature, partitions, regions, ...(fat ? { fat } : {}) };
}

// ---------------------------------------------------------------------------------------------
// ext2

/** The block groups of an ext2 image, each with its metadata and its used data runs. */
export function ext2Map(ext: Ext2Image, step: string, offset = 0): Region[] {
  const L = ext.layout,
    B = L.blockSize;
  const blk = (
    name: string,
    kind: Region["kind"],
    first: number,
    count: number,
    extra: Partial<Region> = {},
  ): Region => ({
    name,
    kind,
    start: offset + first * B,
    end: offset + (first + count) * B,
    unit: "block",
    unitSize: B,
    first,
    last: first + count - 1,
    step,
    ...extra,
  });
  const out: Region[] = [];
  if (L.firstDataBlock === 1) out.push(blk("boot block", "boot", 0, 1));
  for (const g of L.groups) {
    const kids: Region[] = [];
    const at = g.firstBlock;
    if (g.hasSuperblock) {
      // The superblock sits at byte 1024 whatever the block size; in group 0 with 4 KiB blocks
      // block 0 holds the boot bytes too.
      kids.push(blk(g.index === 0 ? "superblock" : "superblock backup", "superblock", at, 1));
      kids.push(blk(g.index === 0 ? "group descriptors" : "group descriptors backup", "gdt", at + 1, g.gdtBlocks));
      if (g.reservedGdtBlocks)
        kids.push(blk("reserved GDT blocks", "reserved-gdt", at + 1 + g.gdtBlocks, g.reservedGdtBlocks));
    }
    kids.push(blk("block bitmap", "block-bitmap", g.blockBitmap, 1));
    kids.push(blk("inode bitmap", "inode-bitmap", g.inodeBitmap, 1));
    kids.push(blk("inode table", "inode-table", g.inodeTable, g.inodeTableBlocks));
    for (const [f, n] of g.usedData) kids.push(blk("used data", "data", f, n));
    kids.sort((a, b) => a.start - b.start);
    // Free blocks between, so the children cover the group as the FAT map covers its data area.
    const tiled: Region[] = [];
    let next = g.firstBlock;
    for (const k of kids) {
      if (k.first > next) tiled.push(blk("free", "free", next, k.first - next));
      tiled.push(k);
      next = Math.max(next, k.last + 1);
    }
    if (g.lastBlock >= next) tiled.push(blk("free", "free", next, g.lastBlock - next + 1));
    out.push(blk(`group ${g.index}`, "group", g.firstBlock, g.lastBlock - g.firstBlock + 1, { children: tiled }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recognising a file, and the whole inspection

function looksLikeFatBootSector(b: Uint8Array, offset = 0): boolean {
  if (b.length < offset + SECTOR) return false;
  const bps = b[offset + 11] | (b[offset + 12] << 8);
  const spc = b[offset + 13];
  const nfats = b[offset + 16];
  return (
    (b[offset] === 0xeb || b[offset] === 0xe9) &&
    [512, 1024, 2048, 4096].includes(bps) &&
    spc > 0 &&
    (spc & (spc - 1)) === 0 &&
    nfats >= 1 &&
    nfats <= 4
  );
}

/**
 * A FAT boot sector whose BPB has a bad number is still no MBR: it starts with a jump and either
 * names its file system ("FAT12   " at 54, "FAT32   " at 82) or has a partition table no MBR has
 * (a status byte other than 00 or 80). Read as a FAT volume, the reader then names the bad field
 * instead of a "partition status" made of boot code.
 */
function looksLikeDamagedFatBootSector(b: Uint8Array): boolean {
  if (b.length < SECTOR || !(b[0] === 0xeb || b[0] === 0xe9)) return false;
  const text = (at: number) => String.fromCharCode(...b.subarray(at, at + 8));
  if (/^FAT(12|16|32)? {0,5}$/.test(text(54)) || text(82) === "FAT32   ") return true;
  return [0, 1, 2, 3].some((i) => b[446 + 16 * i] !== 0 && b[446 + 16 * i] !== 0x80);
}

/** What the file is, from its bytes alone (not its name). */
export function recognise(image: Uint8Array): ImageKind {
  if (isGzip(image)) return "initrd-gz";
  if (looksLikeExt2(image)) return "ext2";
  if (looksLikeSwap(image)) return "swap";
  if (looksLikeFatBootSector(image) || looksLikeDamagedFatBootSector(image)) return "fat";
  if (image.length >= SECTOR && image[510] === 0x55 && image[511] === 0xaa) return "disk";
  throw new LooprootError(
    ErrorCode.Image,
    `not a looproot image: ${fmt(image.length)} bytes that are neither an MBR disk, a FAT volume, an ext2 filesystem, a gzip'd initrd nor swap space`,
    { field: "image" },
  );
}

const CONTENT_STEP: Record<string, string> = { kernel: "3.2", "initrd-gz": "3.3", ext2: "3.4", swap: "3.5" };

/** What a file inside a FAT volume holds, from its first 4 KiB: the images the HOWTO's steps make. */
export function contentOf(head: Uint8Array): Region["content"] | undefined {
  // A Linux boot image: the setup header's "HdrS" at 0x202 and 55 AA at 0x1FE.
  if (
    head.length >= 0x206 &&
    head[0x1fe] === 0x55 &&
    head[0x1ff] === 0xaa &&
    String.fromCharCode(...head.subarray(0x202, 0x206)) === "HdrS"
  )
    return { kind: "kernel", step: "3.2" };
  let kind: ImageKind | undefined;
  try {
    kind = recognise(head);
  } catch (e) {
    if (!(e instanceof LooprootError)) throw e;
  }
  return kind && CONTENT_STEP[kind] ? { kind, step: CONTENT_STEP[kind] } : undefined;
}

/** The swap header as the views show it: the UUID as text. */
export type SwapInfo = Omit<SwapHeader, "uuid"> & { uuid: string };

export interface FatTreeEntry {
  path: string;
  directory: boolean;
  size: number;
  attributes: number;
  mtime: number;
  data(): Uint8Array;
}

export type Inspection =
  | {
      kind: "disk";
      size: number;
      disk: DiskMap;
      files?: FatTreeEntry[];
      root?: { path: string; ext2: Ext2Image; regions: Region[]; regionsIn: "disk" | "file" };
    }
  | { kind: "fat"; size: number; fat: FatMap; files: FatTreeEntry[] }
  | { kind: "ext2"; size: number; ext2: Ext2Image; regions: Region[] }
  | { kind: "initrd-gz"; size: number; unpackedSize: number; ext2: Ext2Image; regions: Region[] }
  | { kind: "swap"; size: number; swap: SwapInfo; regions: Region[] };

/** Largest initrd the inspector unpacks: the kernel's ramdisk would not take more either. */
export const INITRD_MAX_BYTES = 256 * 1024 * 1024;

function fatFiles(image: Uint8Array, offset: number): FatTreeEntry[] {
  return readFatTyped(image, offset).entries.map((e) => ({
    path: e.path,
    directory: (e.attributes & ATTR_DIRECTORY) !== 0,
    size: e.size,
    attributes: e.attributes,
    mtime: e.mtime,
    data: () => typed(() => e.data(), "FAT image", ErrorCode.Image),
  }));
}

/**
 * The map and the files of any image looproot builds, recognised by content. For a disk, the
 * root image is looked for on its FAT partition (the first *.IMG file holding ext2, normally
 * LINUX\LINUXDSK.IMG) and read too.
 */
/** What inspect reads of the ext2 trees: their file contents (for hashes) and a lister's caps (see Ext2ReadOptions). */
export type InspectOptions = Pick<Ext2ReadOptions, "contents" | "maxEntries" | "maxPathChars">;

export function inspect(image: Uint8Array, opts: InspectOptions = {}): Inspection {
  const kind = recognise(image);
  switch (kind) {
    case "ext2": {
      const ext2 = readExt2(image, opts);
      return { kind, size: image.length, ext2, regions: ext2Map(ext2, "3.4") };
    }
    case "initrd-gz": {
      const raw = typed(() => gunzip(image, INITRD_MAX_BYTES), "gzip:", ErrorCode.Gzip);
      const ext2 = readExt2(raw, opts);
      return { kind, size: image.length, unpackedSize: raw.length, ext2, regions: ext2Map(ext2, "3.3") };
    }
    case "swap": {
      const header = readSwap(image);
      const swap: SwapInfo = { ...header, uuid: uuidString(header.uuid) };
      const regions = [
        region("swap header (mkswap)", "swap-header", 0, 4096, "3.5", 4096, { unit: "block" }),
        region("swap pages", "swap", 4096, (swap.lastPage + 1) * 4096, "3.5", 4096, { unit: "block" }),
      ];
      return { kind, size: image.length, swap, regions };
    }
    case "fat": {
      const fat = fatMap(image, 0, "3.7");
      return { kind, size: image.length, fat, files: fatFiles(image, 0) };
    }
    case "disk": {
      const disk = diskMap(image, "3.6");
      if (!disk.fat) return { kind, size: image.length, disk };
      const files = fatFiles(
        image.subarray(0, disk.fat.offset + disk.fat.volume.totalSectors * disk.fat.volume.bytesPerSector),
        disk.fat.offset,
      );
      const rootFile = disk.fat.files.find(
        (f) =>
          !f.directory &&
          /\.IMG$/.test(f.path) &&
          f.runs.length > 0 &&
          looksLikeExt2(fileBytes(image, disk.fat!, f, 2048)),
      );
      if (!rootFile) return { kind, size: image.length, disk, files };
      // The root image's regions as absolute disk offsets only work for a contiguous file; when
      // it is fragmented, its map is given in its own offsets. A contiguous one is read where it
      // lies, not copied (it can be most of a 2 GiB disk).
      const contiguous = rootFile.runs.length === 1;
      const off = contiguous
        ? disk.fat.offset + fatDataStart(disk.fat) + (rootFile.runs[0][0] - 2) * clusterSize(disk.fat)
        : 0;
      const whole =
        contiguous &&
        rootFile.runs[0][1] * clusterSize(disk.fat) >= rootFile.size &&
        off + rootFile.size <= image.length;
      const ext2 = whole
        ? readExt2(image.subarray(0, off + rootFile.size), { ...opts, offset: off })
        : readExt2(fileBytes(image, disk.fat, rootFile, rootFile.size), opts);
      return {
        kind,
        size: image.length,
        disk,
        files,
        root: {
          path: rootFile.path,
          ext2,
          regions: ext2Map(ext2, "3.4", off),
          regionsIn: contiguous ? "disk" : "file",
        },
      };
    }
  }
}

function clusterSize(m: FatMap): number {
  return m.volume.sectorsPerCluster * m.volume.bytesPerSector;
}

function fatDataStart(m: FatMap): number {
  const v = m.volume;
  return (
    (v.reservedSectors + v.numFats * v.fatSectors) * v.bytesPerSector +
    Math.ceil((v.rootEntries * 32) / v.bytesPerSector) * v.bytesPerSector
  );
}

/** The first `n` bytes of a FAT file, gathered from its runs. */
function fileBytes(image: Uint8Array, m: FatMap, f: FatFileRuns, n: number): Uint8Array {
  const want = Math.min(n, f.size);
  const out = new Uint8Array(want);
  const cb = clusterSize(m),
    base = m.offset + fatDataStart(m);
  let at = 0;
  for (const [c, k] of f.runs) {
    if (at >= want) break;
    const s = base + (c - 2) * cb;
    const len = Math.min(k * cb, want - at);
    out.set(image.subarray(s, s + len), at);
    at += len;
  }
  return out;
}
