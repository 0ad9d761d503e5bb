// Changes an existing FAT12/16 volume where it lies, as `mcopy -i`, `mdel -i`, `mmd -i` and
// `mdeltree -i` do: files added or replaced, folders made, files and folders deleted, and every
// other byte (boot sector, other files' clusters and entries) left as it was. New data takes the
// lowest free clusters; a full subdirectory grows by a cluster, a full root directory is an error.

import { readFat, dirEntry, dosDateTime, ATTR_DIRECTORY, ATTR_VOLUME_ID, ATTR_ARCHIVE } from "./fat.ts";
import { dosName11, checkDosPath } from "./dosname.ts";
import { LooprootError, ErrorCode, atField } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

const ATTR_LONG_NAME = 0x0f;
/** A folder's first two entries: itself and its parent (cluster 0 for the root). */
const DOT = new TextEncoder().encode(".          ");
const DOTDOT = new TextEncoder().encode("..         ");

/** One file to write: a new path is added, an existing file's contents and entry are replaced. */
export interface FatPut {
  path: string;
  data: Uint8Array;
  /** Seconds since the epoch; default the changes' `time`. */
  mtime?: number;
  /** DOS attribute bits; default ATTR_ARCHIVE. */
  attributes?: number;
}

/** What to change, done in this order: remove, mkdir, put. */
export interface FatChanges {
  /** Files, or folders with everything in them, to delete. */
  remove?: string[];
  /** Folders to make (with their parents); one that exists already is left as it is. */
  mkdir?: string[];
  /** Files to add or replace; their folders are made as needed. */
  put?: FatPut[];
  /** Seconds since the epoch for new folders and files without an mtime. */
  time: number;
}

/**
 * Applies `changes` to the volume at byte `offset` of `image`. The work is done on a copy of the
 * volume, so an error (the volume full, a name that is a folder) leaves `image` unchanged.
 */
