// HOWTO 3.5, "Creating the Swap Device": an empty file of the chosen size, then `mkswap`.

import type { LooprootConfig } from "../config.ts";
import { makeSwap } from "../fs/swap.ts";
import { derivedUuid } from "../ids.ts";

/** `into`: a zeroed window of swap.sizeMiB to write the area in (its clusters on the disk). */
export function makeSwapImage(config: LooprootConfig, into?: Uint8Array): Uint8Array {
  return makeSwap(
    { sizeBytes: config.swap.sizeMiB * 1024 * 1024, uuid: derivedUuid(config, "swap"), label: config.swap.label },
    into,
  );
}
