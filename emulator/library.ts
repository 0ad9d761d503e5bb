// The work behind looproot/emulator's and looproot/emulator/node's boot functions, shared by both
// entries (each fills in its own way of starting a machine): the checks before a machine starts,
// the wait, the verdict, and stopping the machine on a failure or an abort.

import type { Machine } from "./machine.ts";
import { bootAndVerify, type BootOptions, type BootResult } from "./harness.ts";
import type { Engine } from "./engine.ts";
import { mergeConfig, defaultConfig, type LooprootConfig } from "../src/config.ts";
import { LooprootError, ErrorCode, typeError, checkSignal, abortedError } from "../src/errors.ts";
import { validateConfig, assertValid } from "../src/validate.ts";
import { checkLoopFiles } from "../src/howto/fromimages.ts";
import type { BuildResult } from "../src/build.ts";
import type { PartialConfig } from "../src/index.ts";
import type { WaitOptions, WaitResult } from "./index.ts";

type Firmware = { bios?: unknown; vgaBios?: unknown; wasm?: unknown; wasmPath?: unknown };

export function checkFirmware(opts: Firmware): void {
  if (!(opts.bios instanceof Uint8Array))
    throw typeError("bios", "a Uint8Array (SeaBIOS's bios.bin: looproot/images/debian/bios.bin)");
  if (!(opts.vgaBios instanceof Uint8Array))
    throw typeError("vgaBios", "a Uint8Array (looproot/images/debian/vgabios-stdvga.bin)");
  if (opts.wasm !== undefined ? !(opts.wasm instanceof Uint8Array) : typeof opts.wasmPath !== "string")
    throw typeError("wasm", "v86.wasm's bytes (a Uint8Array), or wasmPath: its URL or path");
}

/** bootAndWait on a given start function (the Node entry's fills in the firmware). */
export async function waitWith<O extends WaitOptions>(
  start: (o: O) => Promise<Machine>,
  opts: O,
): Promise<WaitResult & { machine?: Machine }> {
  if (typeof opts !== "object" || opts === null) throw typeError("opts", "an object");
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new LooprootError(ErrorCode.Limit, `timeoutMs: ${timeoutMs} is not a positive whole number`, {
      field: "timeoutMs",
    });
  const signal = checkSignal(opts.signal);
  if (signal?.aborted) throw abortedError(signal, "bootAndWait");
  const t0 = Date.now();
  const m = await start(opts);
  let matched = true;
  let onAbort = () => {};
  try {
    await Promise.race([
      m.waitForSerial(opts.pattern, timeoutMs),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(abortedError(signal!, "bootAndWait"));
        if (signal?.aborted) onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } catch (e) {
    if (e instanceof LooprootError && e.code === ErrorCode.Aborted) {
      await m.stop();
      throw e;
    }
    // waitForSerial rejects only on its time limit.
    matched = false;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  const result = { matched, serial: m.serialText(), screen: m.screenRows(), ms: Date.now() - t0 };
  if (opts.keep && matched) return { ...result, machine: m };
  await m.stop();
  return result;
}

/**
 * bootHowto on a given engine (the Node entry's: v86 with the package's firmware, QEMU, Bochs):
 * the config and the disk checked before the engine starts, the engine stopped on any failure.
 */
export async function howtoWith<E extends Engine>(
  start: (full: LooprootConfig) => Promise<E>,
  build: Pick<BuildResult, "floppy" | "disk">,
  config: PartialConfig,
  opts: BootOptions,
): Promise<BootResult & { machine?: E }> {
  if (
    typeof build !== "object" ||
    build === null ||
    !(build.floppy instanceof Uint8Array) ||
    !(build.disk instanceof Uint8Array)
  )
    throw typeError("build", "{ floppy, disk } (Uint8Arrays, as buildHowto gives)");
  const full: LooprootConfig = mergeConfig(defaultConfig(), config ?? {});
  // Build's own validation (field and limit) before the machine starts: the memory the result
  // reports is the memory the guest had, never a size v86 refused or rounded.
  assertValid(validateConfig(full));
  checkLoopFiles(build.disk, full, { floppy: "floppy", disk: "disk" });
  const signal = checkSignal(opts.signal);
  if (signal?.aborted) throw abortedError(signal, "bootHowto");
  const machine = await start(full);
  let result: BootResult;
  try {
    result = await bootAndVerify(machine, full, opts);
  } catch (e) {
    await machine.stop();
    throw e;
  }
  return opts.stopAtEnd === false ? { ...result, machine } : result;
}
