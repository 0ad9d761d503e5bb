// v86 as a boot engine in the page: the VGA screen drawn into a container of the page, the
// serial port as text for the harness and the console panel, the keyboard only while the screen
// has the focus (v86 otherwise takes every key press on the page, Tab and Enter included).

import { V86 } from "v86";
import type { Engine, MachineImages } from "./engine.ts";

export interface BrowserMachineOptions extends MachineImages {
  /** URL of v86.wasm on this origin. */
  wasmPath: string;
  /** An element holding a <div> (text mode) and a <canvas> (graphics modes), as v86 expects. */
  screen?: HTMLElement;
}

export interface BrowserEngine extends Engine {
  /** Lets key presses reach the guest (true while the screen has the focus). */
  setKeyboard(enabled: boolean): void;
  readonly emulator: V86;
}

/** Serial output arrives a byte at a time; hand it on in batches so the page redraws less often. */
const SERIAL_BATCH_MS = 25;

export async function startV86Browser(opts: BrowserMachineOptions): Promise<BrowserEngine> {
  // Copies: the guest writes to its disks, and the build's images stay as they were for downloads and reboots.
  const buf = (a: Uint8Array) => a.slice().buffer as ArrayBuffer;
  const emulator = new V86({
    wasm_path: opts.wasmPath,
    memory_size: opts.memoryMiB * 1024 * 1024,
    vga_memory_size: 8 * 1024 * 1024,
    bios: { buffer: buf(opts.bios) },
    vga_bios: { buffer: buf(opts.vgaBios) },
    fda: { buffer: buf(opts.floppy) },
    ...(opts.disk ? { hda: { buffer: buf(opts.disk) } } : {}),
    ...(opts.screen ? { screen_container: opts.screen } : {}),
    disable_mouse: true,
    disable_speaker: true,
    autostart: true,
  });
  const listeners: ((t: string) => void)[] = [];
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const t = pending;
    pending = "";
    if (t) for (const cb of listeners) cb(t);
  };
  emulator.add_listener("serial0-output-byte", (byte: number) => {
    pending += String.fromCharCode(byte);
    timer ??= setTimeout(flush, SERIAL_BATCH_MS);
  });
  let stopped = false;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`v86 did not start within 30 s (is ${opts.wasmPath} reachable?)`)), 30_000);
    emulator.add_listener("emulator-started", () => {
      clearTimeout(t);
      resolve();
    });
  });
  emulator.keyboard_set_enabled(false);
  return {
    name: "v86",
    emulator,
    onSerial: (cb) => listeners.push(cb),
    screenRows: () => {
      const adapter = (emulator as unknown as { screen_adapter?: { get_text_screen?: () => string[] } }).screen_adapter;
      return stopped || !adapter?.get_text_screen ? [] : adapter.get_text_screen();
    },
    sendSerial: (text) => {
      if (!stopped) emulator.serial0_send(text);
    },
    sendKeys: (text) => {
      if (!stopped) emulator.keyboard_send_text(text);
    },
    setKeyboard: (enabled) => {
      if (!stopped) emulator.keyboard_set_enabled(enabled);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      flush();
      await emulator.destroy();
    },
  };
}
