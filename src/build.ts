// The HOWTO's section 3 as one pure function: config + guest binaries (+ the user's root tarball)
// -> every image and text file. Checks everything it can before it builds anything big, and
// reports each step's time and size to a progress callback.

import type { LooprootConfig } from "./config.ts";
import { BUILD_STEPS, type StepId } from "./steps.ts";
import type { Ingredients } from "./ingredients.ts";
import type { Tree } from "./fs/tree.ts";
import { parseTar, DEFAULT_TAR_LIMITS } from "./fs/tar.ts";
import { gunzip, gunzipSize, isGzipLimit, isGzip } from "./fs/gzip.ts";
import {
  validateConfig,
  assertValid,
  fmt,
  guestFacts,
  memoryProblem,
  LIMITS,
  ConfigError,
  type Problem,
} from "./validate.ts";
import { kernelMemory } from "./howto/memory.ts";
import { chosenKernel, kernelFileOnDisk } from "./howto/kernel.ts";
import { LooprootError, ErrorCode, atField } from "./errors.ts";
import { initrdTree, initrdNeeds, makeInitrd, linuxrcScript } from "./howto/initrd.ts";
import {
  busyboxRootTree,
  userRootTree,
  addHowtoChanges,
  rootNeeds,
  makeRootImage,
  fstab,
  rcScript,
  wrapperInit,
} from "./howto/rootdev.ts";
import { makeSwapImage } from "./howto/swapdev.ts";
import { diskSpace, makeHardDisk, diskLayout, hardDiskWindows } from "./howto/dosdir.ts";
import { autoexecBat, loadlinParams, floppySpace, makeBootFloppy, type FloppyParts } from "./howto/bootfloppy.ts";

export { type StepId } from "./steps.ts";

export interface StepReport {
  id: StepId;
  /** The HOWTO section the step carries out. */
  section: string;
  title: string;
  ms: number;
  bytes: number;
  detail: string;
}

export interface OutputFile {
  /** File name for downloads and the CLI's --out folder. */
  name: string;
  data: Uint8Array;
  description: string;
}

export interface BuildResult {
  floppy: Uint8Array;
  disk: Uint8Array;
  initrd: Uint8Array;
  initrdGz: Uint8Array;
  /** LINUXDSK.IMG: a view of its clusters in `disk`, not a copy (a guest writing to `disk` changes it too). */
  root: Uint8Array;
  /** LINUXSWP.IMG: a view of its clusters in `disk`, not a copy. */
  swap: Uint8Array;
  texts: { autoexecBat: string; linuxrc: string; fstab: string; rc: string; loadlinParams?: string };
  rootTree: Tree;
  initrdTree: Tree;
  floppyFreeBytes: number;
  steps: StepReport[];
  files: OutputFile[];
}

