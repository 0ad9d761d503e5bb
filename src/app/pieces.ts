// The page's Blobs of big images, made of pieces (src/util/pieces.ts says why).

import { PIECE, isZero } from "../util/pieces.ts";

export * from "../util/pieces.ts";

let zeroPiece: Blob | undefined;
/**
 * `a` as a Blob made of its pieces, every all-zero piece the same small Blob: a Blob copies what it
 * is made of, so a Blob of the whole 2 GiB array would be a second full copy.
 */
export function sparseBlob(a: Uint8Array, type = "application/octet-stream"): Blob {
  zeroPiece ??= new Blob([new Uint8Array(PIECE)]);
  const parts: BlobPart[] = [];
  for (let s = 0; s < a.length; s += PIECE) {
    const part = a.subarray(s, Math.min(a.length, s + PIECE));
    parts.push(!isZero(part) ? (part as Uint8Array<ArrayBuffer>) : part.length === PIECE ? zeroPiece : zeroPiece.slice(0, part.length));
  }
  return new Blob(parts, { type });
}

/** A Blob read back into one buffer, a piece at a time; zero pieces are not written. */
export async function blobBytes(b: Blob): Promise<Uint8Array> {
  const out = new Uint8Array(b.size);
  for (let s = 0; s < b.size; s += PIECE) {
    const part = new Uint8Array(await b.slice(s, Math.min(b.size, s + PIECE)).arrayBuffer());
    if (!isZero(part)) out.set(part, s);
  }
  return out;
}
