// `looproot/emulator`: boot images in v86 and watch the guest, or run the HOWTO's own verification,
// in a page and in Node alike (no Node built-in, no DOM needed: every input is bytes or a URL the
// caller hands in). Node's conveniences (the package's own images read from disk, QEMU and Bochs)
// are `looproot/emulator/node`. Thin wrappers over machine.ts, harness.ts and shell.ts.

import {
  startMachine as coreStartMachine,
  type Machine as CoreMachine,
  type MachineOptions as CoreMachineOptions,
} from "./machine.ts";
import { shellCommand as coreShellCommand, type ShellResult as CoreShellResult } from "./shell.ts";
import {
  type BootOptions as CoreBootOptions,
  type BootResult as CoreBootResult,
  type HarnessEvent as CoreHarnessEvent,
} from "./harness.ts";
import {
  MILESTONES as CORE_MILESTONES,
  type MilestoneEvent as CoreMilestoneEvent,
  type FailureEvent as CoreFailureEvent,
  type FailureId as CoreFailureId,
  type MilestoneId as CoreMilestoneId,
} from "./milestones.ts";
import type { Engine as CoreEngine } from "./engine.ts";
import { LooprootError, ErrorCode, typeError } from "../src/errors.ts";
import { checkFirmware, waitWith, howtoWith } from "./library.ts";
import type { PartialConfig, AbortSignalLike } from "../src/index.ts";
import type { BuildResult } from "../src/build.ts";

/** A running v86 PC: serial text and input (sendSerial), the screen (screenRows), the keyboard (sendKeys), waiting for serial output, stop(). */
export type Machine = CoreMachine;
/** What the harness needs of any emulator (v86 here; QEMU and Bochs in looproot/emulator/node): serial, screen, keyboard, stop(). */
export type Engine = CoreEngine;
/** Everything v86's PC takes (the core's options; startMachine fills in the memory and the boot order). */
export type MachineOptions = CoreMachineOptions;
/** Something to boot: a floppy (`fda`), a hard disk (`hda`) or a Linux kernel (`bzimage`); at least one. */
export type BootMedia =
  | { fda: Uint8Array; hda?: Uint8Array; bzimage?: Uint8Array }
  | { fda?: Uint8Array; hda: Uint8Array; bzimage?: Uint8Array }
  | { fda?: Uint8Array; hda?: Uint8Array; bzimage: Uint8Array };
/**
 * The PC's own binaries: SeaBIOS and its VGA BIOS (the package ships them as
 * `looproot/images/debian/bios.bin` and `looproot/images/debian/vgabios-stdvga.bin`), and v86's
 * wasm, as bytes or as a URL (a path in Node) v86 loads itself (`v86/build/v86.wasm`).
 */
export type Firmware = { bios: Uint8Array; vgaBios: Uint8Array } & (
  { wasm: Uint8Array; wasmPath?: undefined } | { wasmPath: string; wasm?: undefined }
);
/** What startMachine takes besides the media and the firmware. */
export type StartSettings = Omit<
  Partial<CoreMachineOptions>,
  "fda" | "hda" | "bzimage" | "boot" | "memoryMB" | "bios" | "vgaBios" | "wasm" | "wasmPath"
> & {
  /** Memory in MB, 4..2048; default 32. */
  memoryMB?: number;
  /** The drive the BIOS boots: "floppy" (default when fda is given) or "hd"; ignored for a direct Linux boot. */
  boot?: "floppy" | "hd";
};
/** What startMachine takes: something to boot, the firmware, and optionally the memory (default 32 MB), the boot order, a direct boot's initrd and command line, an element for the screen. */
export type StartOptions = BootMedia & Firmware & StartSettings;
/** A milestone of the boot chain the harness saw, with its time and the guest's line that proves it. */
export type MilestoneEvent = CoreMilestoneEvent;
/** Where a boot stopped and why (the stage, a title, the evidence). */
export type FailureEvent = CoreFailureEvent;
/** What ended a boot, as code keys it ("loadlin", "panic", "stalled", ...); the failure's title is its words. */
export type FailureId = CoreFailureId;
/** The boot chain's milestones, in order ("bios", "dos", ..., "init-ready"). */
export type MilestoneId = CoreMilestoneId;
/** Options for bootHowto: the time limit, the event callback, whether to stop at the end, an AbortSignal. */
export type BootOptions = CoreBootOptions;
/** The verdict of bootHowto: ok, the milestones reached, the guest's report and the checks, a summary. */
export type BootResult = CoreBootResult;
/** One event bootHowto reports while it runs (a milestone, a failure, a line, the verdict). */
export type HarnessEvent = CoreHarnessEvent;

/** The boot chain's milestones in order, each with its id and title (what the verdict's events name). */
export const MILESTONES: readonly { readonly id: MilestoneId; readonly title: string }[] = CORE_MILESTONES.map((m) => ({
  id: m.id,
  title: m.title,
}));

