// A small, general wrapper around v86 that runs in Node and in the browser alike: every input is
// bytes or a path handed in by the caller (no Node imports here), every output is text.
//
//   const m = await startMachine({ fda, memoryMB: 64, bios, vgaBios, wasmPath });
//   m.onSerial((text) => ...);         // COM1 output, in chunks
//   await m.waitForSerial(/A:\\>/, 30_000);
//   m.sendSerial("dir\r");             // COM1 input (LRDOS reads COM1 like the keyboard)
//   m.sendKeys("dir\n");               // or type on the keyboard
//   m.screenRows();                    // VGA text rows
//   await m.stop();
//
// Direct Linux boot (no DOS): pass bzimage, initrd and cmdline. v86 puts the initrd at 64 MiB,
// so memoryMB must exceed 64 plus the initrd's size (v86 throws "offset is out of bounds").

import { V86 } from "v86";
import { Listeners, SerialListeners, type Engine } from "./engine.ts";
import { v86NetDevice } from "./net.ts";
import { chordScancodes, CTRL_ALT_DEL } from "./keys.ts";

export interface MachineOptions {
  /** Floppy image for drive A: (BIOS 00h). v86 works on a copy unless `copy` is false. */
  fda?: Uint8Array;
  /** Hard disk image (BIOS 80h). v86 works on a copy unless `copy` is false. */
  hda?: Uint8Array;
  /**
   * false: v86 works on the caller's own buffers (the guest's writes land in them) instead of a
   * copy of each, for a caller that does not need the images again: one copy of a 2 GiB disk in
   * memory, not two. An image that is only part of its ArrayBuffer (v86 takes whole buffers) is
   * still copied. Default true, for callers that reuse the images (the page's reset).
   */
  copy?: boolean;
  memoryMB: number;
  /** SeaBIOS image (Debian: /usr/share/seabios/bios.bin). */
  bios: Uint8Array;
  /** VGA BIOS image (Debian: /usr/share/seabios/vgabios-stdvga.bin). */
  vgaBios: Uint8Array;
  /** Where v86.wasm is: a file path in Node, a URL in the page. */
  wasmPath?: string;
  /** The bytes of v86.wasm, instead of wasmPath. */
  wasm?: Uint8Array;
  /** Boot Linux directly. */
  bzimage?: Uint8Array;
  initrd?: Uint8Array;
  cmdline?: string;
  /** "floppy" (default when fda is given) or "hd"; ignored for a direct Linux boot. No CD-ROM: nothing here takes a CD image. */
  boot?: "floppy" | "hd";
  /** An element holding v86's <div> and <canvas> (browser only). */
  screenContainer?: unknown;
  /** Milliseconds to wait for v86 to start (default 30 s). */
  startTimeoutMs?: number;
  /**
   * For measuring only (`npm run bench -- --v86-jit`): v86's JIT settings, [index, value] pairs
   * for its set_jit_config (0 JIT off, 1 pages per module, 2 loop safety, 3 extra basic blocks).
   * Loop safety off (2=0) makes a guest that spins inside compiled code hang this thread for good.
   */
  jitConfig?: [number, number][];
  /** A virtio network card on v86's fetch backend (emulator/net.ts). */
  net?: boolean;
}

/** Engine's screenRows (the VGA text rows, [] once stopped) and sendKeys (the PS/2 keyboard, "\n" presses Enter, 8 keys every 60 ms) are its screen and keyboard; sendSerial types on COM1. */
export interface Machine extends Engine {
  /** Every byte COM1 has printed so far. */
  serialText(): string;
  /** Resolves with the serial text once it matches `pattern`; rejects after `timeoutMs`. */
  waitForSerial(pattern: RegExp | string, timeoutMs: number): Promise<string>;
  /** The whole machine's state (v86's save_state: memory, devices, the disks' contents). */
  saveState(): Promise<ArrayBuffer>;
  /** Puts the machine into a state saveState gave (same v86, same memory size). */
  restoreState(state: ArrayBuffer): Promise<void>;
  /** The underlying V86 instance, for anything this wrapper does not cover. */
  readonly emulator: V86;
}

// v86's BootOrder: one nibble per device, lowest first (1 floppy, 2 hard disk, 3 CD).
const KEYS_PER_BURST = 8;
const BURST_INTERVAL_MS = 60;

const BOOT_ORDER = { floppy: 0x321, hd: 0x132 } as const;

/**
 * Guest instructions counted as a millisecond of run time. v86 runs about 200 M a second in hot
 * loops (a spinning guest) and 16 M where code runs once (measured, images/kernel/NOTES.md): a
 * spin counts faster than the clock, so a stuck guest is still stopped at the limit.
 */
export const V86_INSTRUCTIONS_PER_MS = 50_000;

