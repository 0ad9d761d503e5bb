// Big images in pieces (src/util/pieces.ts, src/app/pieces.ts): packing and unpacking, the sparse
// copy, the Blob of pieces and the stored form give back the same bytes, whatever the size, the view's offset and
// where the non-zero bytes are; all-zero pieces cross as nothing.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { PIECE, isZero, pack, unpack, sparseCopy } from "../../src/util/pieces.ts";
import { sparseBlob, toStored, fromStored } from "../../src/app/pieces.ts";

/** An image of `size` bytes, zero except at `marks`, as a view at `offset` into a larger buffer. */
function image(size: number, marks: number[], offset: number): Uint8Array {
  const a = new Uint8Array(size + offset).subarray(offset);
  for (const m of marks) if (size) a[m % size] = 1 + (m % 255);
  return a;
}

// Compared as Buffers: toEqual walks a typed array element by element, minutes for these sizes.
const same = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

const arb = fc.tuple(
  fc.integer({ min: 0, max: 3 * PIECE + 5000 }),
  fc.array(fc.nat(), { maxLength: 8 }),
  fc.integer({ min: 0, max: 3 }),
);

describe("images in pieces", () => {
  it("pack and unpack, sparseCopy, a Blob of pieces and the stored pieces give back the image byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ([size, marks, offset]) => {
        const img = image(size, marks, offset);
        const { packed, transfer } = pack(img);
        expect(packed.pieces).toHaveLength(Math.ceil(size / PIECE));
        // A piece is sent exactly when it holds a non-zero byte.
        packed.pieces.forEach((p, i) => expect(p === null).toBe(isZero(img.subarray(i * PIECE, (i + 1) * PIECE))));
        expect(transfer).toHaveLength(packed.pieces.filter((p) => p).length);
        expect(same(unpack(packed), img)).toBe(true);
        expect(same(sparseCopy(img), img)).toBe(true);
        const blob = sparseBlob(img);
        expect(blob.size).toBe(size);
        expect(same(new Uint8Array(await blob.arrayBuffer()), img)).toBe(true);
        const stored = toStored(img);
        expect(stored.present).toEqual(packed.pieces.flatMap((p, i) => (p ? [i] : [])));
        expect(stored.blob.size).toBe(stored.present.reduce((n, i) => n + Math.min(PIECE, size - i * PIECE), 0));
        expect(same(await fromStored(stored), img)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it("isZero sees a single non-zero byte anywhere, at any alignment", () => {
    for (const offset of [0, 1, 2, 3])
      for (const len of [0, 1, 3, 4, 9, 64]) {
        const a = new Uint8Array(len + offset).subarray(offset);
        expect(isZero(a)).toBe(true);
        for (let i = 0; i < len; i++) {
          a[i] = 0x80;
          expect(isZero(a)).toBe(false);
          a[i] = 0;
        }
      }
  });
});
