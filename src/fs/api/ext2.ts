// looproot/fs: ext2 images written from a tree or a tar, and read back as a tree.

import { makeExt2 as coreMakeExt2, ext2Needs, type Ext2Options } from "../ext2/index.ts";
import { LABEL_MAX as EXT2_LABEL_MAX } from "../ext2/layout.ts";
import { readExt2 as coreReadExt2 } from "../ext2/index.ts";
import { fmt } from "../../util/fmt.ts";
import { LooprootError, ErrorCode, typeError } from "../../errors.ts";
import {
  limit,
  checkInt,
  checkBytes,
  checkObject,
  atFieldIfNone,
  asPublic,
  checkedTree,
  derivedUuid,
} from "./check.ts";
import { DEFAULT_TIME, type Tree, type TarLimits, readTar } from "./tree.ts";

/** makeExt2's contents given as a tree. */
export interface Ext2FromTree {
  /** The contents as plain data (see treeFromFiles, treeFromDirectory). */
  tree: Tree;
  tar?: never;
}

/** makeExt2's contents given as a tar archive. */
export interface Ext2FromTar {
  /** The contents as a tar archive, gzip'd or not (ustar, GNU and pax headers; checked with `tarLimits`). */
  tar: Uint8Array;
  /** Limits for reading `tar`; default TAR_LIMITS. */
  tarLimits?: TarLimits;
  tree?: never;
}

/** Options for makeExt2: the contents, as a tree or as a tar (exactly one), and mke2fs's settings. */
export type Ext2ImageOptions = (Ext2FromTree | Ext2FromTar) & Ext2Settings;

/** mke2fs's settings for makeExt2. */
export interface Ext2Settings {
  /** Image size in bytes; default: the smallest that holds the contents, plus `slackBytes`. */
  sizeBytes?: number;
  /** Free space added to the smallest size when sizeBytes is not given; default 256 KiB. */
  slackBytes?: number;
  /** mke2fs -b; default 1024. */
  blockSize?: 1024 | 2048 | 4096;
  /** mke2fs -i; default 4096. */
  bytesPerInode?: number;
  /** mke2fs -m; default 5. */
  reservedPercent?: number;
  /** mke2fs -L, at most 16 bytes. */
  label?: string;
  /** s_uuid (16 bytes); default: derived from the contents' paths and sizes. */
  uuid?: Uint8Array;
  /** Seconds since the epoch for the superblock and lost+found; default DEFAULT_TIME. */
  time?: number;
}

/** The largest ext2 image makeExt2 writes: one Uint8Array. */
const EXT2_MAX_BYTES = 2 ** 31 - 1;

/**
 * An ext2 image (what `mke2fs -t ext2` and copying the files in gives) from a tree or a tarball.
 * Exactly one of `tree` and `tar` must be given.
 */
export function makeExt2(opts: Ext2ImageOptions): Uint8Array {
  checkObject("opts", opts);
  if ((opts.tree === undefined) === (opts.tar === undefined))
    throw new LooprootError(ErrorCode.Type, "tree, tar: give exactly one of them", {
      field: opts.tree ? "tar" : "tree",
    });
  if (opts.label !== undefined && typeof opts.label !== "string") throw typeError("label", "a string");
  if (opts.label !== undefined && new TextEncoder().encode(opts.label).length > EXT2_LABEL_MAX) {
    throw limit("label", `"${String(opts.label)}" is longer than ${EXT2_LABEL_MAX} bytes`, EXT2_LABEL_MAX);
  }
  const tree =
    opts.tree !== undefined ? checkedTree("tree", opts.tree) : readTar(checkBytes("tar", opts.tar), opts.tarLimits);
  const time = opts.time === undefined ? DEFAULT_TIME : checkInt("time", opts.time, 0, 0x7fffffff);
  if (opts.uuid !== undefined && checkBytes("uuid", opts.uuid).length !== 16)
    throw limit("uuid", `${opts.uuid.length} bytes, a UUID has 16`, 16);
  const uuid =
    opts.uuid ??
    derivedUuid("ext2-uuid", [
      opts.label ?? "",
      ...tree.map((e) => `${e.path}:${e.kind}:${(e as { data?: Uint8Array }).data?.length ?? 0}`),
    ]);
  const settings: Omit<Ext2Options, "sizeBytes"> = {
    blockSize: opts.blockSize,
    bytesPerInode: opts.bytesPerInode,
    reservedPercent: opts.reservedPercent,
    label: opts.label,
    uuid,
    time,
  };
  let sizeBytes: number;
  if (opts.sizeBytes !== undefined) sizeBytes = checkInt("sizeBytes", opts.sizeBytes, 1, EXT2_MAX_BYTES);
  else {
    const slack =
      opts.slackBytes === undefined ? 256 * 1024 : checkInt("slackBytes", opts.slackBytes, 0, EXT2_MAX_BYTES);
    const block = opts.blockSize ?? 1024;
    sizeBytes = Math.ceil((ext2Needs(tree, settings).minBytes + slack) / block) * block;
    if (sizeBytes > EXT2_MAX_BYTES)
      throw limit(
        "sizeBytes",
        `the contents need ${fmt(sizeBytes)} bytes, more than the ${fmt(EXT2_MAX_BYTES)} of one image`,
        EXT2_MAX_BYTES,
      );
  }
  return coreMakeExt2(tree, { ...settings, sizeBytes });
}

/**
 * The contents of an ext2 image as a tree (files with their data, directories, links, devices),
 * read with bounded time and memory: at most `maxDataBytes` of file data (default 4 x the image
 * size plus 16 MiB); `offset` is where the filesystem starts in `image`.
 */
export function readExt2(image: Uint8Array, opts: { maxDataBytes?: number; offset?: number } = {}): Tree {
  checkBytes("image", image);
  checkObject("opts", opts);
  if (opts.offset !== undefined) checkInt("opts.offset", opts.offset, 0, Math.max(0, image.length - 1));
  if (opts.maxDataBytes !== undefined) checkInt("opts.maxDataBytes", opts.maxDataBytes, 0, Number.MAX_SAFE_INTEGER);
  return asPublic(atFieldIfNone("image", () => coreReadExt2(image, opts).tree));
}
