// mkswap: a version-1 Linux swap area (include/linux/swap.h, union swap_header).

export const SWAP_PAGE = 4096;
/** mkswap refuses fewer than 10 pages (MIN_GOODPAGES). */
export const SWAP_MIN_PAGES = 10;
/**
 * The most pages a 32-bit i386 kernel (2-level page tables, no PAE) uses. A swap entry keeps its
 * offset in pte bits 9..31 (SWP_OFFSET_SHIFT = _PAGE_BIT_PROTNONE + 1), so 2^23 pages (32 GiB);
 * but on CPUs with the L1TF bug arch_max_swapfile_size() caps it at half the 32-bit physical
 * address space, 2^19 pages (2 GiB). We take the lower bound, which holds on every CPU.
 */
export const SWAP_MAX_PAGES = 1 << 19;

/**
 * sws_volume has 16 bytes, but mkswap keeps it a C string: it stores at most 15 bytes and a NUL
 * (a 16-byte label comes out truncated). We refuse instead of truncating.
 */
export const SWAP_LABEL_MAX = 15;

export interface SwapOptions {
  sizeBytes: number;
  /** sws_uuid, 16 bytes, derived from the config by the caller. */
  uuid: Uint8Array;
  /** sws_volume, at most SWAP_LABEL_MAX (15) bytes of UTF-8. */
  label?: string;
}

import { fmt } from "../util/fmt.ts";

/**
 * The swap area. `into`, when given, is where it is written instead of a new array (its window of
 * a disk image); it must be sizeBytes long and all zero, as a fresh array is: only the header page
 * is written.
 */
export function makeSwap(opts: SwapOptions, into?: Uint8Array): Uint8Array {
  const { sizeBytes } = opts;
  if (!Number.isInteger(sizeBytes) || sizeBytes % SWAP_PAGE !== 0) {
    throw new Error(`swap sizeBytes: ${sizeBytes} is not a whole number of ${SWAP_PAGE}-byte pages`);
  }
  const pages = sizeBytes / SWAP_PAGE;
  if (pages < SWAP_MIN_PAGES) {
    throw new Error(`swap sizeBytes: ${fmt(sizeBytes)} bytes is ${pages} pages, fewer than mkswap's minimum of ${SWAP_MIN_PAGES} (${fmt(SWAP_MIN_PAGES * SWAP_PAGE)} bytes)`);
  }
  if (pages > SWAP_MAX_PAGES) {
    throw new Error(`swap sizeBytes: ${fmt(sizeBytes)} bytes is ${fmt(pages)} pages, more than the ${fmt(SWAP_MAX_PAGES)} (${fmt(SWAP_MAX_PAGES * SWAP_PAGE)} bytes) an i386 kernel can use`);
  }
  if (!(opts.uuid instanceof Uint8Array) || opts.uuid.length !== 16) {
    throw new Error(`swap uuid: ${opts.uuid?.length ?? 0} bytes, a UUID has 16`);
  }
  const label = new TextEncoder().encode(opts.label ?? "");
  if (label.length > SWAP_LABEL_MAX) {
    throw new Error(`swap label: "${opts.label}" is ${label.length} bytes, more than the ${SWAP_LABEL_MAX} mkswap stores in sws_volume (16 bytes with its NUL)`);
  }
  if (label.includes(0)) throw new Error("swap label: contains a NUL byte");

  if (into !== undefined && into.length !== sizeBytes) {
    throw new Error(`swap into: ${fmt(into.length)} bytes, the swap area has ${fmt(sizeBytes)}`);
  }
  const out = into ?? new Uint8Array(sizeBytes);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // The first 1024 bytes (bootbits) stay zero, as mkswap leaves them on a file.
  dv.setUint32(1024, 1, true); // version
  dv.setUint32(1028, pages - 1, true); // last_page
  dv.setUint32(1032, 0, true); // nr_badpages
  out.set(opts.uuid, 1036); // sws_uuid
  out.set(label, 1052); // sws_volume
  out.set(new TextEncoder().encode("SWAPSPACE2"), SWAP_PAGE - 10); // magic
  return out;
}
