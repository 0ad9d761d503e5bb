// Changes an existing FAT12/16 volume where it lies, as `mcopy -i`, `mdel -i`, `mmd -i` and
// `mdeltree -i` do: files added or replaced, folders made, files and folders deleted, and every
// other byte (boot sector, other files' clusters and entries) left as it was. New data takes the
// lowest free clusters; a full subdirectory grows by a cluster, a full root directory is an error.

import { dirEntry } from "./write.ts";
import { readFat } from "./read.ts";
import { dosDateTime, ATTR_DIRECTORY, ATTR_VOLUME_ID, ATTR_ARCHIVE } from "./layout.ts";
import { dosName11, checkDosPath, toDosName, DOS_ILLEGAL_CHARS } from "./dosname.ts";
import { LooprootError, ErrorCode, atField } from "../../errors.ts";
import { fmt } from "../../util/fmt.ts";

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

/** VFAT's limit on a long name, in UTF-16 units. */
export const LONG_NAME_MAX = 255;
/** Characters a long name may not hold (besides control characters). */
const LONG_ILLEGAL = '"*/:<>?\\|';
/** Characters a short name may not hold, which a generated alias replaces with "_". */
const SHORT_ILLEGAL = DOS_ILLEGAL_CHARS + ".";

/** An 8.3 name as it is, or undefined where the name needs a long-name entry. */
function shortForm(name: string): string | undefined {
  try {
    const dos = toDosName(name);
    // A name in another case is kept as written only in a long-name entry.
    return dos === name ? dos : undefined;
  } catch {
    return undefined;
  }
}

/** The components of a path of long names ("/" or "\\" separated), each checked. */
function longParts(path: string, field: string): string[] {
  const parts = path
    .split(/[\\/]+/)
    .filter(Boolean)
    .map((p) => p.replace(/[. ]+$/, ""));
  if (parts.length === 0) throw new LooprootError(ErrorCode.DosName, `${field}: "${path}" names no file`, { field });
  for (const p of parts) {
    if (p === "" || p === "." || p === "..")
      throw new LooprootError(ErrorCode.DosName, `${field}: "${path}" has an empty, "." or ".." component`, { field });
    if (p.length > LONG_NAME_MAX)
      throw new LooprootError(
        ErrorCode.DosName,
        `${field}: a name is ${p.length} characters, more than VFAT's ${LONG_NAME_MAX}`,
        { field, limit: LONG_NAME_MAX },
      );
    for (const ch of p) {
      if (ch.charCodeAt(0) < 0x20 || LONG_ILLEGAL.includes(ch))
        throw new LooprootError(
          ErrorCode.DosName,
          `${field}: character ${JSON.stringify(ch)} is not allowed in a long name (illegal: ${LONG_ILLEGAL} and control characters)`,
          { field },
        );
    }
  }
  return parts;
}

/** The short-name checksum each long-name entry carries (the VFAT specification's). */
function lfnChecksum(name11: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = ((((sum & 1) << 7) | (sum >> 1)) + name11[i]) & 0xff;
  return sum;
}

