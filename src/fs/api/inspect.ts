// looproot/fs: any image looproot writes, recognised and mapped.

import {
  inspect as coreInspect,
  type Inspection as CoreInspection,
  type Region as CoreRegion,
  type ImageKind as CoreImageKind,
} from "../views/maps.ts";
import { checkBytes, atFieldIfNone } from "./check.ts";

/** What inspectImage found: the image's kind, size and map (regions by HOWTO step), and its files where it has a FAT volume. */
export type ImageMap = CoreInspection;
/** One named stretch of an image (half-open byte range, the same in sectors or blocks, the HOWTO step that wrote it). */
export type Region = CoreRegion;
/** What an image is, recognised by its content: "disk", "fat", "ext2", "initrd-gz" or "swap". */
export type ImageKind = CoreImageKind;

/**
 * The map `looproot inspect` draws of any image looproot builds (a disk with its partition and
 * root image, a FAT floppy, an ext2 image, a gzip'd initrd, a swap area), recognised by content.
 * Throws E_IMAGE (field "image") for an image it cannot read.
 */
export function inspectImage(image: Uint8Array): ImageMap {
  return atFieldIfNone("image", () => coreInspect(checkBytes("image", image)));
}
