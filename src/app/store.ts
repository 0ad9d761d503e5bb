// The kept disk in the browser's own storage (IndexedDB): the built image once, then the guest's
// writes as a copy-on-write overlay of fixed-size blocks over it. A save writes only the blocks
// that changed since the last save, in one transaction with the record that describes them, so
// the stored state is always one whole state and a save costs what changed, not the disk's size.

import type { LooprootConfig } from "../config.ts";
import { sparseCopy, toStored, fromStored, type StoredImage } from "./pieces.ts";

/** Overlay block size: big enough that a 64 MiB disk has ~1000 blocks, small enough that a file write costs little. */
export const BLOCK = 64 * 1024;

export interface KeptMeta {
  savedAt: number;
  size: number;
  /** True when the guest confirmed a clean shutdown before this save. */
  clean: boolean;
  /** Blocks that differ from the built image. */
  blocks: number;
  builtAt: number;
  /** Saved by the user (Shut down and save), not kept on the way to a rebuild. */
  byUser: boolean;
}

export interface KeptDisk {
  meta: KeptMeta;
  config: LooprootConfig;
  floppy: Uint8Array;
  disk: Uint8Array;
}

/** Indices of the blocks of `now` that differ from `before` (same size). Pure, for the tests too. */
export function changedBlocks(before: Uint8Array, now: Uint8Array, block = BLOCK): number[] {
  if (before.length !== now.length)
    throw new Error(`overlay: disk size changed from ${before.length} to ${now.length} bytes`);
  const out: number[] = [];
  // Compared as 32-bit words where both views allow it: a 64 MiB disk compares in tens of ms.
  const aligned = before.byteOffset % 4 === 0 && now.byteOffset % 4 === 0 && block % 4 === 0;
  for (let i = 0, n = Math.ceil(now.length / block); i < n; i++) {
    const s = i * block,
      e = Math.min(now.length, s + block);
    let same = true;
    if (aligned && (e - s) % 4 === 0) {
      const a = new Uint32Array(before.buffer, before.byteOffset + s, (e - s) / 4);
      const b = new Uint32Array(now.buffer, now.byteOffset + s, (e - s) / 4);
      for (let j = 0; j < a.length; j++)
        if (a[j] !== b[j]) {
          same = false;
          break;
        }
    } else {
      for (let j = s; j < e; j++)
        if (before[j] !== now[j]) {
          same = false;
          break;
        }
    }
    if (!same) out.push(i);
  }
  return out;
}

/** The base with the overlay's blocks laid over it (a new array; the base's zeros are not copied). */
export function applyBlocks(base: Uint8Array, blocks: Map<number, Uint8Array>, block = BLOCK): Uint8Array {
  const out = sparseCopy(base);
  for (const [i, data] of blocks) {
    if (i * block + data.length > out.length)
      throw new Error(`overlay: block ${i} lies beyond the ${out.length}-byte disk`);
    out.set(data, i * block);
  }
  return out;
}

/** A storage problem told to the user (the download still works). */
export class StoreError extends Error {}

const DB = "looproot-keep";
const KEEP = "keep";
const BLOCKS = "blocks";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new StoreError("this browser offers no IndexedDB storage"));
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(KEEP);
      r.result.createObjectStore(BLOCKS);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(storeError(r.error));
  });
}

function storeError(e: DOMException | null): StoreError {
  if (e?.name === "QuotaExceededError")
    return new StoreError(
      "the browser's storage quota for this page is full, so the disk was not kept here; download it instead (or free space for this site in the browser's settings)",
    );
  return new StoreError(
    `the browser refused to store the disk (${e?.name ?? "error"}: ${e?.message ?? "unknown"}); download it instead`,
  );
}

const done = (t: IDBTransaction) =>
  new Promise<void>((res, rej) => {
    t.oncomplete = () => res();
    t.onerror = () => rej(storeError(t.error));
    t.onabort = () => rej(storeError(t.error));
  });
const req = <T>(r: IDBRequest<T>) =>
  new Promise<T>((res, rej) => {
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(storeError(r.error));
  });

/**
 * The kept disk of this page. `mirror` is the disk as last stored, so that a save can tell what
 * changed without reading the store back.
 */
export class DiskStore {
  private base?: {
    floppy: Uint8Array;
    disk: Uint8Array;
    config: LooprootConfig;
    builtAt: number;
    stored: boolean;
    byUser?: boolean;
  };

  /** The built images the kept disk is an overlay on (what it is compared with). */
  baseImages(): { floppy: Uint8Array; disk: Uint8Array } | undefined {
    return this.base && { floppy: this.base.floppy, disk: this.base.disk };
  }
  private mirror?: Uint8Array;

  /**
   * The disk as its boot left it (keep.ts's settled), while nothing was saved since: what changed()
   * compares with, so the boot's own writes are not the user's work. A save still stores every
   * block that differs from the mirror, the boot's included.
   */
  private booted?: Uint8Array;
  /** Grows whenever what changed() compares with is replaced: an answer of changed() holds until then. */
  version = 0;

  /** The images a boot starts from: a fresh build (not stored until the first save) or a resumed disk. */
  setBase(floppy: Uint8Array, disk: Uint8Array, config: LooprootConfig, builtAt = Date.now()): void {
    this.base = { floppy, disk, config, builtAt, stored: false };
    this.mirror = disk;
    this.booted = undefined;
    this.version++;
  }