/** The long-name entries for `name`, in the order they are written (the last part first). */
function lfnEntries(name: string, name11: Uint8Array): Uint8Array[] {
  const units = Array.from({ length: name.length }, (_, i) => name.charCodeAt(i));
  const count = Math.ceil(units.length / 13);
  if (units.length % 13) units.push(0);
  while (units.length < count * 13) units.push(0xffff);
  const sum = lfnChecksum(name11);
  const out: Uint8Array[] = [];
  for (let k = count; k >= 1; k--) {
    const e = new Uint8Array(32);
    const dv = new DataView(e.buffer);
    e[0] = k | (k === count ? 0x40 : 0);
    e[11] = ATTR_LONG_NAME;
    e[13] = sum;
    const chunk = units.slice((k - 1) * 13, k * 13);
    [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30].forEach((o, i) => dv.setUint16(o, chunk[i], true));
    out.push(e);
  }
  return out;
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
  /**
   * VFAT long names: paths may use any name a long-name entry holds ("Read Me.txt"); a name that
   * is not 8.3 gets an alias (README~1.TXT) and long-name entries, as Windows 95 and Linux's vfat
   * write them. Without it every name must be 8.3.
   */
  longNames?: boolean;
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
      throw new LooprootError(
        ErrorCode.Limit,
        `${field}: needs ${fmt(count * clusterBytes)} bytes but the volume has ${fmt(free)} bytes free`,
        { field, limit: free },
      );
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
  /** The 11 bytes of a name that is 8.3 (in any case), for looking it up by its short name. */
  const shortFormBytes = (name: string): Uint8Array | undefined => {
    try {
      return dosName11(toDosName(name));
    } catch {
      return undefined;
    }
  };
  /** An entry by its short name, or (case-insensitively) by its long name. */
  const find = (
    dirCluster: number,
    name11: Uint8Array | undefined,
    long?: string,
  ): { slot: number; index: number; attr: number; cluster: number } | undefined => {
    const list = slots(dirCluster);
    let lfn = "";
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (b[s] === 0x00) break;
      const attr = b[s + 11];
      if (b[s] === 0xe5) {
        lfn = "";
        continue;
      }
      if ((attr & ATTR_LONG_NAME) === ATTR_LONG_NAME) {
        // Parts come last first: each one read goes in front of what was read so far.
        let part = "";
        for (const o of [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]) {
          const u = dv.getUint16(s + o, true);
          if (u === 0 || u === 0xffff) break;
          part += String.fromCharCode(u);
        }
        lfn = b[s] & 0x40 ? part : part + lfn;
        continue;
      }
      const named = lfn;
      lfn = "";
      if (attr & ATTR_VOLUME_ID) continue;
      if (name11 && name11.every((v, k) => b[s + k] === v))
        return { slot: s, index: i, attr, cluster: dv.getUint16(s + 26, true) };
      if (long !== undefined && named !== "" && named.toUpperCase() === long.toUpperCase())
        return { slot: s, index: i, attr, cluster: dv.getUint16(s + 26, true) };
    }
    return undefined;
  };
  /** The 11 bytes of a short name for `name` in the folder: itself when 8.3, else a free ~N alias. */
  const shortName = (dirCluster: number, name: string, field: string): { name11: Uint8Array; long: boolean } => {
    const short = shortForm(name);
    if (short !== undefined) return { name11: dosName11(short), long: false };
    if (!changes.longNames) {
      try {
        dosName11(name);
      } catch (e) {
        throw e instanceof LooprootError ? atField(e, field) : e;
      }
      return { name11: dosName11(name), long: false };
    }
    // An 8.3 name in another case ("docs") keeps its upper-case form as the alias, the case in the long name.
    const upper = shortFormBytes(name);
    if (upper && !find(dirCluster, upper)) return { name11: upper, long: true };
    const up = name.toUpperCase().replace(/^[. ]+/, "");
    const dot = up.lastIndexOf(".");
    const clean = (t: string) =>
      [...t.replace(/ /g, "")].map((c) => (c.charCodeAt(0) > 0x7e || SHORT_ILLEGAL.includes(c) ? "_" : c)).join("");
    const base = clean(dot > 0 ? up.slice(0, dot) : up) || "_";
    const ext = clean(dot > 0 ? up.slice(dot + 1) : "").slice(0, 3);
    for (let n = 1; n < 1_000_000; n++) {
      const tail = `~${n}`;
      const name11 = new Uint8Array(11).fill(0x20);
      const head = base.slice(0, 8 - tail.length) + tail;
      for (let i = 0; i < head.length; i++) name11[i] = head.charCodeAt(i);
      for (let i = 0; i < ext.length; i++) name11[8 + i] = ext.charCodeAt(i);
      if (!find(dirCluster, name11)) return { name11, long: true };
    }
    throw new LooprootError(ErrorCode.Limit, `${field}: no free short alias for "${name}"`, { field });
  };
  /** `count` consecutive free slots (long-name entries and their short entry), growing a subdirectory as needed; the first slot's index. */
  const freeSlots = (dirCluster: number, count: number, field: string): number[] => {
    for (;;) {
      const list = slots(dirCluster);
      let run = 0;
      for (let i = 0; i < list.length; i++) {
        run = b[list[i]] === 0x00 || b[list[i]] === 0xe5 ? run + 1 : 0;
        if (run === count) return list.slice(i - count + 1, i + 1);
      }
      if (dirCluster === 0)
        throw new LooprootError(
          ErrorCode.Limit,
          `${field}: the root directory is full (${vol.rootEntries} entries, BPB_RootEntCnt)`,
          { field, limit: vol.rootEntries },
        );
      const last = chain(dirCluster).at(-1)!;
      const [added] = alloc(1, field);
      setFat(last, added);
    }
  };
  /** Writes the long-name entries (where needed) and returns the slot for the short entry. */
  const place = (
    dirCluster: number,
    name: string,
    sn: { name11: Uint8Array; long: boolean },
    field: string,
  ): number => {
    const lfn = sn.long ? lfnEntries(name, sn.name11) : [];
    const run = freeSlots(dirCluster, lfn.length + 1, field);
    lfn.forEach((e, i) => b.set(e, run[i]));
    return run[lfn.length];
  };
  /** Marks an entry deleted, with the long-name entries just before it. */
  const unlink = (dirCluster: number, index: number) => {
    const list = slots(dirCluster);
    b[list[index]] = 0xe5;
    for (let i = index - 1; i >= 0 && b[list[i]] !== 0xe5 && (b[list[i] + 11] & ATTR_LONG_NAME) === ATTR_LONG_NAME; i--)
      b[list[i]] = 0xe5;
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
    if (changes.longNames) return longParts(path, field);
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
      const e = find(dir, shortFormBytes(names[i]), names[i]);
      if (e && !(e.attr & ATTR_DIRECTORY))
        throw new LooprootError(
          ErrorCode.Limit,
          `${field}: ${names.slice(0, i + 1).join("\\")} is a file, not a folder`,
          { field },
        );
      if (e) {
        dir = e.cluster;
        continue;
      }
      if (!make)
        throw new LooprootError(ErrorCode.Limit, `${field}: ${names.slice(0, i + 1).join("\\")} is not on the volume`, {
          field,
        });
      const sn = shortName(dir, names[i], field);
      const slot = place(dir, names[i], sn, field);
      const [c] = alloc(1, field);
      dirEntry(b, at(c), DOT, ATTR_DIRECTORY, c, 0, changes.time, "time");
      dirEntry(b, at(c) + 32, DOTDOT, ATTR_DIRECTORY, dir, 0, changes.time, "time");
      dirEntry(b, slot, sn.name11, ATTR_DIRECTORY, c, 0, changes.time, "time");
      dir = c;
    }
    return dir;
  };

  (changes.remove ?? []).forEach((path, i) => {
    const field = `remove[${i}]`;
    const names = parts(field, path);
    const dir = folder(names.slice(0, -1), field, false);
    const e = find(dir, shortFormBytes(names.at(-1)!), names.at(-1)!);
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
    const leaf = names.at(-1)!;
    const old = find(dir, shortFormBytes(leaf), leaf);
    if (old && old.attr & ATTR_DIRECTORY)
      throw new LooprootError(ErrorCode.Limit, `${field}.path: ${names.join("\\")} is a folder`, {
        field: `${field}.path`,
      });
    const mtime = f.mtime ?? changes.time;
    dosDateTime(mtime, `${field}.mtime`);
    let slot: number;
    let n11: Uint8Array;
    if (old) {
      freeChain(old.cluster);
      slot = old.slot;
      n11 = b.slice(slot, slot + 11);
    } else {
      const sn = shortName(dir, leaf, `${field}.path`);
      slot = place(dir, leaf, sn, `${field}.path`);
      n11 = sn.name11;
    }
    const clusters = f.data.length ? alloc(Math.ceil(f.data.length / clusterBytes), `${field}.data`) : [];
    clusters.forEach((c, k) => b.set(f.data.subarray(k * clusterBytes, (k + 1) * clusterBytes), at(c)));
    dirEntry(b, slot, n11, f.attributes ?? ATTR_ARCHIVE, clusters[0] ?? 0, f.data.length, mtime, `${field}.mtime`);
  });

  // The other FAT copies follow the first.
  const fatBytes = vol.fatSectors * bps;
  for (let k = 1; k < vol.numFats; k++) b.copyWithin(fatStart + k * fatBytes, fatStart, fatStart + fatBytes);
  image.set(b, offset);
}
