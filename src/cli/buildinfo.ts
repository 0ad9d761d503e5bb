// What `build` made, for `boot`: the config it used (looproot-config.json beside the images) and,
// when that file is not there, the same facts read back from the images themselves.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../config.ts";
import type { BuildResult, OutputFile } from "../build.ts";
import { readFat, FLOPPY_BPB, ATTR_DIRECTORY, type FloppyKind } from "../fs/fat.ts";
import { PARAMS_FILE, floppyName } from "../howto/bootfloppy.ts";
import { WRAPPER_INIT } from "../howto/rootdev.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { SET_MANIFEST } from "./outputs.ts";

export const BUILD_INFO_FILE = "looproot-config.json";

export interface BuildInfo {
  looproot: "build-info";
  config: LooprootConfig;
  /** What the images hold, for a person reading the folder and for boot's sanity check. */
  summary: {
    floppy: { file: "floppy.img"; bytes: number; kind: string; autoexec: string };
    disk: { file: "disk.img"; bytes: number; directory: string; root: { file: string; bytes: number; source: string; entries: number }; swap: { file: string; bytes: number } };
  };
}

/** The build-info file for a finished build: one more output, written with the set. */
export function buildInfoFile(config: LooprootConfig, result: BuildResult): OutputFile {
  const info: BuildInfo = {
    looproot: "build-info",
    config,
    summary: {
      floppy: { file: "floppy.img", bytes: result.floppy.length, kind: config.floppy.kind, autoexec: result.texts.autoexecBat.trim() },
      disk: {
        file: "disk.img",
        bytes: result.disk.length,
        directory: `C:\\${config.dos.directory}`,
        root: { file: config.dos.rootFile, bytes: result.root.length, source: config.root.source, entries: result.rootTree.length },
        swap: { file: config.dos.swapFile, bytes: result.swap.length },
      },
    },
  };
  return { name: BUILD_INFO_FILE, data: new TextEncoder().encode(JSON.stringify(info, null, 2) + "\n"), description: "the config this build used and what the images hold (read by `looproot boot`)" };
}

export interface KnownBuild {
  config: LooprootConfig;
  /** Where the config came from, for the user: the file, or the images. */
  from: string;
}

/**
 * The config of the images being booted: the build-info file beside the disk (or the floppy) when
 * it describes images of these sizes, else what the images themselves say.
 */
export function knownBuild(floppyPath: string, diskPath: string, floppy: Uint8Array, disk: Uint8Array): KnownBuild {
  for (const dir of new Set([dirname(diskPath), dirname(floppyPath)])) {
    const p = join(dir, BUILD_INFO_FILE);
    if (!existsSync(p)) continue;
    if (statSync(p).size > 1_000_000) continue; // not ours
    let info: BuildInfo;
    try {
      info = JSON.parse(readFileSync(p, "utf8"));
    } catch {
      continue;
    }
    if (info?.looproot !== "build-info" || info.summary?.disk?.bytes !== disk.length || info.summary?.floppy?.bytes !== floppy.length) continue;
    try {
      return { config: mergeConfig(defaultConfig(), info.config), from: p };
    } catch {
      continue;
    }
  }
  // The output set's manifest carries the config too (a folder from a build that wrote no build-info).
  for (const dir of new Set([dirname(diskPath), dirname(floppyPath)])) {
    const p = join(dir, SET_MANIFEST);
    if (!existsSync(p) || statSync(p).size > 1_000_000) continue;
    try {
      const m = JSON.parse(readFileSync(p, "utf8"));
      const bytes = (name: string) => (m?.files as { name: string; bytes: number }[] | undefined)?.find((f) => f.name === name)?.bytes;
      if (m?.tool !== "looproot" || bytes("disk.img") !== disk.length || bytes("floppy.img") !== floppy.length) continue;
      return { config: mergeConfig(defaultConfig(), m.config), from: p };
    } catch {
      continue;
    }
  }
  return { config: configFromImages(floppy, disk), from: "the images (AUTOEXEC.BAT on the floppy, the files in C:\\ on the disk)" };
}

