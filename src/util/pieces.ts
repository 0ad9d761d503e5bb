// Big images in pieces (the page's disk, v86's copy of it). Chromium 156 refuses to post an
// ArrayBuffer above 2046 MiB from a worker ("size exceeds the supported range", transferred or cloned; measured: 2046 MiB
// passes, 2046.9 does not), so a 2047 MiB disk crosses as 1 MiB pieces. And a big disk is mostly
// zeros that no page of memory holds until something writes them: the copies, Blobs and transfers
// here skip the all-zero pieces, so they cost what the disk holds, not its size.

/** Piece size: small enough that a mostly empty disk costs little, big enough that a 2 GiB disk has 2,047. */
export const PIECE = 1 << 20;

/** An image as it crosses from the worker: its size and its pieces, null for an all-zero one. */
export interface PackedImage {
  size: number;
  pieces: (Uint8Array | null)[];
}

/** True when every byte of `a` is zero (compared as 32-bit words where the view allows it). */
export function isZero(a: Uint8Array): boolean {
  const head = (4 - (a.byteOffset % 4)) % 4;
  const n = Math.min(head, a.length);
  for (let i = 0; i < n; i++) if (a[i]) return false;
  // Words only when the head was whole (a view shorter than its head has none, and no aligned start).
  const words = n === head ? Math.floor((a.length - n) / 4) : 0;
  if (words) {
    const w = new Uint32Array(a.buffer, a.byteOffset + n, words);
    for (let i = 0; i < words; i++) if (w[i]) return false;
  }
  for (let i = n + words * 4; i < a.length; i++) if (a[i]) return false;
  return true;
}

/** Each non-zero piece of `img` copied into its own buffer (to transfer); zero pieces are null. */
export function pack(img: Uint8Array): { packed: PackedImage; transfer: ArrayBuffer[] } {
  const pieces: (Uint8Array | null)[] = [];
  const transfer: ArrayBuffer[] = [];
  for (let s = 0; s < img.length; s += PIECE) {
    const part = img.subarray(s, Math.min(img.length, s + PIECE));
    if (isZero(part)) pieces.push(null);
    else {
      const copy = part.slice();
      pieces.push(copy);
      transfer.push(copy.buffer);
    }
  }
  return { packed: { size: img.length, pieces }, transfer };
}

/** The image again, in one fresh buffer: its zero pieces are never written, so they cost no memory. */
export function unpack(p: PackedImage): Uint8Array {
  const out = new Uint8Array(p.size);
  p.pieces.forEach((piece, i) => {
    if (piece) out.set(piece, i * PIECE);
  });
  return out;
}

/** A copy of `a` that writes only its non-zero pieces (a slice() would touch every page of a 2 GiB disk). */
export function sparseCopy(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let s = 0; s < a.length; s += PIECE) {
    const part = a.subarray(s, Math.min(a.length, s + PIECE));
    if (!isZero(part)) out.set(part, s);
  }
  return out;
}
