// The FAT12/FAT16 reader, defensive: the image may be a user's own floppy. The one walk of a
// volume's directories (readFatWalk); the maps, the looproot/fs API and the checks before a boot
// all read FAT through it.

import { fromDosName11 } from "./dosname.ts";
import { LooprootError, ErrorCode } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";
import {
  SECTOR,
  ATTR_LONG_NAME,
  ATTR_VOLUME_ID,
  ATTR_DIRECTORY,
  ATTR_SYSTEM,
  ALLOWED_ATTRS,
  fromDosDateTime,
  type FatBpb,
  type FatFile,
} from "./layout.ts";

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
  const bad = (why: string) =>
    new LooprootError(ErrorCode.Image, `FAT image${offset ? ` at offset ${fmt(offset)}` : ""}: ${why}`);
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
  if (![512, 1024, 2048, 4096].includes(bps))
    throw bad(`BPB_BytsPerSec ${bps} is not 512, 1024, 2048 or 4096 (not a FAT boot sector?)`);
  if (spc === 0 || (spc & (spc - 1)) !== 0) throw bad(`BPB_SecPerClus ${spc} is not a power of two`);
  if (rsvd === 0) throw bad("BPB_RsvdSecCnt is 0");
  if (nfats === 0 || nfats > 4) throw bad(`BPB_NumFATs ${nfats} is not 1..4`);
  if (fatSz === 0) throw bad("BPB_FATSz16 is 0 (FAT32 is not supported)");
  if (media < 0xf0 && media !== 0) throw bad(`BPB_Media 0x${media.toString(16)} is not a media byte (F0..FF)`);
  const total = tot16 !== 0 ? tot16 : tot32;
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  const firstData = rsvd + nfats * fatSz + rootSectors;
  if (total <= firstData)
    throw bad(`BPB_TotSec ${fmt(total)} leaves no data area (first data sector ${fmt(firstData)})`);
  if (total * bps > b.length)
    throw bad(`BPB_TotSec says ${fmt(total * bps)} bytes but only ${fmt(b.length)} are there (truncated image?)`);
  const clusters = Math.floor((total - firstData) / spc);
  if (clusters >= 65525) throw bad(`${fmt(clusters)} clusters means FAT32, which is not supported`);
  const fatType: 12 | 16 = clusters < 4085 ? 12 : 16;
  const fat = b.subarray(rsvd * bps, (rsvd + fatSz) * bps);
  const maxCluster = clusters + 1;
  if ((fatType === 12 ? Math.ceil(((maxCluster + 1) * 3) / 2) : (maxCluster + 1) * 2) > fat.length) {
    throw bad(`BPB_FATSz16 ${fatSz} sectors is too small for ${fmt(clusters)} clusters`);
  }
  const getFat =
    fatType === 12
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
        if (other !== undefined)
          throw bad(
            other === what
              ? `${what}: the cluster chain loops at cluster ${c}`
              : `${what}: cluster ${c} also belongs to ${other || "the root directory"} (cross-linked directories)`,
          );
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
        const entry: FatEntry = {
          path,
          size: 0,
          attributes: attr,
          mtime,
          data: () => new Uint8Array(0),
          clusters: () => [],
        };
        entries.push(entry);
        dirs.push([path, cluster, entry]);
      } else {
        // The chain a file of this size needs: too short, looping or running off the volume is damage.
        const fileChain = (need: number) => {
          if (size > clusters * clusterBytes)
            throw bad(
              `${path}: ${fmt(size)} bytes is more than the whole volume holds (${fmt(clusters * clusterBytes)})`,
            );
          if (need === 0) return [];
          const cs = chain(cluster, path, need, new Map()); // a loop within the file is damage too
          if (cs.length < need)
            throw bad(
              `${path}: ${fmt(size)} bytes need ${Math.ceil(size / clusterBytes)} clusters but the chain has ${cs.length}`,
            );
          return cs;
        };
        entries.push({
          path,
          size,
          attributes: attr,
          mtime,
          clusters: () => fileChain(Math.ceil(size / clusterBytes)),
          data: (maxBytes = size) => {
            const want = Math.min(size, Math.max(0, maxBytes));
            if (size > clusters * clusterBytes)
              throw bad(
                `${path}: ${fmt(size)} bytes is more than the whole volume holds (${fmt(clusters * clusterBytes)})`,
              );
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
    fatType,
    bytesPerSector: bps,
    sectorsPerCluster: spc,
    reservedSectors: rsvd,
    numFats: nfats,
    rootEntries,
    totalSectors: total,
    media,
    fatSectors: fatSz,
    sectorsPerTrack: dv.getUint16(24, true),
    heads: dv.getUint16(26, true),
    hiddenSectors: dv.getUint32(28, true),
    driveNumber: b[36],
    oemName: oemName.trimEnd(),
    clusters,
    label,
    serial: bootSig === 0x29 || bootSig === 0x28 ? dv.getUint32(39, true) : undefined,
    entries,
  };
  return { volume, offset, dirClusters };
}

/**
 * Every entry's clusters in entry order (a directory's from the walk when given, else []), each
 * cluster in one chain only: DOS and Linux read a cross-linked file without a word, so it is
 * damage (E_IMAGE) here. Work is bounded by the cluster count.
 */
export function fatChains(
  walk: Pick<FatWalk, "volume" | "offset"> & { dirClusters?: Map<FatEntry, number[]> },
): number[][] {
  const owner = new Map<number, string>();
  return walk.volume.entries.map((e) => {
    const cs = e.attributes & ATTR_DIRECTORY ? (walk.dirClusters?.get(e) ?? []) : e.clusters();
    for (const c of cs) {
      const prev = owner.get(c);
      if (prev !== undefined)
        throw new LooprootError(
          ErrorCode.Image,
          `FAT image${walk.offset ? ` at offset ${fmt(walk.offset)}` : ""}: ${e.path}: cluster ${c} also belongs to ${prev} (cross-linked)`,
        );
      owner.set(c, e.path);
    }
    return cs;
  });
}

/** The system files "format /s" copies, for MS-DOS, PC DOS, FreeDOS and looproot's own LRDOS. */
export const DOS_SYSTEM_FILES = [
  "IO.SYS",
  "MSDOS.SYS",
  "IBMBIO.COM",
  "IBMDOS.COM",
  "KERNEL.SYS",
  "LRDOS.SYS",
  "COMMAND.COM",
];

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
  if (image[510] !== 0x55 || image[511] !== 0xaa)
    throw bad("the boot sector has no 55 AA signature, so it cannot boot");
  const files: FatFile[] = [];
  for (const e of vol.entries) {
    if (e.attributes & (ATTR_DIRECTORY | ATTR_VOLUME_ID) || e.path.includes("\\")) continue;
    if (DOS_SYSTEM_FILES.includes(e.path) || e.attributes & ATTR_SYSTEM) {
      files.push({ path: e.path, data: e.data(), attributes: e.attributes & ALLOWED_ATTRS, mtime: e.mtime });
    }
  }
  if (files.length === 0) {
    throw bad(
      `none of ${DOS_SYSTEM_FILES.join(", ")} nor any System file is in the root directory, so it is not a system disk`,
    );
  }
  return { bootSector: image.slice(0, SECTOR), files };
}
