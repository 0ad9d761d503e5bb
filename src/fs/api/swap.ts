// looproot/fs: Linux swap areas written and read back.

import {
  makeSwap as coreMakeSwap,
  readSwap as coreReadSwap,
  SWAP_PAGE,
  SWAP_MIN_PAGES,
  SWAP_MAX_PAGES,
  SWAP_LABEL_MAX,
} from "../swap.ts";
import { fmt } from "../../util/fmt.ts";
import { typeError } from "../../errors.ts";
import { limit, checkInt, checkBytes, checkObject, atImage, derivedUuid } from "./check.ts";

/** Swap limits: the page size, mkswap's minimum of pages, the most pages an i386 kernel uses, the label's bytes. */
export const SWAP_LIMITS = {
  page: SWAP_PAGE,
  minPages: SWAP_MIN_PAGES,
  maxPages: SWAP_MAX_PAGES,
  labelBytes: SWAP_LABEL_MAX,
} as const;

/** Options for makeSwap. */
export interface SwapImageOptions {
  /** Size in bytes, whole pages of SWAP_LIMITS.page bytes, SWAP_LIMITS.minPages..SWAP_LIMITS.maxPages of them. */
  sizeBytes: number;
  /** At most SWAP_LIMITS.labelBytes bytes. */
  label?: string;
  /** sws_uuid (16 bytes); default: derived from the size and label. */
  uuid?: Uint8Array;
}

/** A Linux swap area (mkswap's version-1 header), ready for `swapon`. */
export function makeSwap(opts: SwapImageOptions): Uint8Array {
  checkObject("opts", opts);
  const sizeBytes = checkInt("sizeBytes", opts.sizeBytes, SWAP_MIN_PAGES * SWAP_PAGE, SWAP_MAX_PAGES * SWAP_PAGE);
  if (sizeBytes % SWAP_PAGE !== 0)
    throw limit("sizeBytes", `${fmt(sizeBytes)} is not a whole number of ${SWAP_PAGE}-byte pages`, SWAP_PAGE);
  if (opts.label !== undefined && typeof opts.label !== "string") throw typeError("label", "a string");
  if (opts.label !== undefined && new TextEncoder().encode(opts.label).length > SWAP_LABEL_MAX) {
    throw limit("label", `"${String(opts.label)}" is longer than ${SWAP_LABEL_MAX} bytes`, SWAP_LABEL_MAX);
  }
  if (opts.uuid !== undefined && checkBytes("uuid", opts.uuid).length !== 16)
    throw limit("uuid", `${opts.uuid.length} bytes, a UUID has 16`, 16);
  return coreMakeSwap({
    sizeBytes,
    label: opts.label,
    uuid: opts.uuid ?? derivedUuid("swap-uuid", [String(sizeBytes), opts.label ?? ""]),
  });
}

/** A swap area's header read back. */
export interface SwapInfo {
  /** Usable pages after the header page (mkswap's last_page). */
  lastPage: number;
  uuid: Uint8Array;
  label: string;
}

/** Reads the version-1 header of a swap area ("SWAPSPACE2" at the end of the first page). */
export function readSwap(image: Uint8Array): SwapInfo {
  checkBytes("image", image);
  const { lastPage, uuid, label } = atImage(() => coreReadSwap(image));
  return { lastPage, uuid, label };
}
