// `looproot/emulator/node`: everything of `looproot/emulator`, with what needs Node: the package's
// guest binaries and firmware read from disk (so startMachine, bootAndWait and bootHowto need no
// firmware), v86.wasm found in node_modules, and QEMU or Bochs (processes) as bootHowto's engine.

import { join, resolve } from "node:path";
import {
  startMachine as anyStartMachine,
  type Machine,
  type BootMedia,
  type StartSettings,
  type Firmware,
  type BootOptions,
  type BootResult,
  type RunningBootResult,
  type HowtoImages,
  type WaitOptions,
  type WaitResult,
} from "./index.ts";
import { waitWith, howtoWith } from "./library.ts";
import { v86WasmPath } from "./v86-node.ts";
import { startMachine as coreStartMachine } from "./machine.ts";
import type { Engine } from "./engine.ts";
import type { PcChoice } from "./pc.ts";
import {
  loadIngredients as coreLoadIngredients,
  loadBios as coreLoadBios,
  lrdos as coreLrdos,
} from "../src/node/ingredients.ts";
import { packageRoot } from "../src/node/package.ts";
import { typeError } from "../src/errors.ts";
import type { PartialConfig } from "../src/index.ts";
import type { Ingredients, DosSystem } from "../src/ingredients.ts";

export * from "./index.ts";

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

/** The firmware looproot/emulator's functions take, where none is given: the package's SeaBIOS and node_modules' v86.wasm. */
function withFirmware<O extends Partial<Firmware>>(opts: O): O & Firmware {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
  const bios = opts.bios && opts.vgaBios ? { bios: opts.bios, vgaBios: opts.vgaBios } : loadBios();
  const wasm = opts.wasm ? { wasm: opts.wasm } : { wasmPath: opts.wasmPath ?? v86WasmPath() };
  return { ...opts, ...bios, ...wasm } as O & Firmware;
}

/** What startMachine takes in Node: looproot/emulator's options, the firmware optional (the package's own by default). */
export type NodeStartOptions = BootMedia & Partial<Firmware> & StartSettings;

/**
 * Starts a v86 PC in Node. `bios`, `vgaBios` and `wasmPath` default to the package's own; give a
 * floppy (`fda`), a hard disk (`hda`) or a direct Linux boot (`bzimage`, `initrd`, `cmdline`).
 */
export async function startMachine(opts: NodeStartOptions): Promise<Machine> {
  return anyStartMachine(withFirmware(opts) as Parameters<typeof anyStartMachine>[0]);
}

/**
 * Boots the images in v86 and waits until the serial console (COM1) shows `pattern`, or
 * `timeoutMs` passes; then stops the machine (unless `keep` is set and the pattern matched, in
 * which case `machine` is the running PC). The firmware defaults to the package's own.
 */
export async function bootAndWait(opts: NodeStartOptions & WaitOptions): Promise<WaitResult & { machine?: Machine }> {
  return waitWith(startMachine, opts);
}

/** The emulators bootHowto runs in Node: v86 (in this process), QEMU or Bochs (a child process each, killed with this one). */
export type EngineName = "v86" | "qemu" | "bochs";

/** What bootHowto takes in Node: the boot's options, the firmware optional, and the emulator. */
export type NodeBootOptions = BootOptions &
  Partial<Firmware> & {
    /** The emulator: "v86" (default), "qemu" (qemu-system-i386 on the PATH) or "bochs" (bochs on the PATH). */
    engine?: EngineName;
    /** QEMU and Bochs: the machine and CPU to emulate (their defaults where absent); v86 has one fixed PC. */
    pc?: PcChoice;
  };

/**
 * Boots a HOWTO build (its floppy and disk) and runs the HOWTO's own verification, as
 * looproot/emulator's bootHowto does, with the package's firmware unless given, in v86 or (with
 * `engine`) QEMU or Bochs. The machine is stopped at the end, unless `stopAtEnd: false` (v86
 * only): then it is returned as `machine` and the caller stops it (a running machine keeps
 * Node's process alive). `signal` aborts: the machine (or the emulator's process) stops and the
 * call rejects with E_ABORTED.
 */
export async function bootHowto(
  build: HowtoImages,
  config: PartialConfig,
  opts: NodeBootOptions & { stopAtEnd: false; engine?: "v86" },
): Promise<RunningBootResult>;
export async function bootHowto(
  build: HowtoImages,
  config?: PartialConfig,
  opts?: NodeBootOptions & { stopAtEnd?: true },
): Promise<BootResult>;
export async function bootHowto(
  build: HowtoImages,
  config: PartialConfig = {},
  opts: NodeBootOptions = {},
): Promise<BootResult | RunningBootResult> {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
  const engine = opts.engine ?? "v86";
  if (!["v86", "qemu", "bochs"].includes(engine)) throw typeError("engine", `"v86", "qemu" or "bochs"`);
  if (engine !== "v86" && opts.stopAtEnd === false)
    throw typeError("stopAtEnd", `true with engine "${engine}" (only v86 returns its running machine)`);
  const fw = withFirmware(opts);
  return howtoWith<Engine>(
    async (full) => {
      const images = {
        floppy: build.floppy,
        disk: build.disk,
        memoryMiB: full.machine.memoryMiB,
        bios: fw.bios,
        vgaBios: fw.vgaBios,
        ...(opts.pc ? { pc: opts.pc } : {}),
      };
      // Only loaded when asked for: they spawn processes, v86 needs none.
      if (engine === "qemu") return (await import("./qemu.ts")).startQemu(images);
      if (engine === "bochs") return (await import("./bochs.ts")).startBochs(images);
      return coreStartMachine({
        fda: build.floppy,
        hda: build.disk,
        memoryMB: full.machine.memoryMiB,
        boot: "floppy",
        bios: fw.bios,
        vgaBios: fw.vgaBios,
        wasm: fw.wasm,
        wasmPath: fw.wasmPath,
      });
    },
    build,
    config,
    opts,
  );
}