export async function startMachine(opts: MachineOptions): Promise<Machine> {
  const buf = (a: Uint8Array) => a.slice().buffer as ArrayBuffer;
  const own = (a: Uint8Array) =>
    opts.copy === false && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength
      ? a.buffer
      : buf(a);
  const boot = opts.boot ?? (opts.fda ? "floppy" : "hd");
  const config: Record<string, unknown> = {
    memory_size: opts.memoryMB * 1024 * 1024,
    vga_memory_size: 8 * 1024 * 1024,
    bios: { buffer: buf(opts.bios) },
    vga_bios: { buffer: buf(opts.vgaBios) },
    autostart: true,
    disable_speaker: true,
    disable_mouse: true,
    disable_keyboard: false,
    boot_order: BOOT_ORDER[boot],
  };
  if (opts.wasmPath) config.wasm_path = opts.wasmPath;
  // v86's wasm reports a Rust panic ("Unimplemented: #GP handler") through console_log_from_wasm
  // just before it traps with "unreachable": keep the last such message to name the crash.
  let wasmMessage = "";
  if (opts.wasm) {
    const bytes = opts.wasm;
    config.wasm_fn = async (imports: WebAssembly.Imports) => {
      const env = imports.env as Record<string, unknown> | undefined;
      const log = env?.console_log_from_wasm;
      if (env && typeof log === "function") {
        // v86's own function decodes the message and prints it; keep what it prints (the crash
        // report carries it) instead of letting it reach the console as a stray line.
        env.console_log_from_wasm = (...args: unknown[]) => {
          const orig = console.error;
          console.error = (...m: unknown[]) => {
            wasmMessage = m.map(String).join(" ").trim();
          };
          try {
            return (log as (...a: unknown[]) => unknown)(...args);
          } finally {
            console.error = orig;
          }
        };
      }
      return (
        (await WebAssembly.instantiate(bytes as BufferSource, imports)) as WebAssembly.WebAssemblyInstantiatedSource
      ).instance.exports;
    };
  }
  if (opts.fda) config.fda = { buffer: own(opts.fda) };
  // v86 writes the guest's disk writes into this very buffer (its SyncBuffer), so it is the current disk.
  const hdaBuffer = opts.hda ? own(opts.hda) : undefined;
  if (hdaBuffer) config.hda = { buffer: hdaBuffer };
  if (opts.bzimage) config.bzimage = { buffer: buf(opts.bzimage) };
  if (opts.initrd) config.initrd = { buffer: buf(opts.initrd) };
  if (opts.cmdline !== undefined) config.cmdline = opts.cmdline;
  if (opts.screenContainer) config.screen_container = opts.screenContainer;
  const net = v86NetDevice(opts.net);
  if (net) config.net_device = net;

  const emulator = new V86(config as unknown as ConstructorParameters<typeof V86>[0]);
  let serial = "";
  const listeners = new SerialListeners();
  const waiters: (() => void)[] = [];
  emulator.add_listener("serial0-output-byte", (byte: number) => {
    const ch = String.fromCharCode(byte);
    serial += ch;
    listeners.emit(ch);
    for (const w of waiters.slice()) w();
  });
  let stopped = false;
  // v86 tells each character written to the text screen; one call back per run of its loop (a
  // microtask runs once the loop's slice returns), not one per character.
  const screenListeners = new Listeners<void>();
  let screenQueued = false;
  emulator.add_listener("screen-put-char", () => {
    if (screenQueued || !screenListeners.size) return;
    screenQueued = true;
    queueMicrotask(() => {
      screenQueued = false;
      if (!stopped) screenListeners.emit();
    });
  });
  // A panic inside v86 (a CPU feature it does not implement) throws out of its main loop, where
  // nobody could catch it: the process died with a raw stack, the page with an uncaught
  // "unreachable". Wrap the loop's tick so the crash ends this machine and is reported.
  let crash: string | undefined;
  const crashListeners: ((m: string) => void)[] = [];
  const catchCrashes = () => {
    const inner = (
      emulator as unknown as {
        v86?: { do_tick: () => void; running: boolean; stopping: boolean; bus: { send: (e: string) => void } };
      }
    ).v86;
    if (!inner || (inner as { __looproot?: boolean }).__looproot) return;
    (inner as { __looproot?: boolean }).__looproot = true;
    const tick = inner.do_tick.bind(inner);
    inner.do_tick = () => {
      try {
        tick();
      } catch (e) {
        if (crash !== undefined) return;
        const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        crash = `v86 stopped with an internal error: ${wasmMessage ? wasmMessage.replace(/\s+/g, " ") + " (" + err + ")" : err}`;
        // The loop is dead: tell v86 so, so that stop() and destroy() do not wait for it.
        inner.running = false;
        inner.stopping = false;
        inner.bus.send("emulator-stopped");
        for (const cb of crashListeners) cb(crash);
      }
    };
  };
  await new Promise<void>((resolve, reject) => {
    const ms = opts.startTimeoutMs ?? 30_000;
    const t = setTimeout(
      () => reject(new Error(`v86 did not start within ${ms} ms (wasm at ${opts.wasmPath ?? "(bytes)"}?)`)),
      ms,
    );
    emulator.add_listener("emulator-started", () => {
      clearTimeout(t);
      // v86 sends emulator-started before its first tick: settings made here apply to all code it compiles.
      if (opts.jitConfig?.length) {
        const set = (
          emulator as unknown as {
            v86?: { cpu?: { wm?: { exports?: { set_jit_config?: (i: number, v: number) => void } } } };
          }
        ).v86?.cpu?.wm?.exports?.set_jit_config;
        // A measurement of a setting v86 did not take would be a measurement of its defaults.
        if (!set) {
          void Promise.resolve(emulator.destroy()).catch(() => {});
          return reject(new Error("jitConfig: this v86 has no set_jit_config"));
        }
        for (const [i, v] of opts.jitConfig) set(i, v);
      }
      catchCrashes();
      resolve();
    });
  });

  // The guest's disk writes, counted where v86's IDE disk takes them (its buffer's set): a watcher of
  // the disk compares it only when the count moved. restore_state puts a new buffer there, so the
  // buffer is looked up on each call and a new one counts as a write (the disk may be another).
  let diskWriteCount = 0;
  let countedBuffer: object | undefined;
  const diskWrites = (): number => {
    type Counted = { set: (start: number, data: Uint8Array, done: () => void) => void };
    const live = (
      emulator as unknown as { v86?: { cpu?: { devices?: { ide?: { primary?: { master?: { buffer?: Counted } } } } } } }
    ).v86?.cpu?.devices?.ide?.primary?.master?.buffer;
    if (live && live !== countedBuffer && typeof live.set === "function") {
      const set = live.set;
      live.set = function (this: Counted, start, data, done) {
        diskWriteCount++;
        set.call(this, start, data, done);
      };
      countedBuffer = live;
      diskWriteCount++;
    }
    return diskWriteCount;
  };
  if (hdaBuffer) diskWrites();

  const screenRows = (): string[] => {
    const adapter = (emulator as unknown as { screen_adapter?: { get_text_screen?: () => string[] } }).screen_adapter;
    return stopped || !adapter?.get_text_screen ? [] : adapter.get_text_screen();
  };
  // Typed text goes out a few keys at a time: the PS/2 controller hands every queued key to the
  // BIOS at once, and the BIOS keyboard buffer holds only 15 keys.
  let typeQueue = "";
  let typeTimer: ReturnType<typeof setTimeout> | undefined;
  const typeMore = () => {
    typeTimer = undefined;
    if (stopped || !typeQueue) return;
    emulator.keyboard_send_text(typeQueue.slice(0, KEYS_PER_BURST));
    typeQueue = typeQueue.slice(KEYS_PER_BURST);
    if (typeQueue) typeTimer = setTimeout(typeMore, BURST_INTERVAL_MS);
  };
  const type = (text: string) => {
    if (stopped) return;
    typeQueue += text;
    if (!typeTimer) typeMore();
  };

  const matches = (pattern: RegExp | string) =>
    typeof pattern === "string" ? serial.includes(pattern) : pattern.test(serial);

  let instructions = 0,
    lastCounter = 0;
  return {
    name: "v86",
    emulator,
    onSerial: listeners.add,
    screenRows,
    onScreenChange: screenListeners.add,
    ranMs: () => {
      // The counter is 32 bits: read often enough (the harness polls every 100 ms), deltas add up.
      const now = emulator.get_instruction_counter() >>> 0;
      instructions += (now - lastCounter) >>> 0;
      lastCounter = now;
      return instructions / V86_INSTRUCTIONS_PER_MS;
    },
    onCrash: (cb) => {
      crashListeners.push(cb);
      if (crash !== undefined) cb(crash);
    },
    diskImage: () => {
      // After restore_state v86 holds the disk in a new buffer: read it where the IDE disk keeps it.
      const live = (
        emulator as unknown as {
          v86?: { cpu?: { devices?: { ide?: { primary?: { master?: { buffer?: { buffer?: unknown } } } } } } };
        }
      ).v86?.cpu?.devices?.ide?.primary?.master?.buffer?.buffer;
      if (live instanceof ArrayBuffer) return new Uint8Array(live);
      return hdaBuffer ? new Uint8Array(hdaBuffer) : undefined;
    },
    diskWrites: hdaBuffer ? diskWrites : undefined,
    saveState: () => emulator.save_state(),
    restoreState: (state) => emulator.restore_state(state),
    serialText: () => serial,
    sendSerial: (text) => {
      if (!stopped) emulator.serial0_send(text);
    },
    sendKeys: type,
    ctrlAltDel: () => {
      if (!stopped) emulator.keyboard_send_scancodes(chordScancodes(CTRL_ALT_DEL));
    },
    waitForSerial: (pattern, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        if (matches(pattern)) return resolve(serial);
        const check = () => {
          if (!matches(pattern)) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(serial);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(
              `serial: ${String(pattern)} not seen within ${timeoutMs} ms; last output:\n${serial.slice(-600)}`,
            ),
          );
        }, timeoutMs);
        waiters.push(check);
      }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (typeTimer) clearTimeout(typeTimer);
      await emulator.destroy();
    },
  };
}
