// What the page's "See inside" shows, as data: the maps of the floppy, the disk, the root image
// found inside the disk's partition and the initrd found on the floppy, and the files of each
// filesystem with their metadata and where their bytes lie. Pure and serialisable: the worker
// makes it (the page never parses an image), the page draws it and reads a file's bytes itself
// from the extents, so no image is copied for a view or a download.

import { LooprootError, ErrorCode } from "../../errors.ts";
import { readFat, ATTR_DIRECTORY, type FatVolume } from "../fat/index.ts";
import { fatMap, diskMap, ext2Map, INITRD_MAX_BYTES, type Region, type FatMap, type DiskMap } from "./maps.ts";
import { readExt2, looksLikeExt2, type Ext2Image } from "../ext2/index.ts";
import { gunzip } from "../gzip.ts";
import { fmt } from "../../util/fmt.ts";

export type VolumeId = "floppy" | "partition" | "root" | "initrd";
export type MapId = "floppy" | "disk" | "root" | "initrd";
/** Which bytes a file's extents point into: the floppy, the disk, or the unpacked initrd. */
export type Source = "floppy" | "disk" | "initrd";

export interface SeeFile {
  /** "/etc/fstab" in ext2, "LINUX\\LINUXDSK.IMG" on FAT. */
  path: string;
  kind: "file" | "dir" | "symlink" | "hardlink" | "chardev" | "blockdev" | "fifo" | "socket";
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** FAT attribute bits. */
  attributes?: number;
  /** Symlink target, or the first path of a hard-linked inode. */
  target?: string;
  major?: number;
  minor?: number;
  ino?: number;
  /** [offset in the file, offset in the source, length], in file order; what no extent covers is zeros. */
  extents: [number, number, number][];
  /** A 64-bit hash of the contents (files and symlinks), for the diff. */
  hash?: string;
}

export interface SeeVolume {
  id: VolumeId;
  title: string;
  source: Source;
  files: SeeFile[];
}

export interface SeeMap {
  id: MapId;
  title: string;
  /** Bytes the map spans (the whole image). */
  size: number;
  /** Where this image lies in the disk, when it lies there in one piece (the root image). */
  diskOffset?: number;
  /** Regions with offsets relative to this image (0..size). */
  regions: Region[];
  /** One line of facts under the map (FAT type, cluster size, block size, groups). */
  facts: string;
}

export interface SeeReport {
  maps: SeeMap[];
  volumes: SeeVolume[];
  /** The unpacked initrd, when the floppy holds one (its files' extents point into it). */
  initrd?: Uint8Array;
  /** What could not be read, per part: the rest is still shown. */
  problems: { part: string; message: string }[];
}

const SECTOR = 512;

/**
 * Two 32-bit lanes (FNV-1a and a multiply-rotate mix) over the bytes, four at a time: enough to
 * tell changed contents apart, and fast enough for a disk's worth of files. Fed in pieces (a
 * file's extents, straight from the image) it gives the same value as over the whole.
 */
export class Hash64 {
  private h1: number;
  private h2 = 0x9747b28c;
  private carry = new Uint8Array(4);
  private nCarry = 0;

  constructor(length: number) {
    this.h1 = 0x811c9dc5 ^ length;
  }

  private word(x: number): void {
    this.h1 = Math.imul(this.h1 ^ x, 0x01000193);
    this.h2 = Math.imul((this.h2 << 5) | (this.h2 >>> 27), 0x85ebca6b) ^ x;
  }

