// The settings a boot checks, read back from a floppy and a disk image alone: the LOADLIN line
// (or its params file) on the floppy and the C:\ directory that holds the root and swap files.
// The CLI's boot and shell use it when no build-info file is beside the images, and the page uses
// it to open images a user picks. Pure: bytes in, a config or a LooprootError out.

import { defaultConfig, type LooprootConfig } from "../config.ts";
import { readFat, fatChains, FLOPPY_BPB, ATTR_DIRECTORY, type FloppyKind, type FatVolume } from "../fs/fat/index.ts";
import { PARAMS_FILE, floppyName } from "./bootfloppy.ts";
import { WRAPPER_INIT } from "./rootdev.ts";
import { kernelFromDosPath } from "./kernel.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { checkDosPath, toDosName } from "../fs/fat/dosname.ts";
import { readMbr, FAT_PARTITION_TYPES } from "../fs/mbr.ts";
import { looksLikeSwap } from "../fs/swap.ts";
import { looksLikeExt2 } from "../fs/ext2/index.ts";

const KINDS = Object.entries(FLOPPY_BPB) as [FloppyKind, (typeof FLOPPY_BPB)[FloppyKind]][];

/** The partition types of a FAT partition DOS can read (FAT12, FAT16 < 32 MiB, FAT16, FAT16 LBA). */

/** How the two images are named in messages: the CLI's options, or the page's file names. */
export interface ImageNames {
  floppy: string;
  disk: string;
}

/** What the images say, beside the config: the facts a person checks before booting them. */
export interface ImagesRead {
  config: LooprootConfig;
  loadlinLine: string;
  /** The loop files the boot uses, as DOS paths (C:\LINUX\LINUXDSK.IMG). */
  rootFile: string;
  swapFile: string;
  partitionStart: number;
}

/**
 * Reads the settings a boot checks from the images, refusing (with the image's problem) a floppy
 * that is no boot floppy or a disk without an MBR, a FAT partition and the HOWTO's files.
 */
export function readImages(
  floppy: Uint8Array,
  disk: Uint8Array,
  names: ImageNames = { floppy: "--floppy", disk: "--disk" },
): ImagesRead {
  const bad = (which: keyof ImageNames, why: string) =>
    new LooprootError(ErrorCode.Image, `${names[which]}: ${why}`, { field: which });
  const c = defaultConfig();
  const kind = KINDS.find(([, b]) => b.totalSectors * 512 === floppy.length)?.[0];
  if (kind) c.floppy.kind = kind;

  // A boot floppy: a boot sector the BIOS will run, and a FAT the reader accepts.
  if (floppy.length < 512 || floppy[510] !== 0x55 || floppy[511] !== 0xaa)
    throw bad("floppy", "not a boot floppy: its first sector has no boot signature (55 AA)");
  const fl = fatOf(floppy, 0, (why) => bad("floppy", `not a boot floppy: ${why}`));
  const file = (name: string) =>
    fl.entries.find((e) => e.path.toUpperCase() === name.toUpperCase() && !(e.attributes & ATTR_DIRECTORY));
  const auto = file("AUTOEXEC.BAT");
  if (!auto) throw bad("floppy", "not a looproot boot floppy: it has no AUTOEXEC.BAT, so the LOADLIN line is unknown");
  const line = new TextDecoder()
    .decode(auto.data(4096))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /loadlin/i.test(l));
  if (!line) throw bad("floppy", "AUTOEXEC.BAT has no LOADLIN line");
  let words = line.split(/\s+/);
  c.boot.loadlinPath = words[0];
  if (words[1]?.startsWith("@")) {
    const par = file(floppyName(words[1].slice(1)));
    if (!par) throw bad("floppy", `AUTOEXEC.BAT names ${words[1]} but the floppy has no ${PARAMS_FILE}`);
    c.boot.paramsFile = true;
    words = new TextDecoder()
      .decode(par.data(65536))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
  } else {
    c.boot.paramsFile = false;
    words = words.slice(1);
  }
  const extra: string[] = [];
  let kernelSeen = false;
  c.boot.readOnly = false;
  for (const w of words) {
    if (!kernelSeen && !w.includes("=")) {
      c.boot.kernelPath = w;
      kernelSeen = true;
    } else if (w.startsWith("initrd=")) c.boot.initrdPath = w.slice(7);
    else if (w.startsWith("root=")) c.boot.root = w.slice(5);
    else if (w === "ro") c.boot.readOnly = true;
    else if (w === `init=${WRAPPER_INIT}`) c.root.source = "tar";
    else extra.push(w);
  }
  c.boot.extraArgs = extra.join(" ");
  // A kernel in a directory of C: is where the distribution kernel goes (src/howto/kernel.ts).
  const onDisk = kernelSeen ? kernelFromDosPath(c.boot.kernelPath) : undefined;
  // The kernel and initrd LOADLIN is told to load must be on the floppy (A:\ paths or bare names).
  for (const [what, p] of [
    ["kernel", kernelSeen ? c.boot.kernelPath : ""],
    ["initrd", c.boot.initrdPath],
  ] as const) {
    if (!p) throw bad("floppy", `the LOADLIN line names no ${what}`);
    const name = p.replace(/^[Aa]:/, "").replace(/^\\+/, "");
    if (!/^[Cc]:/.test(p) && !file(name))
      throw bad("floppy", `the LOADLIN line names the ${what} ${p}, which is not on the floppy`);
  }

  c.disk.sizeMiB = Math.floor(disk.length / 1048576);
  const { start, part } = dosPartition(disk, (why) => bad("disk", why));
  // The HOWTO's directory: the one holding an ext2 image (the root) and a swap area.
  const byDir = new Map<string, { root?: string; rootBytes?: number; swap?: string; swapBytes?: number }>();
  const partBad = (why: string) => bad("disk", `the FAT partition cannot be read: ${why}`);
  for (const e of part.entries) {
    if (e.attributes & ATTR_DIRECTORY || e.size < 8192) continue;
    const head = reworded(() => e.data(4096), partBad);
    const i = e.path.lastIndexOf("\\");
    const dir = i < 0 ? "" : e.path.slice(0, i),
      name = e.path.slice(i + 1);
    const d = byDir.get(dir) ?? {};
    if (looksLikeExt2(head)) {
      d.root = name;
      d.rootBytes = e.size;
    } else if (looksLikeSwap(head)) {
      d.swap = name;
      d.swapBytes = e.size;
    }
    byDir.set(dir, d);
  }
  const found = [...byDir].find(([, d]) => d.root && d.swap);
  if (!found) throw bad("disk", "no directory of C: holds both an ext2 root image and a swap area");
  const [dir, d] = found;
  c.dos.directory = dir;
  if (onDisk) {
    if (onDisk.directory.toUpperCase() !== dir.toUpperCase())
      throw bad(
        "disk",
        `the LOADLIN line names the kernel C:\\${onDisk.directory}\\${onDisk.kernelPath.slice(1)}, but the root and swap images are in C:\\${dir}`,
      );
    if (!part.entries.some((e) => e.path.toUpperCase() === `${dir}\\${onDisk.kernelPath.slice(1)}`.toUpperCase()))
      throw bad(
        "disk",
        `the LOADLIN line names the kernel C:\\${onDisk.directory}\\${onDisk.kernelPath.slice(1)}, which is not on the disk`,
      );
    c.boot.kernelPath = onDisk.kernelPath;
  }
  // "auto" when it says the same (a root tarball gets the distribution kernel), else the explicit choice.
  c.boot.kernel = (c.root.source === "tar") === Boolean(onDisk) ? "auto" : onDisk ? "distro" : "howto";
  c.dos.rootFile = d.root!;
  c.dos.swapFile = d.swap!;
  c.root.sizeMiB = d.rootBytes! / 1048576;
  c.swap.sizeMiB = d.swapBytes! / 1048576;
  checkLoopFilesIn({ start, part }, c, (why) => bad("disk", why));
  return {
    config: c,
    loadlinLine: line,
    rootFile: `C:\\${dir ? dir + "\\" : ""}${d.root}`,
    swapFile: `C:\\${dir ? dir + "\\" : ""}${d.swap}`,
    partitionStart: start,
  };
}

