// v86 as a boot engine in the page, on the shared wrapper in machine.ts: the VGA screen drawn into
// a container of the page, the serial port as text for the harness and the console panel, and the
// keyboard only while the screen has the focus (v86 otherwise takes every key press on the page,
// Tab, Space and Enter on buttons included).

import type { V86 } from "v86";
import { SerialListeners, type Engine, type MachineImages } from "./engine.ts";
import { startMachine } from "./machine.ts";
import { sparseCopy } from "../src/util/pieces.ts";

/**
 * From this size the disk v86 works on is a sparse copy (only the non-zero pieces written): a
 * slice() of a 2 GiB disk touches all of its pages, 2 GiB more in the tab and seconds before the
 * guest runs. Smaller disks keep the plain copy every other boot uses.
 */
const SPARSE_COPY_FROM = 256 * 1048576;

export interface BrowserMachineOptions extends MachineImages {
  /** URL of v86.wasm on this origin. */
  wasmPath: string;
  /** An element holding a <div> (text mode) and a <canvas> (graphics modes), as v86 expects. */
  screen?: HTMLElement;
}

export interface BrowserEngine extends Engine {
  /** Lets key presses reach the guest (true while the screen has the focus). */
  setKeyboard(enabled: boolean): void;
  saveState(): Promise<ArrayBuffer>;
  restoreState(state: ArrayBuffer): Promise<void>;
  readonly emulator: V86;
}

/** Serial output arrives a byte at a time; hand it on in batches so the page redraws less often. */
const SERIAL_BATCH_MS = 25;

type Loop = { yield: (ms: number, tick: number) => void; yield_callback: (tick: number) => void };
type PostTask = (cb: () => void, opts: { delay: number }) => unknown;

/**
 * v86 0.5.462 yields between slices through a helper Worker's postMessage round trip (a hop to
 * another thread and back per slice, and timers clamped there) unless the page's URL holds
 * "use-scheduling-api"; measured, that cost the page about 2 s of a 7 s boot. Its main loop
 * instance is swapped to the same-thread path v86 has for that flag: scheduler.postTask, or a
 * MessageChannel where there is none. The worker stays (v86 terminates it on destroy).
 */
function fastYield(emulator: V86): void {
  const loop = (emulator as unknown as { v86?: Loop }).v86;
  if (!loop) return;
  const postTask = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler?.postTask;
  if (typeof postTask === "function") {
    const scheduler = (globalThis as unknown as { scheduler: { postTask: PostTask } }).scheduler;
    loop.yield = (ms, tick) => void scheduler.postTask(() => loop.yield_callback(tick), { delay: Math.max(0, ms) });
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = (e: MessageEvent<number>) => loop.yield_callback(e.data);
  loop.yield = (ms, tick) =>
    ms < 1 ? channel.port2.postMessage(tick) : void setTimeout(() => loop.yield_callback(tick), ms);
}

export async function startV86Browser(opts: BrowserMachineOptions): Promise<BrowserEngine> {
  const m = await startMachine({
    // Copies made here, so v86 takes them as they are: the page keeps the built images for a reset.
    fda: opts.floppy.slice(),
    hda: opts.disk && (opts.disk.length >= SPARSE_COPY_FROM ? sparseCopy(opts.disk) : opts.disk.slice()),
    copy: false,
    memoryMB: opts.memoryMiB,
    bios: opts.bios,
    vgaBios: opts.vgaBios,
    // Fetched here, not by v86, so that machine.ts sees v86's panic message if it crashes.
    wasm: new Uint8Array(await (await fetch(opts.wasmPath)).arrayBuffer()),
    screenContainer: opts.screen,
    boot: "floppy",
    net: opts.net,
  });
  m.emulator.keyboard_set_enabled(false);
  fastYield(m.emulator);
  const listeners = new SerialListeners();
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const t = pending;
    pending = "";
    if (t) listeners.emit(t);
  };
  m.onSerial((t) => {
    pending += t;
    timer ??= setTimeout(flush, SERIAL_BATCH_MS);
  });
  return {
    name: "v86",
    emulator: m.emulator,
    onSerial: listeners.add,
    screenRows: () => m.screenRows(),
    // The serial text written before a change of the screen goes out first: the kernel prints to both,
    // and a failure on the screen (VFS: Cannot open root device) must not overtake the serial line
    // that came before it (INITRD: Mount failed), still waiting in the batch.
    onScreenChange: (cb) =>
      m.onScreenChange!(() => {
        flush();
        cb();
      }),
    ranMs: () => m.ranMs!(),
    onCrash: (cb) => m.onCrash?.(cb),
    diskImage: () => m.diskImage?.(),
    diskWrites: m.diskWrites && (() => m.diskWrites!()),
    saveState: () => m.saveState(),
    restoreState: (state) => m.restoreState(state),
    sendSerial: (text) => m.sendSerial(text),
    sendKeys: (text) => m.sendKeys(text),
    ctrlAltDel: () => m.ctrlAltDel?.(),
    setKeyboard: (enabled) => {
      if (!stopped) m.emulator.keyboard_set_enabled(enabled);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      flush();
      await m.stop();
    },
  };
}