  update(b: Uint8Array): void {
    let i = 0;
    while (this.nCarry && this.nCarry < 4 && i < b.length) this.carry[this.nCarry++] = b[i++];
    if (this.nCarry === 4) {
      this.word(this.carry[0] | (this.carry[1] << 8) | (this.carry[2] << 16) | (this.carry[3] << 24));
      this.nCarry = 0;
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (; i + 4 <= b.length; i += 4) this.word(dv.getInt32(i, true));
    while (i < b.length) this.carry[this.nCarry++] = b[i++];
  }

  digest(): string {
    for (let i = 0; i < this.nCarry; i++) {
      this.h1 = Math.imul(this.h1 ^ this.carry[i], 0x01000193);
      this.h2 = Math.imul((this.h2 << 5) | (this.h2 >>> 27), 0x85ebca6b) ^ this.carry[i];
    }
    this.nCarry = 0;
    return (this.h1 >>> 0).toString(16).padStart(8, "0") + (this.h2 >>> 0).toString(16).padStart(8, "0");
  }
}

export function hash64(data: Uint8Array): string {
  const h = new Hash64(data.length);
  h.update(data);
  return h.digest();
}

/** The hash of a file's bytes read through its extents, without gathering them (holes hash as zeros). */
function hashExtents(src: Uint8Array, extents: [number, number, number][], size: number): string {
  const h = new Hash64(size);
  let at = 0;
  const zeros = (n: number) => {
    for (let k = n; k > 0; k -= 65536) h.update(new Uint8Array(Math.min(65536, k)));
  };
  for (const [o, s, l] of [...extents].sort((a, b) => a[0] - b[0])) {
    if (o > at) zeros(o - at);
    h.update(src.subarray(s, s + l));
    at = o + l;
  }
  if (size > at) zeros(size - at);
  return h.digest();
}

function fatDataStart(v: Omit<FatVolume, "entries">): number {
  return (
    (v.reservedSectors + v.numFats * v.fatSectors) * v.bytesPerSector +
    Math.ceil((v.rootEntries * 32) / v.bytesPerSector) * v.bytesPerSector
  );
}

/** A FAT file's extents (absolute in the source) from its cluster runs. */
function fatExtents(m: FatMap, runs: [number, number][], size: number): [number, number, number][] {
  const cb = m.volume.sectorsPerCluster * m.volume.bytesPerSector;
  const base = m.offset + fatDataStart(m.volume);
  const out: [number, number, number][] = [];
  let at = 0;
  for (const [c, n] of runs) {
    if (at >= size) break;
    const len = Math.min(n * cb, size - at);
    out.push([at, base + (c - 2) * cb, len]);
    at += len;
  }
  return out;
}

/**
 * Maps a piece [at, at+len) of a file that itself lies in `outer` (extents of a container file)
 * to extents in the container's source. Pure interval arithmetic, for a root image inside a FAT file.
 */
export function throughExtents(
  outer: [number, number, number][],
  fileAt: number,
  at: number,
  len: number,
): [number, number, number][] {
  const out: [number, number, number][] = [];
  const end = at + len;
  for (const [o, src, l] of outer) {
    const s = Math.max(at, o),
      e = Math.min(end, o + l);
    if (s < e) out.push([fileAt + (s - at), src + (s - o), e - s]);
  }
  return out;
}

function fatVolume(id: VolumeId, title: string, source: Source, m: FatMap, vol: FatVolume, src: Uint8Array): SeeVolume {
  const runsOf = new Map(m.files.map((f) => [f.path, f.runs]));
  const files: SeeFile[] = vol.entries.map((e) => {
    const dir = (e.attributes & ATTR_DIRECTORY) !== 0;
    const runs = runsOf.get(e.path) ?? [];
    const f: SeeFile = {
      path: e.path,
      kind: dir ? "dir" : "file",
      size: dir ? 0 : e.size,
      mtime: e.mtime,
      attributes: e.attributes,
      extents: dir ? [] : fatExtents(m, runs, e.size),
    };
    if (!dir) f.hash = hashExtents(src, f.extents, f.size);
    return f;
  });
  return { id, title, source, files };
}

function ext2Volume(
  id: VolumeId,
  title: string,
  source: Source,
  ext: Ext2Image,
  src: Uint8Array,
  place: (at: number, len: number, fileAt: number) => [number, number, number][],
): SeeVolume {
  const B = ext.layout.blockSize;
  const nodes = new Map(ext.nodes.map((n) => [n.path, n]));
  const files: SeeFile[] = ext.tree.map((e) => {
    const n = nodes.get(e.path)!;
    const f: SeeFile = {
      path: e.path,
      kind: e.kind,
      size: e.kind === "file" || e.kind === "symlink" || e.kind === "hardlink" ? n.size : 0,
      mtime: e.mtime ?? 0,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      ino: n.ino,
      extents: [],
    };
    if (e.target !== undefined) f.target = e.target;
    if (e.major !== undefined) {
      f.major = e.major;
      f.minor = e.minor;
    }
    if (e.kind === "file" || e.kind === "symlink") {
      // Fast symlinks have no blocks; their target is the content.
      const size = f.size;
      n.runs.forEach(([b, k], i) => {
        const at = n.starts[i] * B;
        const len = Math.min(k * B, size - at);
        if (len > 0) f.extents.push(...place(b * B, len, at));
      });
      // Hashed where the bytes lie: the reader copied no file contents out.
      f.hash = e.kind === "file" ? hashExtents(src, f.extents, size) : hash64(new TextEncoder().encode(e.target ?? ""));
    }
    return f;
  });
  // A hard link carries its first path's contents.
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const f of files) {
    if (f.kind !== "hardlink") continue;
    const t = byPath.get(f.target!);
    if (t) {
      f.size = t.size;
      f.hash = t.hash;
      f.extents = t.extents;
    }
  }
  return { id, title, source, files };
}

