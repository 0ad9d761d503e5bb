// A version-1 Linux swap area (include/linux/swap.h, union swap_header): mkswap's writer and
// the header read back.

import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

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
    throw new Error(
      `swap sizeBytes: ${fmt(sizeBytes)} bytes is ${pages} pages, fewer than mkswap's minimum of ${SWAP_MIN_PAGES} (${fmt(SWAP_MIN_PAGES * SWAP_PAGE)} bytes)`,
    );
  }
  if (pages > SWAP_MAX_PAGES) {
    throw new Error(
      `swap sizeBytes: ${fmt(sizeBytes)} bytes is ${fmt(pages)} pages, more than the ${fmt(SWAP_MAX_PAGES)} (${fmt(SWAP_MAX_PAGES * SWAP_PAGE)} bytes) an i386 kernel can use`,
    );
  }
  if (!(opts.uuid instanceof Uint8Array) || opts.uuid.length !== 16) {
    throw new Error(`swap uuid: ${opts.uuid?.length ?? 0} bytes, a UUID has 16`);
  }
  const label = new TextEncoder().encode(opts.label ?? "");
  if (label.length > SWAP_LABEL_MAX) {
    throw new Error(
      `swap label: "${opts.label}" is ${label.length} bytes, more than the ${SWAP_LABEL_MAX} mkswap stores in sws_volume (16 bytes with its NUL)`,
    );
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

/** Does the image end its first page in the swap signature "SWAPSPACE2"? */
export function looksLikeSwap(image: Uint8Array): boolean {
  return (
    image.length >= SWAP_PAGE && String.fromCharCode(...image.subarray(SWAP_PAGE - 10, SWAP_PAGE)) === "SWAPSPACE2"
  );
}

/** A swap area's header page read back. */
export interface SwapHeader {
  pageSize: number;
  version: number;
  /** Usable pages after the header page (mkswap's last_page). */
  lastPage: number;
  badPages: number;
  label: string;
  uuid: Uint8Array;
}

/** The header of a version-1 swap area ("SWAPSPACE2" at the end of its first page), checked against the image's size. */
export function readSwap(image: Uint8Array): SwapHeader {
  const bad = (why: string) => new LooprootError(ErrorCode.Image, `swap: ${why}`, { field: "swap header" });
  if (image.length < SWAP_PAGE) throw bad(`${fmt(image.length)} bytes is less than one ${fmt(SWAP_PAGE)}-byte page`);
  if (!looksLikeSwap(image)) throw bad("no SWAPSPACE2 signature at the end of the first page");
  const dv = new DataView(image.buffer, image.byteOffset, SWAP_PAGE);
  const version = dv.getUint32(1024, true),
    lastPage = dv.getUint32(1028, true),
    badPages = dv.getUint32(1032, true);
  if (version !== 1) throw bad(`version ${version} is not 1`);
  if (lastPage === 0 || (lastPage + 1) * SWAP_PAGE > image.length)
    throw bad(`last_page ${fmt(lastPage)} does not fit the ${fmt(image.length)} bytes`);
  // The header page holds 637 bad-page numbers after its fixed fields.
  if (badPages > 637) throw bad(`nr_badpages ${fmt(badPages)} is more than a header holds (637)`);
  const label = image.subarray(1052, 1068);
  const nul = label.indexOf(0);
  return {
    pageSize: SWAP_PAGE,
    version,
    lastPage,
    badPages,
    label: new TextDecoder().decode(nul < 0 ? label : label.subarray(0, nul)),
    uuid: image.slice(1036, 1052),
  };
}
