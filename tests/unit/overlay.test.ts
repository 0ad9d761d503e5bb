// The kept disk's block overlay: exactly the changed blocks are found, and laying them over the
// base gives the disk back byte for byte, whatever the alignment and the size of the last block.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { changedBlocks, applyBlocks, DiskStore } from "../../src/app/store.ts";

describe("block overlay", () => {
  it("finds the changed blocks and rebuilds the disk from them", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom(4, 64, 100, 512),
        fc.boolean(),
        (size, edits, block, offset) => {
          const backing = new Uint8Array(size + 1);
          const base = offset ? backing.subarray(1) : backing.subarray(0, size);
          for (let i = 0; i < size; i++) base[i] = (i * 7) & 0xff;
          const now = base.slice();
          for (const e of edits) now[e % size] ^= 1 + (e & 0x7f);
          // Two edits of one byte can cancel out: the truth is the bytes that differ.
          const want = new Set<number>();
          for (let i = 0; i < size; i++) if (now[i] !== base[i]) want.add(Math.floor(i / block));
          const got = changedBlocks(base, now, block);
          expect(got).toEqual([...want].sort((a, b) => a - b));
          const blocks = new Map(got.map((i) => [i, now.slice(i * block, (i + 1) * block)]));
          expect(applyBlocks(base, blocks, block)).toEqual(now);
        },
      ),
    );
  });
  it("refuses a disk whose size changed and a block beyond the end", () => {
    expect(() => changedBlocks(new Uint8Array(8), new Uint8Array(9))).toThrow(/size changed/);
    expect(() => applyBlocks(new Uint8Array(8), new Map([[1, new Uint8Array(8)]]), 8)).toThrow(/beyond/);
  });
});

describe("what counts as a change of the running disk", () => {
  it("the boot's own writes do not, once the booted disk is the starting point; later writes do", () => {
    const built = new Uint8Array(256 * 1024);
    const store = new DiskStore();
    store.setBase(new Uint8Array(512), built, {} as never);
    const v0 = store.version;
    const booted = built.slice();
    booted[37] = 1; // the boot's write (a volume's dirty flag)
    expect(store.changed(booted)).toBe(true);
    store.settle(booted.slice());
    expect(store.version).toBeGreaterThan(v0);
    expect(store.changed(booted)).toBe(false);
    const worked = booted.slice();
    worked[200_000] = 7; // the user's file
    expect(store.changed(worked)).toBe(true);
    // A new base forgets the old boot's starting point.
    store.setBase(new Uint8Array(512), built, {} as never);
    expect(store.changed(booted)).toBe(true);
  });
});
