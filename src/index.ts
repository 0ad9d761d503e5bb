// `looproot`: the Loopback Root Filesystem HOWTO's section 3 as one call. Pure (no Node, no DOM):
// the caller hands in the guest binaries (in Node, loadIngredients() from looproot/emulator reads
// the package's own; in a page, ingredientsFrom() with fetch). Thin wrappers over src/build.ts.

import {
  buildImages as coreBuildImages,
  outputNames as coreOutputNames,
  type BuildResult as CoreBuildResult,
  type StepReport as CoreStepReport,
  type OutputFile as CoreOutputFile,
} from "./build.ts";
import {
  defaultConfig as coreDefaultConfig,
  mergeConfig,
  HOWTO_TIME as CORE_HOWTO_TIME,
  type LooprootConfig as CoreConfig,
  type InitrdConfig as CoreInitrdConfig,
  type DosConfig as CoreDosConfig,
  type RootConfig as CoreRootConfig,
  type SwapConfig as CoreSwapConfig,
  type DiskConfig as CoreDiskConfig,
  type FloppyConfig as CoreFloppyConfig,
  type BootConfig as CoreBootConfig,
  type MachineConfig as CoreMachineConfig,
} from "./config.ts";
import { validateConfig as coreValidateConfig, assertValid } from "./validate.ts";
import {
  ingredientsFromBytes as coreIngredientsFromBytes,
  INGREDIENT_FILES as CORE_FILES,
  type IngredientBytes,
  type Ingredients as CoreIngredients,
} from "./ingredients.ts";
import {
  LooprootError as CoreError,
  ErrorCode as CoreCode,
  asLooprootError as coreAsError,
  typeError,
  checkSignal,
  abortedError,
  type ErrorJSON as CoreErrorJSON,
  type Problem as CoreProblem,
  type AbortSignalLike as CoreAbortSignalLike,
} from "./errors.ts";

/** The one error type: `code` (an ErrorCode value), `field` and `limit` where there is one, `problems`, toJSON/fromJSON. */
export const LooprootError = CoreError;
/** An instance of LooprootError. */
export type LooprootError = CoreError;
/** Every error code looproot throws ("E_CONFIG", "E_DOS_NAME", "E_LIMIT", ...). */
export const ErrorCode = CoreCode;
/** The JSON form of a LooprootError (what `looproot boot --json` and the page's worker carry). */
export type ErrorJSON = CoreErrorJSON;
/** One problem with one field of the input. */
export type Problem = CoreProblem;
/** What the `signal` options take: an AbortSignal (the DOM's or Node's; only aborted, reason and its "abort" event are used). */
export type AbortSignalLike = CoreAbortSignalLike;
/** Any thrown value as a LooprootError: ours unchanged, anything else as E_BUG with its stack. */
export const asLooprootError: (e: unknown) => CoreError = coreAsError;

/** The whole build's settings; `defaultConfig()` is the HOWTO's own. */
export type LooprootConfig = CoreConfig;
/** config.initrd: the initial RAM disk's ext2 (3.3 of the HOWTO). */
export type InitrdConfig = CoreInitrdConfig;
/** config.dos: the DOS partition as Linux mounts it, and the C:\LINUX files (3.6). */
export type DosConfig = CoreDosConfig;
/** config.root: the root filesystem image LINUXDSK.IMG (3.4). */
export type RootConfig = CoreRootConfig;
/** config.swap: the swap image LINUXSWP.IMG (3.5). */
export type SwapConfig = CoreSwapConfig;
/** config.disk: the IDE disk holding the DOS partition. */
export type DiskConfig = CoreDiskConfig;
/** config.floppy: the DOS boot floppy (3.7). */
export type FloppyConfig = CoreFloppyConfig;
/** config.boot: the AUTOEXEC.BAT line that runs LOADLIN, and the kernel command line (3.7). */
export type BootConfig = CoreBootConfig;
/** config.machine: the emulated PC. */
export type MachineConfig = CoreMachineConfig;
/** A config with any keys left out, at the top level or inside a section (what makeConfig and buildHowto take). */
export type PartialConfig = {
  [K in keyof CoreConfig]?: CoreConfig[K] extends object ? Partial<CoreConfig[K]> : CoreConfig[K];
};
/** The guest binaries a build needs (kernel, busyboxes and their applet lists, LOADLIN, a DOS). */
export type Ingredients = CoreIngredients;
/** Everything a build makes: the images, the scripts, the trees, the step reports and the output files. */
export type BuildResult = CoreBuildResult;
/** One step of the build as the progress callback sees it. */
export type StepReport = CoreStepReport;
/** One output file (floppy.img, disk.img, ...) with its name, bytes and description. */
export type OutputFile = CoreOutputFile;

