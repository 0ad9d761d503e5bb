// The HOWTO's section 3 as one pure function: config + guest binaries (+ the user's root tarball)
// -> every image and text file. Checks everything it can before it builds anything big, and
// reports each step's time and size to a progress callback.

import type { LooprootConfig } from "./config.ts";
import type { Ingredients } from "./ingredients.ts";
import type { Tree } from "./fs/tree.ts";
import { parseTar, DEFAULT_TAR_LIMITS } from "./fs/tar.ts";
import { gunzip } from "./fs/gzip.ts";
import { validateConfig, assertValid, fmt, guestFacts, type Problem } from "./validate.ts";
import { LooprootError, atField } from "./errors.ts";
import { initrdTree, initrdNeeds, makeInitrd, linuxrcScript } from "./howto/initrd.ts";
import { busyboxRootTree, userRootTree, rootNeeds, makeRootImage, fstab, rcScript, wrapperInit } from "./howto/rootdev.ts";
import { makeSwapImage } from "./howto/swapdev.ts";
import { diskSpace, makeHardDisk, diskLayout } from "./howto/dosdir.ts";
import { autoexecBat, loadlinParams, floppySpace, makeBootFloppy, type FloppyParts } from "./howto/bootfloppy.ts";

export type StepId = "check" | "initrd" | "floppy" | "root" | "swap" | "disk";

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
  root: Uint8Array;
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

/** Turns the user's archive into a tree, refusing anything larger than the root image could hold. */
export function rootTreeFromArchive(config: LooprootConfig, archive: Uint8Array): Tree {
  const cap = config.root.sizeMiB * 1048576;
  const gz = archive.length >= 2 && archive[0] === 0x1f && archive[1] === 0x8b;
  // The gunzip limit is what the image can hold, not a multiple of it: a bomb stops there.
  const tar = gz ? gunzip(archive, rootArchiveLimit(config)) : archive;
  return parseTar(tar, { ...DEFAULT_TAR_LIMITS, maxTotalBytes: cap });
}

/** rootTreeFromArchive with its problems placed at root.source (where the page shows them). */
export function parseRootArchive(config: LooprootConfig, archive: Uint8Array): Tree {
  try {
    return rootTreeFromArchive(config, archive);
  } catch (e) {
    if (e instanceof LooprootError) throw atField(e, "root.source");
    throw e;
  }
}

/** The names buildImages gives its files, known from the config alone (the CLI checks the folder before building). */
export function outputNames(config: LooprootConfig): string[] {
  return [
    "floppy.img", "disk.img", "initrd.img", "initrdgz.img", "linuxdsk.img", "linuxswp.img", "AUTOEXEC.BAT", "linuxrc", "fstab",
    config.root.source === "tar" ? "looproot-init" : "rcS",
    ...(config.boot.paramsFile ? ["LOADLIN.PAR"] : []),
  ];
}