export function editFatVolume(image: Uint8Array, offset: number, changes: FatChanges): void {
  const vol = readFat(image, offset);
  const bps = vol.bytesPerSector;
  const b = image.slice(offset, offset + vol.totalSectors * bps);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fatStart = vol.reservedSectors * bps;
  const rootStart = (vol.reservedSectors + vol.numFats * vol.fatSectors) * bps;
  const dataStart = rootStart + Math.ceil((vol.rootEntries * 32) / bps) * bps;
  const clusterBytes = vol.sectorsPerCluster * bps;
  const maxCluster = vol.clusters + 1;
  const eoc = vol.fatType === 12 ? 0xfff : 0xffff;
  const eocMin = vol.fatType === 12 ? 0xff8 : 0xfff8;

  const getFat = (n: number): number => {
    if (vol.fatType === 16) return dv.getUint16(fatStart + 2 * n, true);
    const o = fatStart + n + (n >> 1);
    const v = b[o] | (b[o + 1] << 8);
    return n & 1 ? v >> 4 : v & 0xfff;
  };
  const setFat = (n: number, v: number): void => {
    if (vol.fatType === 16) return dv.setUint16(fatStart + 2 * n, v, true);
    const o = fatStart + n + (n >> 1);
    if (n & 1) {
      b[o] = (b[o] & 0x0f) | ((v << 4) & 0xf0);
      b[o + 1] = v >> 4;
    } else {
      b[o] = v & 0xff;
      b[o + 1] = (b[o + 1] & 0xf0) | ((v >> 8) & 0x0f);
    }
  };
  const at = (c: number) => dataStart + (c - 2) * clusterBytes;
  const chain = (first: number): number[] => {
    const out: number[] = [];
    // readFat has walked every chain of the volume, so each ends within its cluster count.
    for (let c = first; c >= 2 && c <= maxCluster && out.length <= vol.clusters; c = getFat(c)) {
      out.push(c);
      if (getFat(c) >= eocMin) break;
    }
    return out;
  };
  const freeBytes = () => {
    let n = 0;
    for (let c = 2; c <= maxCluster; c++) if (getFat(c) === 0) n++;
    return n * clusterBytes;
  };
  /** The lowest `count` free clusters, linked and ended; zero-filled. */
  const alloc = (count: number, field: string): number[] => {
    const got: number[] = [];
    for (let c = 2; c <= maxCluster && got.length < count; c++) if (getFat(c) === 0) got.push(c);
    if (got.length < count) {
      const free = freeBytes();
      throw new LooprootError(ErrorCode.Limit, `${field}: needs ${fmt(count * clusterBytes)} bytes but the volume has ${fmt(free)} bytes free`, { field, limit: free });
    }
    got.forEach((c, i) => {
      setFat(c, i + 1 < got.length ? got[i + 1] : eoc);
      b.fill(0, at(c), at(c) + clusterBytes);
    });
    return got;
  };
  const freeChain = (first: number) => {
    for (const c of first >= 2 ? chain(first) : []) setFat(c, 0);
  };

  /** A directory's 32-byte slots, in order: the root's fixed region, or its clusters. */
  const slots = (dirCluster: number): number[] => {
    const out: number[] = [];
    if (dirCluster === 0) for (let o = 0; o < vol.rootEntries * 32; o += 32) out.push(rootStart + o);
    else for (const c of chain(dirCluster)) for (let o = 0; o < clusterBytes; o += 32) out.push(at(c) + o);
    return out;
  };
  const find = (dirCluster: number, name11: Uint8Array): { slot: number; index: number; attr: number; cluster: number } | undefined => {
    const list = slots(dirCluster);
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (b[s] === 0x00) break;
      const attr = b[s + 11];
      if (b[s] === 0xe5 || (attr & ATTR_LONG_NAME) === ATTR_LONG_NAME || attr & ATTR_VOLUME_ID) continue;
      if (name11.every((v, k) => b[s + k] === v)) return { slot: s, index: i, attr, cluster: dv.getUint16(s + 26, true) };
    }
    return undefined;
  };
  const freeSlot = (dirCluster: number, field: string): number => {
    const list = slots(dirCluster);
    const s = list.find((o) => b[o] === 0x00 || b[o] === 0xe5);
    if (s !== undefined) return s;
    if (dirCluster === 0) throw new LooprootError(ErrorCode.Limit, `${field}: the root directory is full (${vol.rootEntries} entries, BPB_RootEntCnt)`, { field, limit: vol.rootEntries });
    const last = chain(dirCluster).at(-1)!;
    const [added] = alloc(1, field);
    setFat(last, added);
    return at(added);
  };
  /** Marks an entry deleted, with the long-name entries just before it. */
  const unlink = (dirCluster: number, index: number) => {
    const list = slots(dirCluster);
    b[list[index]] = 0xe5;
    for (let i = index - 1; i >= 0 && b[list[i]] !== 0xe5 && (b[list[i] + 11] & ATTR_LONG_NAME) === ATTR_LONG_NAME; i--) b[list[i]] = 0xe5;
  };
  const removeTree = (dirCluster: number) => {
    const list = slots(dirCluster);
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (b[s] === 0x00) break;
      const attr = b[s + 11];
      if (b[s] === 0xe5 || (attr & ATTR_LONG_NAME) === ATTR_LONG_NAME || b[s] === 0x2e) continue;
      const c = dv.getUint16(s + 26, true);
      if (attr & ATTR_DIRECTORY) removeTree(c);
      freeChain(c);
    }
  };

  const parts = (field: string, path: string): string[] => {
    try {
      return checkDosPath(path);
    } catch (e) {
      throw e instanceof LooprootError ? atField(e, field) : e;
    }
  };
  /** The folder `names` leads to, made (with its parents) when `make`; its first cluster (0: root). */
  const folder = (names: string[], field: string, make: boolean): number => {
    let dir = 0;
    for (let i = 0; i < names.length; i++) {
      const n11 = dosName11(names[i]);
      const e = find(dir, n11);
      if (e && !(e.attr & ATTR_DIRECTORY)) throw new LooprootError(ErrorCode.Limit, `${field}: ${names.slice(0, i + 1).join("\\")} is a file, not a folder`, { field });
      if (e) {
        dir = e.cluster;
        continue;
      }
      if (!make) throw new LooprootError(ErrorCode.Limit, `${field}: ${names.slice(0, i + 1).join("\\")} is not on the volume`, { field });
      const slot = freeSlot(dir, field);
      const [c] = alloc(1, field);
      dirEntry(b, at(c), DOT, ATTR_DIRECTORY, c, 0, changes.time, "time");
      dirEntry(b, at(c) + 32, DOTDOT, ATTR_DIRECTORY, dir, 0, changes.time, "time");
      dirEntry(b, slot, n11, ATTR_DIRECTORY, c, 0, changes.time, "time");
      dir = c;
    }
    return dir;
  };

  (changes.remove ?? []).forEach((path, i) => {
    const field = `remove[${i}]`;
    const names = parts(field, path);
    const dir = folder(names.slice(0, -1), field, false);
    const e = find(dir, dosName11(names.at(-1)!));
    if (!e) throw new LooprootError(ErrorCode.Limit, `${field}: ${names.join("\\")} is not on the volume`, { field });
    if (e.attr & ATTR_DIRECTORY) removeTree(e.cluster);
    freeChain(e.cluster);
    unlink(dir, e.index);
  });
  (changes.mkdir ?? []).forEach((path, i) => folder(parts(`mkdir[${i}]`, path), `mkdir[${i}]`, true));
  (changes.put ?? []).forEach((f, i) => {
    const field = `put[${i}]`;
    const names = parts(`${field}.path`, f.path);
    const dir = folder(names.slice(0, -1), `${field}.path`, true);
    const n11 = dosName11(names.at(-1)!);
    const old = find(dir, n11);
    if (old && old.attr & ATTR_DIRECTORY) throw new LooprootError(ErrorCode.Limit, `${field}.path: ${names.join("\\")} is a folder`, { field: `${field}.path` });
    const mtime = f.mtime ?? changes.time;
    dosDateTime(mtime, `${field}.mtime`);
    let slot: number;
    if (old) {
      freeChain(old.cluster);
      slot = old.slot;
    } else slot = freeSlot(dir, `${field}.path`);
    const clusters = f.data.length ? alloc(Math.ceil(f.data.length / clusterBytes), `${field}.data`) : [];
    clusters.forEach((c, k) => b.set(f.data.subarray(k * clusterBytes, (k + 1) * clusterBytes), at(c)));
    dirEntry(b, slot, n11, f.attributes ?? ATTR_ARCHIVE, clusters[0] ?? 0, f.data.length, mtime, `${field}.mtime`);
  });

  // The other FAT copies follow the first.
  const fatBytes = vol.fatSectors * bps;
  for (let k = 1; k < vol.numFats; k++) b.copyWithin(fatStart + k * fatBytes, fatStart, fatStart + fatBytes);
  image.set(b, offset);
}
