// Runs one command at the booted Linux shell on the serial console and gives back what it printed
// and its exit status, without what the console adds around it: the echo of the typed line, the
// end marker, carriage returns and ANSI escapes (busybox's line editing and colours).

import type { Engine } from "./engine.ts";
import { cleanLine } from "./milestones.ts";
import { LooprootError, ErrorCode } from "../src/errors.ts";

/** What a command printed on the serial console, and its exit status ($?). */
export interface ShellResult {
  output: string;
  status: number;
}

/**
 * Types `command` between a start and an end marker on one line. The markers are computed by the
 * shell ($((40+2)), $?), so the echo of the typed line (which the console may wrap anywhere)
 * never matches what they print.
 */
export async function shellCommand(engine: Engine, command: string, timeoutMs = 15_000): Promise<ShellResult> {
  if (
    typeof engine !== "object" ||
    engine === null ||
    typeof engine.onSerial !== "function" ||
    typeof engine.sendSerial !== "function"
  )
    throw new LooprootError(ErrorCode.Type, "machine: expected a running machine (bootHowto's with stopAtEnd: false)", {
      field: "machine",
    });
  if (typeof command !== "string" || command.includes("\n"))
    throw new LooprootError(ErrorCode.Type, "command: expected one line of shell", { field: "command" });
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new LooprootError(ErrorCode.Limit, `timeoutMs: ${timeoutMs} is not a positive whole number of milliseconds`, {
      field: "timeoutMs",
      limit: "1..",
    });
  const tag = `__LR${Math.floor(Math.random() * 1e9)}`;
  const begin = `${tag}_B42_`;
  const printed = new RegExp(`${tag}_(\\d+)_E42_`);
  let out = "";
  const off = engine.onSerial((t) => (out += t));
  engine.sendSerial(`echo "${tag}_B$((40+2))_"; ${command}; echo "${tag}_$?_E$((40+2))_"\n`);
  const t0 = Date.now();
  try {
    for (;;) {
      const m = printed.exec(out);
      if (m) {
        const b = out.indexOf(begin);
        const start = out.indexOf("\n", b) + 1;
        return { output: cleanLine(out.slice(start, m.index)), status: Number(m[1]) };
      }
      if (Date.now() - t0 > timeoutMs)
        throw new LooprootError(
          ErrorCode.Timeout,
          `shell: no answer to "${command}" within ${timeoutMs / 1000} s (got: ${cleanLine(out.slice(-200))})`,
          { field: "timeoutMs", limit: timeoutMs },
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    off?.();
  }
}
