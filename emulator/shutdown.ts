// A clean shutdown of a booted guest: ask it to power off and wait until it says its disk is
// clean. The built-in root's shutdown script prints SHUTDOWN.done; a user's own root gets its own
// `poweroff`, and when that does not halt the machine, the same steps typed at the console. A
// root whose console shows a getty's login prompt cannot take a command without a password: it
// gets Ctrl-Alt-Del on the keyboard, which every init Debian ships turns into its own clean reboot
// (sysvinit's and OpenRC's inittab `ctrlaltdel` line, systemd's ctrl-alt-del.target, runit's
// /etc/runit/ctrlaltdel), and the machine is stopped at the kernel's restart line.

import type { LooprootConfig } from "../src/config.ts";
import { consoleShutdownCommand } from "../src/howto/rootdev.ts";
import { shutdownEnd } from "../src/howto/protocol.ts";
import type { Engine } from "./engine.ts";

/** The kernel's last words after reboot(2) for a power-off or a halt. */
export const KERNEL_HALTED = /reboot: (Power down|System halted)|System halted\./;
/** The kernel's last words before it resets the PC (reboot, Ctrl-Alt-Del): the machine must be stopped there. */
export const KERNEL_RESTARTING = /reboot: Restarting system/;
/** A getty's or login's prompt at the end of the console: no shell reads what is typed there. */
export const LOGIN_PROMPT = /(\blogin|Password): *$/;

export interface ShutdownResult {
  /**
   * "clean": the guest confirmed root read-only and the DOS partition clean; "unclean": it said
   * what it could not do; "halted": the guest's own shutdown halted it without our confirmation;
   * "timeout": it did not halt within the limit.
   */
  status: "clean" | "unclean" | "halted" | "timeout";
  /** From the request to the confirmation (or the halt). */
  ms: number;
  /** The line that decided, or the console's last line. */
  line: string;
  /** True when the console steps were typed because the guest's own poweroff did nothing. */
  typedSteps: boolean;
  /** True when Ctrl-Alt-Del was pressed because the console showed a login prompt. */
  pressedCtrlAltDel?: boolean;
}

export interface ShutdownOptions {
  timeoutMs?: number;
  /**
   * How long the console may stay silent after a user's own poweroff before the steps are typed
   * at it: silence, not the time since the request, since a root's shutdown that is still printing
   * must not get commands typed into it meanwhile; default 60 s (Debian's OpenRC, loaded host:
   * 30-50 s without a line after "Deactivating swap").
   */
  ownShutdownMs?: number;
  /** Wait for the kernel's halt line after the confirmation (default 5 s; 0 skips it). */
  haltWaitMs?: number;
  /** false: the command was already given (a user typed poweroff); only wait. */
  request?: boolean;
}

export async function shutdownGuest(
  engine: Engine,
  config: LooprootConfig,
  opts: ShutdownOptions = {},
): Promise<ShutdownResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const t0 = Date.now();
  let text = "";
  let pressed = false;
  let heardAt = Date.now();
  const off = engine.onSerial((t) => {
    text += t;
    heardAt = Date.now();
    // v86 resets the PC at once and boots it again, which would write to the disk being kept:
    // stopped right here, as the line arrives (QEMU's -no-reboot ends it by itself).
    if (pressed && KERNEL_RESTARTING.test(text.slice(-200))) queueMicrotask(() => void engine.stop());
  });
  const builtIn = config.root.source !== "tar";
  let typedSteps = false;
  const asked = opts.request !== false;
  // Ctrl-U first: whatever half-typed line the shell holds is dropped, not run with ours.
  if (asked) engine.sendSerial("\x15poweroff\n");
  const lastLine = () => text.replace(/\r/g, "").trimEnd().split("\n").at(-1) ?? "";
  // Halted, or (after Ctrl-Alt-Del) about to reset the PC: either way the guest is done.
  const ended = (from: number) =>
    KERNEL_HALTED.exec(text.slice(from)) ?? (pressed ? KERNEL_RESTARTING.exec(text.slice(from)) : null);
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const now = Date.now() - t0;
      const said = shutdownEnd(text);
      const result = (status: ShutdownResult["status"], line: string): ShutdownResult => ({
        status,
        ms: now,
        line,
        typedSteps,
        ...(pressed ? { pressedCtrlAltDel: true } : {}),
      });
      if (said) {
        const haltWait = opts.haltWaitMs ?? 5_000;
        for (const t1 = Date.now(); haltWait > 0 && !ended(said.index) && Date.now() - t1 < haltWait;) {
          await new Promise((r) => setTimeout(r, 50));
        }
        return result(said.clean ? "clean" : "unclean", said.line);
      }
      const halted = ended(0);
      if (halted) return result("halted", halted[0]);
      // Our poweroff went to a getty or login (it asks for a password now): the keyboard's request instead.
      if (asked && !builtIn && !pressed && engine.ctrlAltDel && LOGIN_PROMPT.test(text.trimEnd() + " ")) {
        pressed = true;
        engine.ctrlAltDel();
      }
      if (!builtIn && !typedSteps && !pressed && Date.now() - heardAt > (opts.ownShutdownMs ?? 60_000)) {
        typedSteps = true;
        engine.sendSerial(consoleShutdownCommand(config) + "\n");
      }
      if (now > timeoutMs) return result("timeout", lastLine());
    }
  } finally {
    off?.();
  }
}