/** All checks that need the trees but no images: config fields, then contents against sizes. */
export function planBuild(input: BuildInput): { initrd: Tree; root: Tree } {
  const { config, ingredients } = input;
  assertValid(validateConfig(config, guestFacts(ingredients)));
  const problems: Problem[] = [];
  let root: Tree;
  let rootMin: number;
  if (config.root.source === "tar") {
    if (!input.rootArchive && !input.rootTree) assertValid([{ field: "root.source", message: "is \"tar\" but no root tarball was given" }]);
    const tree = input.rootTree ?? parseRootArchive(config, input.rootArchive!);
    // The tarball's own problems (and the tree rules it breaks) are root.source's, so the page
    // shows them there; anything else thrown here is a bug and propagates as one.
    try {
      root = userRootTree(config, tree);
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
    problems.push({ field: "initrd.sizeKiB", message: `${fmt(config.initrd.sizeKiB)} KiB is too small for the initrd's contents: needs at least ${fmt(Math.ceil(initrdMin / 1024))} KiB` });
  }
  if (rootMin > config.root.sizeMiB * 1048576) {
    problems.push({ field: "root.sizeMiB", message: `${fmt(config.root.sizeMiB)} MiB is too small for the root's contents: needs at least ${fmt(Math.ceil(rootMin / 1048576))} MiB (${fmt(rootMin)} bytes)` });
  }
  const { space } = diskSpace(config, config.root.sizeMiB * 1048576, config.swap.sizeMiB * 1048576);
  if (space.freeBytes < 0) {
    problems.push({ field: "disk.sizeMiB", message: `the root and swap images need ${fmt(space.usedBytes)} bytes but the ${fmt(config.disk.sizeMiB)} MiB disk's partition holds ${fmt(space.totalDataBytes)} (${fmt(-space.freeBytes)} bytes over)` });
  }
  assertValid(problems);
  return { initrd, root };
}

export function buildImages(input: BuildInput, onStep: (s: StepReport) => void = () => {}): BuildResult {
  const { config, ingredients } = input;
  const steps: StepReport[] = [];
  const step = <T>(id: StepId, section: string, title: string, fn: () => T, bytes: (r: T) => number, detail: (r: T) => string): T => {
    const t0 = now();
    const r = fn();
    const s: StepReport = { id, section, title, ms: now() - t0, bytes: bytes(r), detail: detail(r) };
    steps.push(s);
    onStep(s);
    return r;
  };

  const plan = step("check", "3", "Check the choices", () => planBuild(input), () => 0, (p) => `${p.root.length} entries in the root, ${p.initrd.length} in the initrd`);
  const initrd = step("initrd", "3.3", "Initial ramdisk (mke2fs, gzip -9)", () => makeInitrd(config, plan.initrd), (r) => r.gz.length, (r) => `${fmt(r.image.length)} bytes ext2, ${fmt(r.gz.length)} bytes gzip'd`);

  const parts: FloppyParts = { kernel: ingredients.kernel, initrdGz: initrd.gz, loadlin: ingredients.loadlin, dos: ingredients.dos };
  const fspace = floppySpace(config, parts);
  if (fspace.freeBytes < 0) {
    assertValid([{ field: "floppy.kind", message: `the files need ${fmt(fspace.usedBytes)} bytes but a ${config.floppy.kind} floppy has ${fmt(fspace.totalDataBytes)} bytes free (${fmt(-fspace.freeBytes)} bytes over)` }]);
  }
  const floppy = step("floppy", "3.7", "Boot floppy (format a: /s, AUTOEXEC.BAT, LOADLIN, ZIMAGE, INITRDGZ.IMG)", () => makeBootFloppy(config, parts), (r) => r.length, () => `${fmt(fspace.freeBytes)} bytes free`);
  const root = step("root", "3.4", "Root device (LINUXDSK.IMG)", () => makeRootImage(config, plan.root), (r) => r.length, () => `${plan.root.length} entries`);
  const swap = step("swap", "3.5", "Swap device (LINUXSWP.IMG, mkswap)", () => makeSwapImage(config), (r) => r.length, (r) => `${fmt(r.length / 4096 - 1)} pages`);
  const layout = diskLayout(config);
  const disk = step("disk", "3.6", "DOS directory C:\\" + config.dos.directory + " on a FAT16 partition", () => makeHardDisk(config, root, swap), (r) => r.length, () => `partition type ${layout.partitionType.toString(16).padStart(2, "0")}h at sector ${layout.partitionStart}, CHS ${layout.geometry.cylinders}/${layout.geometry.heads}/${layout.geometry.sectorsPerTrack}`);

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
    { name: "linuxdsk.img", data: root, description: "the root filesystem (ext2), C:\\" + config.dos.directory + "\\" + config.dos.rootFile },
    { name: "linuxswp.img", data: swap, description: "the swap space, C:\\" + config.dos.directory + "\\" + config.dos.swapFile },
    { name: "AUTOEXEC.BAT", data: enc.encode(texts.autoexecBat), description: "the floppy's AUTOEXEC.BAT" },
    { name: "linuxrc", data: enc.encode(texts.linuxrc), description: "the initrd's /linuxrc" },
    { name: "fstab", data: enc.encode(texts.fstab), description: "the root's /etc/fstab" },
    { name: config.root.source === "tar" ? "looproot-init" : "rcS", data: enc.encode(texts.rc), description: "the root's rc script" },
  ];
  if (texts.loadlinParams) files.push({ name: "LOADLIN.PAR", data: enc.encode(texts.loadlinParams), description: "LOADLIN's @params file" });
  return { floppy, disk, initrd: initrd.image, initrdGz: initrd.gz, root, swap, texts, rootTree: plan.root, initrdTree: plan.initrd, floppyFreeBytes: fspace.freeBytes, steps, files };
}