/** 1998-06-03 08:47 UTC, the HOWTO's date: every time stamp in a default build. */
export const HOWTO_TIME: number = CORE_HOWTO_TIME;

/** Where each guest binary lives under the package's images/ folder (the keys of `ingredientsFrom`). */
export const INGREDIENT_FILES = CORE_FILES;

/** The HOWTO's config: the floppy, the root and swap images and the disk of section 3 (its values below). */
export function defaultConfig(): LooprootConfig {
  return coreDefaultConfig();
}

/**
 * A full config from a partial one (the JSON `looproot config` prints, any keys left out): the
 * defaults filled in, then checked. Throws one E_CONFIG error listing every problem.
 */
export function makeConfig(partial: PartialConfig = {}): LooprootConfig {
  const config = mergeConfig(coreDefaultConfig(), partial);
  assertValid(coreValidateConfig(config));
  return config;
}

/** Every problem with a config, each naming its field (empty when the config is valid). */
export function validateConfig(config: LooprootConfig): Problem[] {
  checkObject("config", config);
  return coreValidateConfig(config);
}

/** What buildHowto takes. */
export interface HowtoInput {
  /** A full or partial config; default the HOWTO's. */
  config?: PartialConfig;
  /** The guest binaries. */
  ingredients: Ingredients;
  /** A tar or tar.gz of the root filesystem, when config.root.source is "tar". */
  rootArchive?: Uint8Array;
  /** Called after each step with its time and size. */
  onStep?: (step: StepReport) => void;
  /**
   * Stops the build with E_ABORTED once it fires. The build runs without yielding (it is
   * synchronous), so the signal is read before it starts and after each step: a signal that
   * fired already, or one that `onStep` (or a worker's message handler between builds) fires.
   */
  signal?: AbortSignalLike;
}

/**
 * Builds section 3 of the HOWTO: the DOS boot floppy, the IDE disk whose FAT16 partition holds
 * C:\LINUX\LINUXDSK.IMG (the ext2 root) and LINUXSWP.IMG (swap), and the intermediate files.
 * Checks the whole config before building anything; the same input gives the same bytes.
 */
export function buildHowto(input: HowtoInput): BuildResult {
  checkObject("input", input);
  checkObject("ingredients", input.ingredients);
  if (input.rootArchive !== undefined && !(input.rootArchive instanceof Uint8Array))
    throw typeError("rootArchive", "a Uint8Array");
  if (input.onStep !== undefined && typeof input.onStep !== "function") throw typeError("onStep", "a function");
  const signal = checkSignal(input.signal);
  const config = makeConfig(input.config ?? {});
  if (signal?.aborted) throw abortedError(signal, "buildHowto");
  const onStep = input.onStep;
  return coreBuildImages({ config, ingredients: input.ingredients, rootArchive: input.rootArchive }, (step) => {
    onStep?.(step);
    if (signal?.aborted) throw abortedError(signal, `buildHowto (after step "${step.id}")`);
  });
}

/** The names of the files a build with this config writes (floppy.img, disk.img, ...). */
export function outputNames(config: LooprootConfig): string[] {
  checkObject("config", config);
  return coreOutputNames(config);
}

/**
 * The guest binaries read through `get`, which is given each INGREDIENT_FILES path (relative to
 * images/) and returns its bytes: `fetch` in a page, a file read anywhere else.
 */
export async function ingredientsFrom(get: (rel: string) => Promise<Uint8Array>): Promise<Ingredients> {
  if (typeof get !== "function") throw typeError("get", "a function (rel: string) => Promise<Uint8Array>");
  const names = Object.keys(CORE_FILES) as (keyof typeof CORE_FILES)[];
  const bytes = await Promise.all(
    names.map(async (k) => {
      const b = await get(CORE_FILES[k]);
      if (!(b instanceof Uint8Array)) throw typeError(`get("${CORE_FILES[k]}")`, "a Uint8Array");
      return b;
    }),
  );
  return coreIngredientsFromBytes(Object.fromEntries(names.map((k, i) => [k, bytes[i]])) as IngredientBytes);
}

function checkObject<T>(field: string, v: T): T {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw typeError(field, "an object");
  return v;
}
