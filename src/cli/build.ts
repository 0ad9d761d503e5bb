// `looproot build`: the config and the ingredients from files, the pure build, the outputs
// written as a set.

import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LooprootConfig } from "../config.ts";
import { buildImages, outputNames, rootArchiveReadLimit, parseRootArchive, type BuildResult } from "../build.ts";
import { ConfigError, LIMITS, fmt } from "../validate.ts";
import type { Tree } from "../fs/tree.ts";
import { LooprootError } from "../errors.ts";
import { readInputFile, checkOutputFolder, outputWriteError } from "./files.ts";
import { writeOutputSet } from "./outputs.ts";
import { UsageError } from "./errors.ts";
import { loadIngredients, dosFromFloppyFile } from "../node/ingredients.ts";
import { buildInfoFile, BUILD_INFO_FILE } from "./buildinfo.ts";
import { loadConfig, type ParsedArgs } from "./args.ts";

/** The --rootfs tree; its packed bytes are garbage once parsed, so they are gone before the images are built. */
function readRootfs(args: ParsedArgs, config: LooprootConfig, wrapperBusybox: Uint8Array): Tree | undefined {
  const f = args.opts.get("--rootfs");
  if (!f) return undefined;
  // No larger than the unpacked tar a root could hold (a gzip is smaller still): the root of the
  // config, or the larger one tried to say which size the tarball needs.
  const limit = rootArchiveReadLimit(config);
  let bytes: Uint8Array;
  try {
    bytes = readInputFile("--rootfs", f, limit);
  } catch (e) {
    const size = e instanceof LooprootError && e.limit === limit ? statSync(f).size : 0;
    // A bigger root would help only below the largest root and the 2 GiB a file read can hold.
    if (size && config.root.sizeMiB < LIMITS.rootMiB[1] && size < 2 ** 31) {
      throw new ConfigError([
        {
          field: "root.sizeMiB",
          message: `${fmt(config.root.sizeMiB)} MiB is too small for the root tarball: ${f} alone is ${fmt(size)} bytes, so set root.sizeMiB to at least about ${fmt(Math.min(LIMITS.rootMiB[1], Math.ceil(size / 1048576)))} (more if it is compressed)`,
        },
      ]);
    }
    throw e;
  }
  return parseRootArchive(config, bytes, wrapperBusybox);
}

/** Writes the outputs as a set (see src/cli/outputs.ts): DIR/.partial first, the manifest last. */
export function writeOutputs(out: string, result: BuildResult, config: LooprootConfig): void {
  writeOutputSet(out, result.files, config);
}

export function runBuild(
  args: ParsedArgs,
  log: (s: string) => void,
): { result: BuildResult; out: string; config: LooprootConfig } {
  const out = args.opts.get("--out");
  if (!out) throw new UsageError("build needs --out DIR");
  const config = loadConfig(args);
  checkOutputFolder(out, [...outputNames(config), BUILD_INFO_FILE]);
  const dosFile = args.opts.get("--dos");
  const ingredients = dosFile ? { ...loadIngredients(), dos: dosFromFloppyFile(dosFile) } : loadIngredients();
  const rootTree = readRootfs(args, config, ingredients.busyboxRoot);
  const result = buildImages({ config, ingredients, rootTree }, (s) => {
    log(`  ${s.section.padEnd(4)} ${s.title.padEnd(72)} ${s.ms.toFixed(0).padStart(5)} ms  ${s.detail}`);
  });
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw outputWriteError(out, e);
  }
  writeOutputs(out, { ...result, files: [...result.files, buildInfoFile(config, result)] }, config);
  for (const f of result.files) log(`  wrote ${join(out, f.name)} (${fmt(f.data.length)} bytes): ${f.description}`);
  return { result, out, config };
}
