// A clean shutdown of a booted guest: ask it to power off and wait until it says its disk is
// clean. The built-in root's shutdown script prints SHUTDOWN.done; a user's own root gets its own
// `poweroff`, and when that does not halt the machine, the same steps typed at the console.

import type { LooprootConfig } from "../src/config.ts";
import { consoleShutdownCommand } from "../src/howto/rootdev.ts";
import { shutdownEnd } from "../src/howto/protocol.ts";
import type { Engine } from "./engine.ts";

/** The kernel's last words after reboot(2) for a power-off or a halt. */
export const KERNEL_HALTED = /reboot: (Power down|System halted)|System halted\./;

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
}

export interface ShutdownOptions {
  timeoutMs?: number;
  /** How long a user's own poweroff may take before the steps are typed at the console. */
  ownShutdownMs?: number;
  /** Wait for the kernel's halt line after the confirmation (default 5 s; 0 skips it). */
  haltWaitMs?: number;
  /** false: the command was already given (a user typed poweroff); only wait. */
  request?: boolean;
}

export async function shutdownGuest(engine: Engine, config: LooprootConfig, opts: ShutdownOptions = {}): Promise<ShutdownResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const t0 = Date.now();
  let text = "";
  const off = engine.onSerial((t) => (text += t));
  const builtIn = config.root.source !== "tar";
  let typedSteps = false;
  // Ctrl-U first: whatever half-typed line the shell holds is dropped, not run with ours.
  if (opts.request !== false) engine.sendSerial("\x15poweroff\n");
  const lastLine = () => text.replace(/\r/g, "").trimEnd().split("\n").at(-1) ?? "";
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const now = Date.now() - t0;
      const said = shutdownEnd(text);
      if (said) {
        const ms = now;
        const haltWait = opts.haltWaitMs ?? 5_000;
        for (const t1 = Date.now(); haltWait > 0 && !KERNEL_HALTED.test(text.slice(said.index)) && Date.now() - t1 < haltWait; ) {
          await new Promise((r) => setTimeout(r, 50));
        }
        return { status: said.clean ? "clean" : "unclean", ms, line: said.line, typedSteps };
      }
      const halted = KERNEL_HALTED.exec(text);
      if (halted) return { status: "halted", ms: now, line: halted[0], typedSteps };
      if (!builtIn && !typedSteps && now > (opts.ownShutdownMs ?? 30_000)) {
        typedSteps = true;
        engine.sendSerial(consoleShutdownCommand(config) + "\n");
      }
      if (now > timeoutMs) return { status: "timeout", ms: now, line: lastLine(), typedSteps };
    }
  } finally {
    off?.();
  }
}
