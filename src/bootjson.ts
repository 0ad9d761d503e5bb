// The JSON of one boot's verdict, as `looproot boot --json` prints it and as the page publishes it
// (src/app/contract.ts): one builder, so a user's test reads the same fields from either.

import type { BootResult } from "../emulator/harness.ts";
import type { ShutdownResult } from "../emulator/shutdown.ts";
import type { MachineJson } from "../emulator/pc.ts";

/** Everything of a BootResult but the raw lines (the guest's output stays out of the verdict). */
export function bootResultJson(
  result: BootResult,
  kept?: { shutdown: ShutdownResult; saveMs: number },
  machine?: MachineJson,
) {
  return {
    ok: result.ok,
    engine: result.engine,
    totalMs: result.totalMs,
    summary: result.summary,
    milestones: result.milestones,
    failure: result.failure,
    notSeen: result.notSeen,
    shell: result.shell,
    ...(result.initReady ? { initReady: result.initReady } : {}),
    ...(result.lastLines ? { lastLines: result.lastLines } : {}),
    checks: result.checks,
    report: result.report,
    ...(kept ? { shutdown: kept.shutdown, saveMs: kept.saveMs } : {}),
    ...(machine ? { machine } : {}),
  };
}

export type BootResultJson = ReturnType<typeof bootResultJson>;