const KINDS = Object.entries(FLOPPY_BPB) as [FloppyKind, (typeof FLOPPY_BPB)[FloppyKind]][];

/**
 * The settings a boot checks, read back from the images: the LOADLIN line (or its params file)
 * on the floppy, and the directory of C: that holds an ext2 image and a swap area.
 */
export function configFromImages(floppy: Uint8Array, disk: Uint8Array): LooprootConfig {
  const bad = (why: string) => new LooprootError(ErrorCode.Image, why);
  const c = defaultConfig();
  const kind = KINDS.find(([, b]) => b.totalSectors * 512 === floppy.length)?.[0];
  if (kind) c.floppy.kind = kind;

  const fl = readFat(floppy);
  const file = (name: string) => fl.entries.find((e) => e.path === name && !(e.attributes & ATTR_DIRECTORY));
  const auto = file("AUTOEXEC.BAT");
  if (!auto) throw bad("--floppy: no AUTOEXEC.BAT on the floppy, so the LOADLIN line is unknown");
  const line = new TextDecoder().decode(auto.data(4096)).split(/\r?\n/).map((l) => l.trim()).find((l) => /loadlin/i.test(l));
  if (!line) throw bad("--floppy: AUTOEXEC.BAT has no LOADLIN line");
  let words = line.split(/\s+/);
  c.boot.loadlinPath = words[0];
  if (words[1]?.startsWith("@")) {
    const par = file(floppyName(words[1].slice(1)));
    if (!par) throw bad(`--floppy: AUTOEXEC.BAT names ${words[1]} but the floppy has no ${PARAMS_FILE}`);
    c.boot.paramsFile = true;
    words = new TextDecoder().decode(par.data(65536)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  } else {
    c.boot.paramsFile = false;
    words = words.slice(1);
  }
  const extra: string[] = [];
  let kernelSeen = false;
  c.boot.readOnly = false;
  for (const w of words) {
    if (!kernelSeen && !w.includes("=")) { c.boot.kernelPath = w; kernelSeen = true; }
    else if (w.startsWith("initrd=")) c.boot.initrdPath = w.slice(7);
    else if (w.startsWith("root=")) c.boot.root = w.slice(5);
    else if (w === "ro") c.boot.readOnly = true;
    else if (w === `init=${WRAPPER_INIT}`) c.root.source = "tar";
    else extra.push(w);
  }
  c.boot.extraArgs = extra.join(" ");

  c.disk.sizeMiB = Math.floor(disk.length / 1048576);
  if (disk.length < 512 || disk[510] !== 0x55 || disk[511] !== 0xaa) throw bad("--disk: no MBR (55 AA) in the first sector");
  const start = new DataView(disk.buffer, disk.byteOffset + 446 + 8, 4).getUint32(0, true);
  const part = readFat(disk, start * 512);
  // The HOWTO's directory: the one holding an ext2 image (the root) and a swap area.
  const byDir = new Map<string, { root?: string; rootBytes?: number; swap?: string; swapBytes?: number }>();
  for (const e of part.entries) {
    if (e.attributes & ATTR_DIRECTORY || e.size < 8192) continue;
    const head = e.data(4096);
    const i = e.path.lastIndexOf("\\");
    const dir = i < 0 ? "" : e.path.slice(0, i), name = e.path.slice(i + 1);
    const d = byDir.get(dir) ?? {};
    if (head[1080] === 0x53 && head[1081] === 0xef) { d.root = name; d.rootBytes = e.size; }
    else if (new TextDecoder().decode(head.subarray(4086, 4096)) === "SWAPSPACE2") { d.swap = name; d.swapBytes = e.size; }
    byDir.set(dir, d);
  }
  const found = [...byDir].find(([, d]) => d.root && d.swap);
  if (!found) throw bad("--disk: no directory of C: holds both an ext2 root image and a swap area");
  const [dir, d] = found;
  c.dos.directory = dir;
  c.dos.rootFile = d.root!;
  c.dos.swapFile = d.swap!;
  c.root.sizeMiB = d.rootBytes! / 1048576;
  c.swap.sizeMiB = d.swapBytes! / 1048576;
  return c;
}
