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
    parts.push(
      !isZero(part)
        ? (part as Uint8Array<ArrayBuffer>)
        : part.length === PIECE
          ? zeroPiece
          : zeroPiece.slice(0, part.length),
    );
  }
  return new Blob(parts, { type });
}

/**
 * An image as the browser keeps it (store.ts): its non-zero pieces one after the other in a Blob,
 * and which pieces they are. Reading it back reads only those: a kept 2 GiB disk that holds 227 MiB
 * costs 227 MiB to load, not 2 GiB of reads (and as much garbage for the collector).
 */
export interface StoredImage {
  size: number;
  present: number[];
  blob: Blob;
}

export function toStored(a: Uint8Array): StoredImage {
  const present: number[] = [];
  const parts: BlobPart[] = [];
  for (let s = 0, i = 0; s < a.length; s += PIECE, i++) {
    const part = a.subarray(s, Math.min(a.length, s + PIECE));
    if (isZero(part)) continue;
    present.push(i);
    parts.push(part as Uint8Array<ArrayBuffer>);
  }
  return { size: a.length, present, blob: new Blob(parts) };
}

export async function fromStored(st: StoredImage): Promise<Uint8Array> {
  const out = new Uint8Array(st.size);
  let at = 0;
  for (const i of st.present) {
    const len = Math.min(PIECE, st.size - i * PIECE);
    out.set(new Uint8Array(await st.blob.slice(at, at + len).arrayBuffer()), i * PIECE);
    at += len;
  }
  return out;
}