/**
 * Starts a v86 PC: a floppy (`fda`), a hard disk (`hda`) or a direct Linux boot (`bzimage`,
 * `initrd`, `cmdline`), with the firmware given (`looproot/emulator/node`'s startMachine reads
 * the package's own). In a page, `screenContainer` is an element holding a <div> and a <canvas>
 * for v86 to draw the screen in.
 */
export async function startMachine(opts: StartOptions): Promise<Machine> {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
  const memoryMB = opts.memoryMB ?? 32;
  if (!Number.isInteger(memoryMB) || memoryMB < 4 || memoryMB > 2048)
    throw new LooprootError(ErrorCode.Limit, `memoryMB: ${memoryMB} is not a whole number in 4..2048`, {
      field: "memoryMB",
      limit: "4..2048",
    });
  if (!opts.fda && !opts.hda && !opts.bzimage)
    throw new LooprootError(ErrorCode.Limit, "fda, hda, bzimage: give at least one thing to boot", { field: "fda" });
  checkFirmware(opts);
  return coreStartMachine({ ...opts, memoryMB });
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

/** What bootAndWait takes besides startMachine's options. */
export interface WaitOptions {
  /** What to wait for on COM1. */
  pattern: RegExp | string;
  /** Milliseconds; default 60 000. */
  timeoutMs?: number;
  /** Leave the machine running when the pattern matched (returned as `machine`). */
  keep?: boolean;
  /** Aborting stops the machine and rejects with E_ABORTED. */
  signal?: AbortSignalLike;
}

/**
 * Boots the images and waits until the serial console (COM1) shows `pattern`, or `timeoutMs`
 * passes; then stops the machine (unless `keep` is set and the pattern matched, in which case
 * `machine` is the running PC).
 */
export async function bootAndWait(opts: StartOptions & WaitOptions): Promise<WaitResult & { machine?: Machine }> {
  return waitWith(startMachine, opts);
}

/** What bootHowto gives back when it leaves the machine running (`stopAtEnd: false`): the verdict and the machine, which the caller stops. */
export interface RunningBootResult extends BootResult {
  /** The PC, still running (at the guest's shell when `ok`): call `machine.stop()` when done with it. */
  machine: Machine;
}

/** A HOWTO build's two images (what buildHowto gives; only these are booted). */
export type HowtoImages = Pick<BuildResult, "floppy" | "disk">;

/** What bootHowto takes in a page: the boot's options, the firmware, and where to draw the screen. */
export type HowtoBootOptions = BootOptions &
  Firmware & {
    /** An element holding a <div> and a <canvas> (v86's screen_container) to show the PC's screen in; none by default. */
    screen?: unknown;
  };

/**
 * Boots a HOWTO build (its floppy and disk) in v86 and runs the HOWTO's own verification: the
 * boot chain's milestones, then the guest's report checked against the config (root on
 * /dev/loop0, swap on /dev/loop1, the DOS partition readable). `config` is the one the build used.
 * The firmware comes in `opts` (in Node, `looproot/emulator/node`'s bootHowto reads the
 * package's own). The machine is stopped at the end, unless `stopAtEnd: false`: then it is
 * returned as `machine` and the caller stops it. `signal` aborts: the machine stops and the call
 * rejects with E_ABORTED.
 */
export async function bootHowto(
  build: HowtoImages,
  config: PartialConfig,
  opts: HowtoBootOptions & { stopAtEnd: false },
): Promise<RunningBootResult>;
export async function bootHowto(
  build: HowtoImages,
  config: PartialConfig,
  opts: HowtoBootOptions & { stopAtEnd?: true },
): Promise<BootResult>;
export async function bootHowto(
  build: HowtoImages,
  config: PartialConfig,
  opts: HowtoBootOptions,
): Promise<BootResult | RunningBootResult> {
  if (typeof opts !== "object" || opts === null)
    throw typeError("opts", "an object with bios, vgaBios and wasm or wasmPath");
  checkFirmware(opts);
  return howtoWith(
    (full) =>
      coreStartMachine({
        fda: build.floppy,
        hda: build.disk,
        memoryMB: full.machine.memoryMiB,
        boot: "floppy",
        bios: opts.bios,
        vgaBios: opts.vgaBios,
        wasm: opts.wasm,
        wasmPath: opts.wasmPath,
        screenContainer: opts.screen,
      }),
    build,
    config,
    opts,
  );
}

/** What a shell command printed (without the echo of the typed line, end marker, carriage returns or ANSI escapes) and its exit status. */
export type ShellResult = CoreShellResult;

/**
 * Types a one-line command at a booted Linux shell on the serial console (a machine from
 * `bootHowto(..., { stopAtEnd: false })`) and returns only what it printed, and its exit status.
 * Throws E_TIMEOUT when the shell does not finish within `timeoutMs`.
 */
export async function runShellCommand(machine: Engine, command: string, timeoutMs = 15_000): Promise<ShellResult> {
  return coreShellCommand(machine, command, timeoutMs);
}