  /** The running disk as its boot left it (a copy): from now on only later writes count as changes. */
  settle(disk: Uint8Array): void {
    this.booted = disk;
    this.version++;
  }

  /** True once this base is the one kept (its later saves replace only its own earlier ones). */
  get baseStored(): boolean {
    return !!this.base?.stored;
  }

  /** When the disk was built: one disk's saves share it, so it tells a later state of the same disk from another disk. */
  get builtAt(): number | undefined {
    return this.base?.builtAt;
  }

  /** True when `disk` differs from what is stored (or, before any save, from the built image). */
  changed(disk: Uint8Array): boolean {
    const before = this.booted ?? this.mirror;
    return !!before && changedBlocks(before, disk).length > 0;
  }

  /** Stores `disk` over the base in one transaction; returns the blocks and bytes written. */
  async save(
    disk: Uint8Array,
    clean: boolean,
    byUser = true,
  ): Promise<{ blocks: number; bytes: number; baseBytes: number; ms: number; meta: KeptMeta }> {
    const base = this.base;
    if (!base || !this.mirror) throw new StoreError("nothing to keep: build or resume a disk first");
    const t0 = performance.now();
    const fresh = !base.stored;
    const dirty = changedBlocks(this.mirror, disk);
    const db = await openDb();
    try {
      const t = db.transaction([KEEP, BLOCKS], "readwrite");
      const keep = t.objectStore(KEEP),
        blocks = t.objectStore(BLOCKS);
      let bytes = 0,
        baseBytes = 0;
      if (fresh) {
        // A new base replaces whatever was kept before (the page asked the user first).
        blocks.clear();
        // The disk as its non-zero pieces in a Blob (pieces.ts): IndexedDB keeps a Blob as a file,
        // where a 2 GiB array would have to be cloned whole (and Chromium cannot clone one that big).
        const stored = toStored(base.disk);
        keep.put({ floppy: base.floppy, disk: stored, config: base.config, builtAt: base.builtAt }, "base");
        baseBytes = stored.blob.size + base.floppy.length;
      }
      for (const i of dirty) {
        const s = i * BLOCK;
        const now = disk.subarray(s, Math.min(disk.length, s + BLOCK));
        const orig = base.disk.subarray(s, s + now.length);
        if (!fresh && changedBlocks(orig, now, now.length).length === 0) blocks.delete(i);
        else blocks.put(now.slice(), i);
        bytes += now.length;
      }
      // Requests run in order within the transaction: the count sees the puts and deletes above.
      const countReq = blocks.count();
      let meta: KeptMeta | undefined;
      countReq.onsuccess = () => {
        // A disk the user once saved stays the user's: a later automatic save of it does not demote it.
        meta = {
          savedAt: Date.now(),
          size: disk.length,
          clean,
          blocks: countReq.result,
          builtAt: base.builtAt,
          byUser: byUser || (!fresh && !!base.byUser),
        };
        keep.put(meta, "meta");
      };
      await done(t);
      base.stored = true;
      base.byUser = meta!.byUser;
      this.mirror = sparseCopy(disk);
      this.booted = undefined;
      this.version++;
      return { blocks: dirty.length, bytes, baseBytes, ms: performance.now() - t0, meta: meta! };
    } finally {
      db.close();
    }
  }

  /** What is kept, without reading the blocks (for the resume offer). */
  static async peek(): Promise<{ meta: KeptMeta } | undefined> {
    const db = await openDb();
    try {
      const meta = (await req(db.transaction(KEEP).objectStore(KEEP).get("meta"))) as KeptMeta | undefined;
      return meta ? { meta } : undefined;
    } finally {
      db.close();
    }
  }

  /** The kept disk, whole; the store then continues from it. */
  async load(): Promise<KeptDisk | undefined> {
    const db = await openDb();
    try {
      const t = db.transaction([KEEP, BLOCKS]);
      const [meta, base, keys, values] = await Promise.all([
        req(t.objectStore(KEEP).get("meta")) as Promise<KeptMeta | undefined>,
        req(t.objectStore(KEEP).get("base")) as Promise<
          { floppy: Uint8Array; disk: Uint8Array | StoredImage; config: LooprootConfig; builtAt: number } | undefined
        >,
        req(t.objectStore(BLOCKS).getAllKeys()),
        req(t.objectStore(BLOCKS).getAll()),
      ]);
      if (!meta || !base) return undefined;
      const blocks = new Map<number, Uint8Array>(keys.map((k, i) => [Number(k), values[i] as Uint8Array]));
      // A disk kept by an earlier version is an array; since then its stored pieces.
      const baseDisk = base.disk instanceof Uint8Array ? base.disk : await fromStored(base.disk);
      const disk = applyBlocks(baseDisk, blocks);
      this.base = { ...base, disk: baseDisk, stored: true, byUser: meta.byUser };
      this.mirror = sparseCopy(disk);
      this.booted = undefined;
      this.version++;
      return { meta, config: base.config, floppy: base.floppy, disk };
    } finally {
      db.close();
    }
  }

  static async discard(): Promise<void> {
    const db = await openDb();
    try {
      const t = db.transaction([KEEP, BLOCKS], "readwrite");
      t.objectStore(KEEP).clear();
      t.objectStore(BLOCKS).clear();
      await done(t);
    } finally {
      db.close();
    }
  }
}
