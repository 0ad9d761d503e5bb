// What `build` made, for `boot`: the config it used (looproot-config.json beside the images) and,
// when that file is not there, the same facts read back from the images themselves.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../config.ts";
import type { BuildResult, OutputFile } from "../build.ts";
import { configFromImages } from "../howto/fromimages.ts";
import { utf8Text } from "./files.ts";
import { SET_MANIFEST } from "./outputs.ts";
import { validateConfig, ConfigError, type Problem } from "../validate.ts";

export const BUILD_INFO_FILE = "looproot-config.json";

export interface BuildInfo {
  looproot: "build-info";
  config: LooprootConfig;
  /** What the images hold, for a person reading the folder and for boot's sanity check. */
  summary: {
    floppy: { file: "floppy.img"; bytes: number; kind: string; autoexec: string };
    disk: {
      file: "disk.img";
      bytes: number;
      directory: string;
      root: { file: string; bytes: number; source: string; entries: number };
      swap: { file: string; bytes: number };
    };
  };
}

/** The build-info file for a finished build: one more output, written with the set. */
export function buildInfoFile(config: LooprootConfig, result: BuildResult): OutputFile {
  const info: BuildInfo = {
    looproot: "build-info",
    config,
    summary: {
      floppy: {
        file: "floppy.img",
        bytes: result.floppy.length,
        kind: config.floppy.kind,
        autoexec: result.texts.autoexecBat.trim(),
      },
      disk: {
        file: "disk.img",
        bytes: result.disk.length,
        directory: `C:\\${config.dos.directory}`,
        root: {
          file: config.dos.rootFile,
          bytes: result.root.length,
          source: config.root.source,
          entries: result.rootTree.length,
        },
        swap: { file: config.dos.swapFile, bytes: result.swap.length },
      },
    },
  };
  return {
    name: BUILD_INFO_FILE,
    data: new TextEncoder().encode(JSON.stringify(info, null, 2) + "\n"),
    description: "the config this build used and what the images hold (read by `looproot boot`)",
  };
}

export interface KnownBuild {
  config: LooprootConfig;
  /** Where the config came from, for the user: the file, or the images. */
  from: string;
  /** True when `config` was read from the images (their sizes are facts, not choices). */
  fromImages?: boolean;
}

/**
 * The config a boot uses goes through build's validation (field and limit, exit 2) before any
 * engine starts: the RAM it reports is then the RAM the machine gets. Read from the images, a
 * value is what the images hold (a root file of 24.5 MiB is no one's typo), so there only the
 * problems that --config and --set bring are refused.
 */
export function checkBootConfig(config: LooprootConfig, known: KnownBuild): void {
  const key = (p: Problem) => `${p.field}\n${p.message}`;
  const ofImages = known.fromImages ? new Set(validateConfig(known.config).map(key)) : new Set<string>();
  const problems = validateConfig(config).filter((p) => !ofImages.has(key(p)));
  if (problems.length) throw new ConfigError(problems, { nothing: "booted" });
}

/**
 * The config of the images being booted: the build-info file beside the disk (or the floppy) when
 * it describes images of these sizes, else what the images themselves say.
 */
export function knownBuild(floppyPath: string, diskPath: string, floppy: Uint8Array, disk: Uint8Array): KnownBuild {
  // A config file beside the images is read as UTF-8 or refused, never with its bytes replaced
  // (a Latin-1 name would become U+FFFD): the same rule as --config's.
  const text = (p: string) => utf8Text("config beside the images", p, new Uint8Array(readFileSync(p)));
  for (const dir of new Set([dirname(diskPath), dirname(floppyPath)])) {
    const p = join(dir, BUILD_INFO_FILE);
    if (!existsSync(p)) continue;
    if (statSync(p).size > 1_000_000) continue; // not ours
    const t = text(p);
    let info: BuildInfo;
    try {
      info = JSON.parse(t);
    } catch {
      continue;
    }
    if (
      info?.looproot !== "build-info" ||
      info.summary?.disk?.bytes !== disk.length ||
      info.summary?.floppy?.bytes !== floppy.length
    )
      continue;
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
    const t = text(p);
    try {
      const m = JSON.parse(t);
      const bytes = (name: string) =>
        (m?.files as { name: string; bytes: number }[] | undefined)?.find((f) => f.name === name)?.bytes;
      if (m?.tool !== "looproot" || bytes("disk.img") !== disk.length || bytes("floppy.img") !== floppy.length)
        continue;
      return { config: mergeConfig(defaultConfig(), m.config), from: p };
    } catch {
      continue;
    }
  }
  return {
    config: configFromImages(floppy, disk, { floppy: `--floppy ${floppyPath}`, disk: `--disk ${diskPath}` }),
    from: "the images (AUTOEXEC.BAT on the floppy, the files in C:\\ on the disk)",
    fromImages: true,
  };
}

/** Re-exported for the CLI's callers: the reading itself is the core's (src/howto/fromimages.ts). */
export { configFromImages };
