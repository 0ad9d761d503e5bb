// The FAT reader on images made to hurt it: directories cross-linked into one long shared chain
// (which once took minutes), and thousands of mutated images (fixed seed). Each must end quickly
// in a volume or in the project's own error (E_IMAGE), never a foreign exception or a hang.
import { describe, it, expect } from "vitest";
import { makeFat, readFat, extractSystem, ATTR_SYSTEM, ATTR_HIDDEN, ATTR_READ_ONLY } from "../../src/fs/fat/index.ts";
import { LooprootError, ErrorCode } from "../../src/errors.ts";

const T = 900_000_000;

/** A FAT16 volume of `dirs` directories whose chains all run into one shared tail of `tail` clusters. */
function crossLinked(dirs: number, tail: number): Uint8Array {
  const names = Array.from({ length: dirs }, (_, i) => `D${i}`);
  const img = makeFat({ totalSectors: 65_536, serial: 1, time: T, fatType: 16 }, [], names);
  const vol = readFat(img);
  const bps = vol.bytesPerSector;
  const fatAt = vol.reservedSectors * bps;
  const rootAt = (vol.reservedSectors + vol.numFats * vol.fatSectors) * bps;
  const dv = new DataView(img.buffer);
  const setFat = (n: number, v: number) => dv.setUint16(fatAt + 2 * n, v, true);
  const first = 2 + dirs + 10; // free clusters after the directories
  for (let i = 0; i < tail; i++) setFat(first + i, i === tail - 1 ? 0xffff : first + i + 1);
  for (let o = rootAt; img[o] !== 0; o += 32) {
    if (img[o + 11] & 0x10) setFat(dv.getUint16(o + 26, true), first);
  }
  return img;
}

describe("FAT reader, hostile images", () => {
  it("directories cross-linked into one long chain: a clear E_IMAGE at once", () => {
    const img = crossLinked(400, 15_000);
    const t0 = performance.now();
    let err: unknown;
    try {
      readFat(img);
    } catch (e) {
      err = e;
    }
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(LooprootError);
    expect((err as LooprootError).code).toBe(ErrorCode.Image);
    expect((err as Error).message).toMatch(
      /^FAT image: D1: cluster \d+ also belongs to D0 \(cross-linked directories\)$/,
    );
    expect(ms).toBeLessThan(1000);
  });

  it("a directory whose chain loops back on itself", () => {
    const img = crossLinked(1, 5);
    const vol = readFat(img);
    const fatAt = vol.reservedSectors * vol.bytesPerSector;
    const dv = new DataView(img.buffer);
    const first = 2 + 1 + 10;
    dv.setUint16(fatAt + 2 * (first + 4), first + 1, true); // the tail's end points back into it
    expect(() => readFat(img)).toThrow(/D0: the cluster chain loops at cluster \d+/);
  });

  it("3,000 mutated images each end in a volume or an E_IMAGE error, quickly", () => {
    const sys = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM;
    const bases = [
      makeFat(
        { floppy: "360K", serial: 7, time: T },
        [
          { path: "IO.SYS", data: new Uint8Array(5000).fill(1), attributes: sys },
          { path: "COMMAND.COM", data: new Uint8Array(3000).fill(2) },
          { path: "A\\B\\C.TXT", data: new Uint8Array(1500).fill(3) },
          { path: "A\\D.TXT", data: new Uint8Array(20).fill(4) },
        ],
        ["E", "A\\F"],
      ),
      makeFat(
        { totalSectors: 8_000, serial: 8, time: T, fatType: 12 },
        [{ path: "X\\Y.BIN", data: new Uint8Array(40_000).fill(5) }],
        ["X\\Z"],
      ),
    ];
    const vols = bases.map((b) => readFat(b));
    let seed = 0x1234567;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed % n;
    };
    const outcomes = { ok: 0, image: 0 };
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length];
      const vol0 = vols[i % bases.length];
      const metaEnd = (vol0.reservedSectors + vol0.numFats * vol0.fatSectors) * 512 + vol0.rootEntries * 32 + 8 * 512;
      let img = base.slice();
      const kind = rnd(4);
      const n = 1 + rnd(12);
      for (let k = 0; k < n; k++) {
        // Mostly the parts a reader trusts: the BPB, the FAT and the directories.
        const at = kind === 0 ? rnd(64) : kind === 1 ? 512 + rnd(vol0.fatSectors * 512) : rnd(metaEnd);
        img[at] = kind === 3 ? img[at] ^ (1 << rnd(8)) : rnd(256);
      }
      if (rnd(10) === 0) img = img.subarray(0, rnd(img.length));
      try {
        const vol = readFat(img);
        for (const e of vol.entries) e.data();
        extractSystem(img);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof LooprootError) || e.code !== ErrorCode.Image)
          throw new Error(`mutation ${i}: not the project's error: ${(e as Error).stack}`);
        outcomes.image++;
      }
    }
    const ms = performance.now() - t0;
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.image).toBeGreaterThan(100);
    expect(ms).toBeLessThan(20_000);
  });
});