/** The MBR's first partition, which must be a FAT partition DOS reads, and its volume. */
function dosPartition(disk: Uint8Array, bad: (why: string) => LooprootError): { start: number; part: FatVolume } {
  const first = reworded(() => readMbr(disk), bad).partitions.find((p) => p.index === 1);
  const type = first?.type ?? 0;
  if (!first || !FAT_PARTITION_TYPES.has(type))
    throw bad(`the first partition is of type 0x${type.toString(16).padStart(2, "0")}, not a FAT partition DOS reads`);
  const { start } = first;
  return { start, part: fatOf(disk, start * 512, (why) => bad(`the FAT partition cannot be read: ${why}`)) };
}

/**
 * Before a boot: the root and swap files the config names are on the disk, and no file's cluster
 * chain is broken (looping, running short or into a free cluster) or shared with another file.
 * DOS and Linux read such a file without a word, so a damaged swap file would boot and verify.
 */
export function checkLoopFiles(
  disk: Uint8Array,
  config: LooprootConfig,
  names: ImageNames = { floppy: "--floppy", disk: "--disk" },
): void {
  const bad = (why: string) => new LooprootError(ErrorCode.Image, `${names.disk}: ${why}`, { field: "disk" });
  // A disk without the DOS partition the chain needs is refused too, before any work: DOS would
  // have no C: and /linuxrc nothing to mount (the harness still names that stage for a machine
  // booted without these checks, tests/boot/faults.test.ts).
  checkLoopFilesIn(dosPartition(disk, bad), config, bad);
}

function checkLoopFilesIn(
  { start, part }: { start: number; part: FatVolume },
  c: LooprootConfig,
  bad: (why: string) => LooprootError,
): void {
  reworded(
    () => fatChains({ volume: part, offset: start * 512 }),
    (why) => bad(`the FAT partition is damaged: ${why}`),
  );
  for (const [what, name] of [
    ["root image (/dev/loop0)", c.dos.rootFile],
    ["swap file (/dev/loop1)", c.dos.swapFile],
  ] as const) {
    // As the build names it (validation has checked the names): the directory's parts and the 8.3 name.
    const path = [...(c.dos.directory ? checkDosPath(c.dos.directory) : []), toDosName(name)].join("\\").toUpperCase();
    if (!part.entries.some((e) => e.path.toUpperCase() === path && !(e.attributes & ATTR_DIRECTORY)))
      throw bad(`C:\\${path}, the ${what}, is not on the disk`);
  }
}

/** The config alone (the CLI's fallback when no build-info file describes the images). */
export function configFromImages(floppy: Uint8Array, disk: Uint8Array, names?: ImageNames): LooprootConfig {
  return readImages(floppy, disk, names).config;
}

/** The FAT reader's complaint, reworded for the image it was read from; other errors stay bugs. */
function fatOf(image: Uint8Array, offset: number, bad: (why: string) => LooprootError): FatVolume {
  return reworded(() => readFat(image, offset), bad);
}
function reworded<T>(read: () => T, bad: (why: string) => LooprootError): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LooprootError && e.code === ErrorCode.Image) throw bad(e.message);
    throw e;
  }
}
