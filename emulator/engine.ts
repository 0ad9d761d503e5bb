// What the boot harness needs from an emulator, whichever one runs the machine: v86 in Node or
// in the page, or QEMU in Node. Keeps the milestone logic free of any one emulator's API.

import type { PcChoice } from "./pc.ts";

export interface Engine {
  readonly name: string;
  /** Text the guest writes to COM1. Returns a function that removes the listener, where the engine can. */
  onSerial(cb: (text: string) => void): void | (() => void);
  /** The VGA text screen's rows now ([] where the engine cannot show them, or once stopped). */
  screenRows(): string[];
  /**
   * Calls back soon after the guest changed the VGA text screen (once per burst of changes), where
   * the engine can tell; returns the function that removes the listener. Absent: the screen is polled.
   */
  onScreenChange?(cb: () => void): () => void;
  /** Sends text to COM1, the serial console's input (where Linux's console and LRDOS read). */
  sendSerial(text: string): void;
  /** Types text on the PS/2 keyboard, as a user at the screen would ("\n" presses Enter). */
  sendKeys(text: string): void;
  /**
   * Presses Ctrl-Alt-Del on the PC's keyboard: the kernel hands it to init, whose own action runs
   * (Debian's inits: a clean reboot). Absent where the engine has no keyboard to press it on.
   */
  ctrlAltDel?(): void;
  /**
   * Called once if the emulator itself dies (a v86 internal panic, QEMU exiting on its own): the
   * message names what happened. Not for the guest's own failures, which it prints.
   */
  onCrash?(cb: (message: string) => void): void;
  /** Stops the machine and frees what it holds; safe to call twice. */
  stop(): Promise<void>;
  /**
   * The hard disk as the guest has written it so far (a view, not a copy), where the engine keeps
   * the disk in memory (v86). Absent where the guest writes to a file itself (QEMU with diskFile).
   */
  diskImage?(): Uint8Array | undefined;
  /**
   * A count that grows with every write of the guest to diskImage (v86): while it stands still the
   * disk is as it was, so whoever watches the disk need not compare its bytes again.
   */
  diskWrites?(): number;
  /**
   * How long the machine's CPU has run so far, in milliseconds of a free host core, as far as the
   * engine can tell (v86: guest instructions at a rate it reaches on a free core; QEMU: its CPU
   * time). It grows slower than the clock on a starved host and barely while the guest halts, so
   * the harness can tell a stuck guest from a busy machine. Absent where the engine cannot tell.
   */
  ranMs?(): number;
}

export interface MachineImages {
  floppy: Uint8Array;
  disk?: Uint8Array;
  /** QEMU: boot this disk file itself, so that the guest's writes land in it (`--persist`). */
  diskFile?: string;
  memoryMiB: number;
  /** QEMU only: more command-line arguments after `pc`'s, for what no choice names (a test boots `-cpu 486,fpu=off`, a 486SX). */
  qemuArgs?: string[];
  /** A network card with the engine's own user-mode network (see emulator/net.ts); none when absent. */
  net?: boolean;
  /** QEMU and Bochs: the machine and CPU to emulate (their defaults where absent); v86 has one fixed PC. */
  pc?: PcChoice;
  bios: Uint8Array;
  vgaBios: Uint8Array;
}

/** Listeners of one engine's event: each added one gets every later event until removed. */
export class Listeners<T> {
  private readonly list: ((value: T) => void)[] = [];
  /** Adds a listener, returns the function that removes it (Engine.onSerial, Engine.onScreenChange). */
  readonly add = (cb: (value: T) => void): (() => void) => {
    this.list.push(cb);
    return () => {
      const i = this.list.indexOf(cb);
      if (i >= 0) this.list.splice(i, 1);
    };
  };
  get size(): number {
    return this.list.length;
  }
  emit(value: T): void {
    for (const cb of this.list.slice()) cb(value);
  }
}

/** The serial console's listeners of one engine. */
export class SerialListeners extends Listeners<string> {}
