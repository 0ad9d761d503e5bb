// `looproot/emulator`: boot images in v86 (Node) and wait for the guest, or run the HOWTO's own
// verification; and read the package's guest binaries (images/) from disk. Node only. Thin
// wrappers over machine.ts, harness.ts and src/node/ingredients.ts.

import { join, resolve } from "node:path";
import { startMachine as coreStartMachine, type Machine as CoreMachine, type MachineOptions as CoreMachineOptions } from "./machine.ts";
import { v86WasmPath } from "./v86-node.ts";
import { shellCommand as coreShellCommand, type ShellResult as CoreShellResult } from "./shell.ts";
import { bootAndVerify as coreBootAndVerify, type BootOptions as CoreBootOptions, type BootResult as CoreBootResult, type HarnessEvent as CoreHarnessEvent } from "./harness.ts";
import { loadIngredients as coreLoadIngredients, loadBios as coreLoadBios, lrdos as coreLrdos } from "../src/node/ingredients.ts";
import { packageRoot } from "../src/node/package.ts";
import { mergeConfig, defaultConfig, type LooprootConfig } from "../src/config.ts";
import { LooprootError, ErrorCode, typeError } from "../src/errors.ts";
import type { PartialConfig } from "../src/index.ts";
import type { MilestoneEvent as CoreMilestoneEvent, FailureEvent as CoreFailureEvent, FailureId as CoreFailureId, MilestoneId as CoreMilestoneId } from "./milestones.ts";
import { validateConfig, assertValid } from "../src/validate.ts";
import { checkLoopFiles } from "../src/howto/fromimages.ts";
import type { Ingredients, DosSystem } from "../src/ingredients.ts";
import type { BuildResult } from "../src/build.ts";

/** A running v86 PC: serial and screen text, typing, waiting for serial output, stop(). */
export type Machine = CoreMachine;
/** Everything v86's PC takes (the core's options; startMachine fills in the BIOS, memory and wasm). */
export type MachineOptions = CoreMachineOptions;
/** Something to boot: a floppy (`fda`), a hard disk (`hda`) or a Linux kernel (`bzimage`); at least one. */
export type BootMedia = { fda: Uint8Array; hda?: Uint8Array; bzimage?: Uint8Array } | { fda?: Uint8Array; hda: Uint8Array; bzimage?: Uint8Array } | { fda?: Uint8Array; hda?: Uint8Array; bzimage: Uint8Array };
/** What startMachine takes: something to boot, and optionally the memory (default 32 MB), the BIOS, the boot order, a direct boot's initrd and command line. */
export type StartOptions = BootMedia & Omit<Partial<CoreMachineOptions>, "fda" | "hda" | "bzimage" | "boot" | "memoryMB"> & {
  /** Memory in MB, 4..2048; default 32. */
  memoryMB?: number;
  /** The drive the BIOS boots: "floppy" (default when fda is given) or "hd"; ignored for a direct Linux boot. */
  boot?: "floppy" | "hd";
};
/** A milestone of the boot chain the harness saw, with its time and the guest's line that proves it. */
export type MilestoneEvent = CoreMilestoneEvent;
/** Where a boot stopped and why (the stage, a title, the evidence). */
export type FailureEvent = CoreFailureEvent;
/** What ended a boot, as code keys it ("loadlin", "panic", "stalled", ...); the failure's title is its words. */
export type FailureId = CoreFailureId;
/** The boot chain's milestones, in order ("bios", "dos", ..., "shell"). */
export type MilestoneId = CoreMilestoneId;
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
export async function startMachine(opts: StartOptions): Promise<Machine> {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
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
export async function bootAndWait(opts: StartOptions & { pattern: RegExp | string; timeoutMs?: number; keep?: boolean }): Promise<WaitResult & { machine?: Machine }> {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
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

/** What bootHowto gives back when it leaves the machine running (`stopAtEnd: false`): the verdict and the machine, which the caller stops. */
export interface RunningBootResult extends BootResult {
  /** The PC, still running (at the guest's shell when `ok`): call `machine.stop()` when done with it. */
  machine: Machine;
}

/**
 * Boots a HOWTO build (its floppy and disk) in v86 and runs the HOWTO's own verification: the
 * boot chain's milestones, then the guest's report checked against the config (root on
 * /dev/loop0, swap on /dev/loop1, the DOS partition readable). `config` is the one the build used.
 * The machine is stopped at the end, unless `stopAtEnd: false`: then it is returned as `machine`
 * and the caller stops it (a running machine keeps Node's process alive).
 */
export async function bootHowto(build: Pick<BuildResult, "floppy" | "disk">, config: PartialConfig, opts: BootOptions & { stopAtEnd: false }): Promise<RunningBootResult>;
export async function bootHowto(build: Pick<BuildResult, "floppy" | "disk">, config?: PartialConfig, opts?: BootOptions & { stopAtEnd?: true }): Promise<BootResult>;
export async function bootHowto(build: Pick<BuildResult, "floppy" | "disk">, config: PartialConfig = {}, opts: BootOptions = {}): Promise<BootResult | RunningBootResult> {
  const full: LooprootConfig = mergeConfig(defaultConfig(), config);
  // Build's own validation (field and limit) before the machine starts: the memory the result
  // reports is the memory the guest had, never a size v86 refused or rounded.
  assertValid(validateConfig(full));
  checkLoopFiles(build.disk, full, { floppy: "floppy", disk: "disk" });
  const machine = await startMachine({ fda: build.floppy, hda: build.disk, memoryMB: full.machine.memoryMiB, boot: "floppy" });
  let result: BootResult;
  try {
    result = await coreBootAndVerify(machine, full, opts);
  } catch (e) {
    await machine.stop();
    throw e;
  }
  return opts.stopAtEnd === false ? { ...result, machine } : result;
}

/** What a shell command printed (without the echo of the typed line, end marker, carriage returns or ANSI escapes) and its exit status. */
export type ShellResult = CoreShellResult;

/**
 * Types a one-line command at a booted Linux shell on the serial console (a machine from
 * `bootHowto(..., { stopAtEnd: false })`) and returns only what it printed, and its exit status.
 * Throws E_TIMEOUT when the shell does not finish within `timeoutMs`.
 */
export async function runShellCommand(machine: Machine, command: string, timeoutMs = 15_000): Promise<ShellResult> {
  return coreShellCommand(machine, command, timeoutMs);
}