function fatFacts(m: FatMap): string {
  const x = m.volume;
  return `FAT${x.fatType}, ${x.numFats} FATs of ${x.fatSectors} sectors, ${x.rootEntries} root entries, ${fmt(x.clusters)} clusters of ${fmt(x.sectorsPerCluster * x.bytesPerSector)} bytes (${fmt(m.usedClusters)} used, ${fmt(m.freeClusters)} free)`;
}

function ext2Facts(e: Ext2Image): string {
  const L = e.layout;
  return `ext2, ${fmt(L.blocksCount)} blocks of ${fmt(L.blockSize)} bytes in ${L.groups.length} group${L.groups.length === 1 ? "" : "s"} of ${fmt(L.blocksPerGroup)}, ${fmt(L.inodesCount)} inodes of ${L.inodeSize} bytes, ${fmt(L.freeBlocks)} blocks free`;
}

/** Runs `fn`; the images' own problems (LooprootErrors and the readers' prefixed Errors) are noted, bugs are thrown. */
function part<T>(problems: SeeReport["problems"], name: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LooprootError) {
      problems.push({ part: name, message: e.message });
      return undefined;
    }
    if (e instanceof Error && e.constructor === Error && /^(FAT image|gzip)/.test(e.message)) {
      problems.push({ part: name, message: e.message });
      return undefined;
    }
    throw e;
  }
}

/** The bytes of a FAT file of `m` (from its extents), in one new array. */
function gather(src: Uint8Array, extents: [number, number, number][], size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (const [at, s, l] of extents) out.set(src.subarray(s, s + l), at);
  return out;
}

/**
 * The report for a floppy and a disk (either may be missing). The floppy's initrd is the file
 * whose content is a gzip'd image, unpacked up to INITRD_MAX_BYTES; the disk's root image is the
 * first *.IMG file on its FAT partition holding ext2 (normally LINUX\LINUXDSK.IMG).
 */
