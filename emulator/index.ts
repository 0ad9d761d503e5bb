// `looproot/emulator`: boot images in v86 (Node) and wait for the guest, or run the HOWTO's own
// verification; and read the package's guest binaries (images/) from disk. Node only. Thin
// wrappers over machine.ts, harness.ts and src/node/ingredients.ts.

import { join, resolve } from "node:path";
import { startMachine as coreStartMachine, type Machine as CoreMachine, type MachineOptions as CoreMachineOptions } from "./machine.ts";
import { v86WasmPath } from "./v86-node.ts";
import { bootAndVerify as coreBootAndVerify, runShellCommand as coreRunShellCommand, type BootOptions as CoreBootOptions, type BootResult as CoreBootResult, type HarnessEvent as CoreHarnessEvent } from "./harness.ts";
import { loadIngredients as coreLoadIngredients, loadBios as coreLoadBios, lrdos as coreLrdos } from "../src/node/ingredients.ts";
import { packageRoot } from "../src/node/package.ts";
import { mergeConfig, defaultConfig, type LooprootConfig } from "../src/config.ts";
import { LooprootError, ErrorCode } from "../src/errors.ts";
import { validateConfig, assertValid } from "../src/validate.ts";
import { checkLoopFiles } from "../src/howto/fromimages.ts";
import type { Ingredients, DosSystem } from "../src/ingredients.ts";
import type { BuildResult } from "../src/build.ts";

/** A running v86 PC: serial and screen text, typing, waiting for serial output, stop(). */
export type Machine = CoreMachine;
/** What startMachine takes: the images, the memory, the BIOS, and optionally a direct Linux boot. */
export type MachineOptions = CoreMachineOptions;
/** Options for bootHowto: the time limit, the event callback, whether to stop at the end. */
export type BootOptions = CoreBootOptions;
/** The verdict of bootHowto: ok, the milestones reached, the guest's report and the checks, a summary. */
export type BootResult = CoreBootResult;
/** One event bootHowto reports while it runs (a milestone, a failure, a line, the verdict). */
export type HarnessEvent = CoreHarnessEvent;

/**
 * The package's images/ folder (the guest binaries), or the folder in LOOPROOT_IMAGES when set.
 * Every loader below takes another folder as its argument.
 */
export function imagesDir(): string {
  return process.env.LOOPROOT_IMAGES ? resolve(process.env.LOOPROOT_IMAGES) : join(packageRoot(), "images");
}

/** All the guest binaries a HOWTO build needs, read from `dir` (default imagesDir()). Throws E_INGREDIENTS naming each missing file. */
export function loadIngredients(dir: string = imagesDir()): Ingredients {
  return coreLoadIngredients(dir);
}

/** Our own DOS (LRDOS): boot sector, LRDOS.SYS and COMMAND.COM, for makeFatFloppy's `system`. */
export function lrdos(dir: string = imagesDir()): DosSystem {
  return coreLrdos(dir);
}

/** SeaBIOS and its VGA BIOS (Debian's seabios package, shipped in images/debian/). */
export function loadBios(dir: string = imagesDir()): { bios: Uint8Array; vgaBios: Uint8Array } {
  return coreLoadBios(dir);
}

/** The Linux 6.1 i386 bzImage the HOWTO's floppy boots (images/kernel/bzImage), for a direct boot. */
export function loadKernel(dir: string = imagesDir()): Uint8Array {
  return coreLoadIngredients(dir).kernel;
}

/** Where v86.wasm is in the installed v86 package. */
export function wasmPath(): string {
  return v86WasmPath();
}

/**
 * Starts a v86 PC in Node. `bios`, `vgaBios` and `wasmPath` default to the package's own; give a
 * floppy (`fda`), a hard disk (`hda`) or a direct Linux boot (`bzimage`, `initrd`, `cmdline`).
 */
export async function startMachine(opts: Partial<MachineOptions> & { memoryMB?: number }): Promise<Machine> {
  const memoryMB = opts.memoryMB ?? 32;
  if (!Number.isInteger(memoryMB) || memoryMB < 4 || memoryMB > 2048) throw new LooprootError(ErrorCode.Limit, `memoryMB: ${memoryMB} is not a whole number in 4..2048`, { field: "memoryMB", limit: "4..2048" });
  if (!opts.fda && !opts.hda && !opts.bzimage) throw new LooprootError(ErrorCode.Limit, "fda, hda, bzimage: give at least one thing to boot", { field: "fda" });
  const bios = opts.bios && opts.vgaBios ? { bios: opts.bios, vgaBios: opts.vgaBios } : loadBios();
  return coreStartMachine({ ...opts, ...bios, memoryMB, wasmPath: opts.wasm ? undefined : (opts.wasmPath ?? v86WasmPath()) });
}

/** What bootAndWait gives back. */
export interface WaitResult {
  /** True when `pattern` appeared on the serial console within the time limit. */
  matched: boolean;
  /** Every byte COM1 printed. */
  serial: string;
  /** The VGA text screen's rows at the end. */
  screen: string[];
  ms: number;
}

/**
 * Boots the images and waits until the serial console (COM1) shows `pattern`, or `timeoutMs`
 * passes; then stops the machine (unless `keep` is set and the pattern matched, in which case
 * `machine` is the running PC).
 */
export async function bootAndWait(opts: Partial<MachineOptions> & { memoryMB?: number; pattern: RegExp | string; timeoutMs?: number; keep?: boolean }): Promise<WaitResult & { machine?: Machine }> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new LooprootError(ErrorCode.Limit, `timeoutMs: ${timeoutMs} is not a positive whole number`, { field: "timeoutMs" });
  const t0 = Date.now();
  const m = await startMachine(opts);
  let matched = true;
  try {
    await m.waitForSerial(opts.pattern, timeoutMs);
  } catch {
    // waitForSerial rejects only on its time limit.
    matched = false;
  }
  const result = { matched, serial: m.serialText(), screen: m.screenText(), ms: Date.now() - t0 };
  if (opts.keep && matched) return { ...result, machine: m };
  await m.stop();
  return result;
}

/**
 * Boots a HOWTO build (its floppy and disk) in v86 and runs the HOWTO's own verification: the
 * boot chain's milestones, then the guest's report checked against the config (root on
 * /dev/loop0, swap on /dev/loop1, the DOS partition readable). `config` is the one the build used.
 */
export async function bootHowto(build: Pick<BuildResult, "floppy" | "disk">, config: unknown = {}, opts: BootOptions = {}): Promise<BootResult> {
  const full: LooprootConfig = mergeConfig(defaultConfig(), config);
  // Build's own validation (field and limit) before the machine starts: the memory the result
  // reports is the memory the guest had, never a size v86 refused or rounded.
  assertValid(validateConfig(full));
  checkLoopFiles(build.disk, full, { floppy: "floppy", disk: "disk" });
  const engine = await startMachine({ fda: build.floppy, hda: build.disk, memoryMB: full.machine.memoryMiB, boot: "floppy" });
  return coreBootAndVerify(engine, full, opts);
}

/** Types a command at a booted Linux shell on the serial console and returns what it printed. */
export async function runShellCommand(machine: Machine, command: string, timeoutMs = 15_000): Promise<string> {
  return coreRunShellCommand(machine, command, timeoutMs);
}