export interface BuildInput {
  config: LooprootConfig;
  ingredients: Ingredients;
  /** A tar or tar.gz of the root filesystem, when config.root.source is "tar". */
  rootArchive?: Uint8Array;
  /** The same archive already parsed by parseRootArchive (the CLI does, so the packed bytes can go before the images are built). */
  rootTree?: Tree;
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** Tar bytes per entry beyond its data: a 512-byte header and up to a block of padding and long-name share. */
const TAR_ENTRY_OVERHEAD = 2048;
/** Typed arrays and Node's file reads stop at 2 GiB. */
const ARCHIVE_MAX = 2 ** 31 - 1;

/**
 * The largest tar the root image could hold: its data fits the image, and it has no more entries
 * than the image has inodes (one per ext2 inode ratio), each with its header and padding.
 */
export function rootArchiveLimit(config: LooprootConfig): number {
  const bytes = config.root.sizeMiB * 1048576;
  const entries = Math.min(DEFAULT_TAR_LIMITS.maxEntries, Math.ceil(bytes / config.root.bytesPerInode));
  return Math.min(ARCHIVE_MAX, bytes + entries * TAR_ENTRY_OVERHEAD + 2 * 512);
}

/** The archive as a tree, refusing anything larger than the root image could hold. */
function readRootArchive(config: LooprootConfig, archive: Uint8Array): Tree {
  const cap = config.root.sizeMiB * 1048576;
  const gz = isGzip(archive);
  // The gunzip limit is what the image can hold, not a multiple of it: a bomb stops there.
  const tar = gz ? gunzip(archive, rootArchiveLimit(config)) : archive;
  return parseTar(tar, { ...DEFAULT_TAR_LIMITS, maxTotalBytes: cap });
}

/**
 * What the archive unpacks to: a tar's own size, or a gzip's, counted by inflating the whole
 * stream with every member's CRC checked (output dropped, so a bomb costs time, not memory; past
 * 4 GiB, the bound of a 32-bit ISIZE, the count stops). A damaged stream throws its E_GZIP here,
 * before any size is hinted.
 */
function unpackedSize(archive: Uint8Array): number {
  const gz = isGzip(archive);
  if (!gz) return archive.length;
  try {
    return gunzipSize(archive, 2 ** 32);
  } catch (e) {
    if (isGzipLimit(e)) return 2 ** 32;
    throw e;
  }
}

/**
 * The largest root size tried when a tarball does not fit, to name the size it needs. Reading it
 * again costs memory; only as much as a small multiple of the root (a gzip bomb must not take
 * gigabytes for a better message): past that, the gzip trailer's claim is the hint.
 */
export function rootHintMiB(config: LooprootConfig): number {
  return Math.min(LIMITS.rootMiB[1], Math.max(4 * config.root.sizeMiB, 256));
}

/** The most of a root archive worth reading: enough to say which root size it needs. */
export function rootArchiveReadLimit(config: LooprootConfig): number {
  return rootArchiveLimit({ ...config, root: { ...config.root, sizeMiB: rootHintMiB(config) } });
}

/**
 * Turns the user's archive into a tree, refusing anything larger than the root image could hold.
 * When it does not fit, says which size would (see below for what that may cost).
 */
export function rootTreeFromArchive(config: LooprootConfig, archive: Uint8Array, wrapperBusybox?: Uint8Array): Tree {
  const MiB = 1024 * 1024;
  const cap = config.root.sizeMiB * MiB;
  try {
    return readRootArchive(config, archive);
  } catch (e) {
    // A damaged gzip (bad CRC, truncated, trailing garbage) is said as such: no size hint from
    // what its last four bytes happen to hold.
    if (e instanceof LooprootError && e.code === ErrorCode.Gzip && !isGzipLimit(e)) throw e;
    const claimed = unpackedSize(archive);
    if (claimed <= cap) throw e;
    const maxCap = rootHintMiB(config) * MiB;
    if (claimed > maxCap) {
      const about = Math.ceil((claimed * 1.05) / MiB);
      assertValid([
        {
          field: "root.sizeMiB",
          message: `${fmt(config.root.sizeMiB)} MiB is too small for the root tarball: it unpacks to ${fmt(claimed)} bytes, so set root.sizeMiB to at least about ${fmt(Math.min(about, LIMITS.rootMiB[1]))}${about > LIMITS.rootMiB[1] ? ` (the largest root is ${fmt(LIMITS.rootMiB[1])} MiB)` : ""}`,
        },
      ]);
    }
    let tree: Tree;
    try {
      tree = readRootArchive({ ...config, root: { ...config.root, sizeMiB: Math.floor(maxCap / MiB) } }, archive);
    } catch {
      throw e; // damaged as well as large, or it lied about its size: the first problem stands
    }
    // With the files looproot adds (the wrapper and its busybox, where the caller has it).
    const needMiB = Math.ceil(
      rootNeeds(config, addHowtoChanges(config, tree, wrapperBusybox ?? new Uint8Array(0))) / MiB,
    );
    const diskHint =
      config.root.sizeMiB < needMiB && needMiB + config.swap.sizeMiB + 2 > config.disk.sizeMiB
        ? ` (and disk.sizeMiB at least ${fmt(needMiB + config.swap.sizeMiB + 2)})`
        : "";
    assertValid([
      {
        field: "root.sizeMiB",
        message: `${fmt(config.root.sizeMiB)} MiB is too small for the root tarball (its files add up to more than ${fmt(cap)} bytes): set root.sizeMiB to at least ${fmt(needMiB)}${diskHint}`,
      },
    ]);
    throw e;
  }
}

/** rootTreeFromArchive with its problems placed at root.source (where the page shows them). */
export function parseRootArchive(config: LooprootConfig, archive: Uint8Array, wrapperBusybox?: Uint8Array): Tree {
  try {
    return rootTreeFromArchive(config, archive, wrapperBusybox);
  } catch (e) {
    if (e instanceof ConfigError) throw e; // already at its field (root.sizeMiB)
    if (e instanceof LooprootError) throw atField(e, "root.source");
    throw e;
  }
}

/** Every name a build of any config can write, in the order buildImages writes them. */
export const ALL_OUTPUT_NAMES: readonly string[] = [
  "floppy.img",
  "disk.img",
  "initrd.img",
  "initrdgz.img",
  "linuxdsk.img",
  "linuxswp.img",
  "AUTOEXEC.BAT",
  "linuxrc",
  "fstab",
  "rcS",
  "looproot-init",
  "LOADLIN.PAR",
];

/** The names buildImages gives its files, known from the config alone (the CLI checks the folder before building). */
export function outputNames(config: LooprootConfig): string[] {
  const tar = config.root.source === "tar";
  const skip = new Set([tar ? "rcS" : "looproot-init", ...(config.boot.paramsFile ? [] : ["LOADLIN.PAR"])]);
  return ALL_OUTPUT_NAMES.filter((n) => !skip.has(n));
}

/** All checks that need the trees but no images: config fields, then contents against sizes. */
export function planBuild(input: BuildInput): { initrd: Tree; root: Tree } {
  const { config, ingredients } = input;
  assertValid(validateConfig(config, guestFacts(ingredients)));
  const problems: Problem[] = [];
  let root: Tree;
  let rootMin: number;
  if (config.root.source === "tar") {
    if (!input.rootArchive && !input.rootTree)
      assertValid([{ field: "root.source", message: 'is "tar" but no root tarball was given' }]);
    const tree = input.rootTree ?? parseRootArchive(config, input.rootArchive!, ingredients.busyboxRoot);
    // The tarball's own problems (and the tree rules it breaks) are root.source's, so the page
    // shows them there; anything else thrown here is a bug and propagates as one.
    try {
      root = userRootTree(config, tree, ingredients.busyboxRoot);
      rootMin = rootNeeds(config, root);
    } catch (e) {
      if (e instanceof LooprootError) throw atField(e, "root.source");
      throw e;
    }
  } else {
    root = busyboxRootTree(config, ingredients);
    rootMin = rootNeeds(config, root);
  }
  const initrd = initrdTree(config, ingredients);
  const initrdMin = initrdNeeds(config, initrd);
  if (initrdMin > config.initrd.sizeKiB * 1024) {
    problems.push({
      field: "initrd.sizeKiB",
      message: `${fmt(config.initrd.sizeKiB)} KiB is too small for the initrd's contents: needs at least ${fmt(Math.ceil(initrdMin / 1024))} KiB`,
    });
  }
  if (rootMin > config.root.sizeMiB * 1048576) {
    problems.push({
      field: "root.sizeMiB",
      message: `${fmt(config.root.sizeMiB)} MiB is too small for the root's contents: needs at least ${fmt(Math.ceil(rootMin / 1048576))} MiB (${fmt(rootMin)} bytes)`,
    });
  }
  const { space } = diskSpace(
    config,
    config.root.sizeMiB * 1048576,
    config.swap.sizeMiB * 1048576,
    kernelFileOnDisk(config) ? chosenKernel(config, ingredients).length : 0,
  );
  if (space.freeBytes < 0) {
    problems.push({
      field: "disk.sizeMiB",
      message: `the root and swap images need ${fmt(space.usedBytes)} bytes but the ${fmt(config.disk.sizeMiB)} MiB disk's partition holds ${fmt(space.totalDataBytes)} (${fmt(-space.freeBytes)} bytes over)`,
    });
  }
  assertValid(problems);
  return { initrd, root };
}

export function buildImages(input: BuildInput, onStep: (s: StepReport) => void = () => {}): BuildResult {
  const { config, ingredients } = input;
  const steps: StepReport[] = [];
  const step = <T>(id: StepId, fn: () => T, bytes: (r: T) => number, detail: (r: T) => string): T => {
    const def = BUILD_STEPS.find((d) => d.id === id)!;
    const t0 = now();
    const r = fn();
    const s: StepReport = {
      id,
      section: def.section,
      title: def.long(config),
      ms: now() - t0,
      bytes: bytes(r),
      detail: detail(r),
    };
    steps.push(s);
    onStep(s);
    return r;
  };

  const plan = step(
    "check",
    () => planBuild(input),
    () => 0,
    (p) => `${p.root.length} entries in the root, ${p.initrd.length} in the initrd`,
  );
  const initrd = step(
    "initrd",
    () => makeInitrd(config, plan.initrd),
    (r) => r.gz.length,
    (r) => `${fmt(r.image.length)} bytes ext2, ${fmt(r.gz.length)} bytes gzip'd`,
  );

  // The RAM check again, now with the real kernel's header and the gzip'd initrd's size.
  const memory: Problem[] = [];
  const kernel = chosenKernel(config, ingredients);
  memoryProblem(
    config,
    (field, message, limit) => memory.push({ field, message, ...(limit !== undefined ? { limit } : {}) }),
    kernelMemory(kernel),
    initrd.gz.length,
  );
  assertValid(memory);
  const parts: FloppyParts = { kernel, initrdGz: initrd.gz, loadlin: ingredients.loadlin, dos: ingredients.dos };
  const fspace = floppySpace(config, parts);
  if (fspace.freeBytes < 0) {
    assertValid([
      {
        field: "floppy.kind",
        message: `the files need ${fmt(fspace.usedBytes)} bytes but a ${config.floppy.kind} floppy has ${fmt(fspace.totalDataBytes)} bytes free (${fmt(-fspace.freeBytes)} bytes over)`,
      },
    ]);
  }
  const floppy = step(
    "floppy",
    () => makeBootFloppy(config, parts),
    (r) => r.length,
    () => `${fmt(fspace.freeBytes)} bytes free`,
  );
  // The disk is allocated once and the root and swap images are written straight into their
  // clusters of its partition: one copy of each, and nothing zero-filled (a fresh array is zero).
  // root and swap (and BuildResult's) are views of the disk.
  const kernelOnDisk = kernelFileOnDisk(config) ? kernel : undefined;
  const windows = hardDiskWindows(
    config,
    config.root.sizeMiB * 1048576,
    config.swap.sizeMiB * 1048576,
    kernelOnDisk?.length,
  );
  const root = step(
    "root",
    () => makeRootImage(config, plan.root, windows.root),
    (r) => r.length,
    () => `${plan.root.length} entries`,
  );
  const swap = step(
    "swap",
    () => makeSwapImage(config, windows.swap),
    (r) => r.length,
    (r) => `${fmt(r.length / 4096 - 1)} pages`,
  );
  const layout = diskLayout(config);
  const disk = step(
    "disk",
    () => makeHardDisk(config, root, swap, windows, kernelOnDisk),
    (r) => r.length,
    () =>
      `partition type ${layout.partitionType.toString(16).padStart(2, "0")}h at sector ${layout.partitionStart}, CHS ${layout.geometry.cylinders}/${layout.geometry.heads}/${layout.geometry.sectorsPerTrack}`,
  );

  const enc = new TextEncoder();
  const texts = {
    autoexecBat: autoexecBat(config),
    linuxrc: linuxrcScript(config),
    fstab: fstab(config),
    rc: config.root.source === "tar" ? wrapperInit(config) : rcScript(config),
    ...(config.boot.paramsFile ? { loadlinParams: loadlinParams(config) } : {}),
  };
  const files: OutputFile[] = [
    { name: "floppy.img", data: floppy, description: `the ${config.floppy.kind} DOS boot floppy (A:)` },
    { name: "disk.img", data: disk, description: "the IDE hard disk with the DOS partition (C:)" },
    { name: "initrd.img", data: initrd.image, description: "the initial ramdisk (ext2)" },
    { name: "initrdgz.img", data: initrd.gz, description: "the initial ramdisk, gzip -9" },
    {
      name: "linuxdsk.img",
      data: root,
      description: "the root filesystem (ext2), C:\\" + config.dos.directory + "\\" + config.dos.rootFile,
    },
    {
      name: "linuxswp.img",
      data: swap,
      description: "the swap space, C:\\" + config.dos.directory + "\\" + config.dos.swapFile,
    },
    { name: "AUTOEXEC.BAT", data: enc.encode(texts.autoexecBat), description: "the floppy's AUTOEXEC.BAT" },
    { name: "linuxrc", data: enc.encode(texts.linuxrc), description: "the initrd's /linuxrc" },
    { name: "fstab", data: enc.encode(texts.fstab), description: "the root's /etc/fstab" },
    {
      name: config.root.source === "tar" ? "looproot-init" : "rcS",
      data: enc.encode(texts.rc),
      description: "the root's rc script",
    },
  ];
  if (texts.loadlinParams)
    files.push({ name: "LOADLIN.PAR", data: enc.encode(texts.loadlinParams), description: "LOADLIN's @params file" });
  return {
    floppy,
    disk,
    initrd: initrd.image,
    initrdGz: initrd.gz,
    root,
    swap,
    texts,
    rootTree: plan.root,
    initrdTree: plan.initrd,
    floppyFreeBytes: fspace.freeBytes,
    steps,
    files,
  };
}