export function seeImages(images: { floppy?: Uint8Array; disk?: Uint8Array }): SeeReport {
  const report: SeeReport = { maps: [], volumes: [], problems: [] };
  const { problems } = report;
  const { floppy, disk } = images;

  if (floppy) {
    const fm = part(problems, "the floppy", () => fatMap(floppy, 0, "3.7"));
    if (fm) {
      report.maps.push({
        id: "floppy",
        title: "A: the boot floppy",
        size: floppy.length,
        regions: fm.regions,
        facts: fatFacts(fm),
      });
      const vol = part(problems, "the floppy's files", () =>
        fatVolume("floppy", "A: the boot floppy", "floppy", fm, readFat(floppy), floppy),
      );
      if (vol) report.volumes.push(vol);
      const gz = fm.files.find((f) => f.content?.kind === "initrd-gz");
      if (gz) {
        part(problems, `the initrd (${gz.path})`, () => {
          const packed = gather(floppy, fatExtents(fm, gz.runs, gz.size), gz.size);
          const raw = gunzip(packed, INITRD_MAX_BYTES);
          const ext = readExt2(raw, { contents: false });
          report.initrd = raw;
          report.maps.push({
            id: "initrd",
            title: `The initial ramdisk (${gz.path}, unpacked)`,
            size: raw.length,
            regions: ext2Map(ext, "3.3"),
            facts: `${ext2Facts(ext)}; ${fmt(gz.size)} bytes gzip'd on the floppy`,
          });
          report.volumes.push(
            ext2Volume("initrd", `The initial ramdisk (${gz.path})`, "initrd", ext, raw, (s, len, at) => [
              [at, s, len],
            ]),
          );
        });
      }
    }
  }

  if (disk) {
    const dm: DiskMap | undefined = part(problems, "the disk", () => diskMap(disk, "3.6"));
    if (dm) {
      const pt = dm.partitions
        .map(
          (p) =>
            `partition ${p.index}: type ${p.type.toString(16).padStart(2, "0")}h, sectors ${fmt(p.start)}-${fmt(p.start + p.sectors - 1)}${p.bootable ? ", active" : ""}`,
        )
        .join("; ");
      report.maps.push({
        id: "disk",
        title: "The hard disk",
        size: disk.length,
        regions: dm.regions,
        facts: `${fmt(disk.length / SECTOR)} sectors; ${pt || "no partitions"}${dm.fat ? `; C: ${fatFacts(dm.fat)}` : ""}`,
      });
      const fm = dm.fat;
      if (fm) {
        const end = fm.offset + fm.volume.totalSectors * fm.volume.bytesPerSector;
        const vol = part(problems, "the partition's files", () =>
          fatVolume("partition", "C: the FAT partition", "disk", fm, readFat(disk.subarray(0, end), fm.offset), disk),
        );
        if (vol) report.volumes.push(vol);
        const root = fm.files.find(
          (f) =>
            !f.directory &&
            /\.IMG$/.test(f.path) &&
            f.runs.length > 0 &&
            looksLikeExt2(gather(disk, fatExtents(fm, f.runs, Math.min(f.size, 2048)), Math.min(f.size, 2048))),
        );
        if (root) {
          part(problems, `the root image (${root.path})`, () => {
            const outer = fatExtents(fm, root.runs, root.size);
            // In one piece (as looproot writes it) it is read where it lies, not copied out.
            const ext =
              outer.length === 1
                ? readExt2(disk.subarray(0, outer[0][1] + root.size), { offset: outer[0][1], contents: false })
                : readExt2(gather(disk, outer, root.size), { contents: false });
            const one = outer.length === 1 ? outer[0][1] : undefined;
            report.maps.push({
              id: "root",
              title: `The root image (C:\\${root.path})`,
              size: root.size,
              regions: ext2Map(ext, "3.4"),
              facts: `${ext2Facts(ext)}; ${outer.length === 1 ? "one piece" : `${outer.length} pieces`} on the partition`,
              ...(one !== undefined ? { diskOffset: one } : {}),
            });
            report.volumes.push(
              ext2Volume("root", `The root image (C:\\${root.path})`, "disk", ext, disk, (s, len, at) =>
                throughExtents(outer, at, s, len),
              ),
            );
          });
        }
      }
    }
  }
  return report;
}

/** A file's bytes from its source, following its extents (what they leave out is zeros). */
export function readExtents(src: Uint8Array, f: Pick<SeeFile, "size" | "extents">, max = f.size): Uint8Array {
  const n = Math.min(max, f.size);
  const out = new Uint8Array(n);
  for (const [at, s, l] of f.extents) {
    if (at >= n) continue;
    const len = Math.min(l, n - at);
    if (s < 0 || s + len > src.length)
      throw new LooprootError(ErrorCode.Image, `extent at ${s} runs past the ${src.length}-byte image`, {
        field: "image",
      });
    out.set(src.subarray(s, s + len), at);
  }
  return out;
}
