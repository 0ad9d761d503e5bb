// What to do about a failed boot, from what the guest printed and the kernel arguments that booted
// it: for the causes the failure's title and stage alone cannot tell (an init= argument, a kernel
// that lacks what systemd needs, an init that ran and ended). Pure; the page's table (src/howto/hints.ts) covers
// the rest and takes this one first (the harness gives it as the failure's hint).

import type { LooprootConfig } from "../src/config.ts";
import { userInitArg } from "../src/howto/bootfloppy.ts";
import type { FailureEvent } from "./milestones.ts";

export interface VerdictHint {
  /** What probably went wrong and what to change. */
  sentence: string;
  /** The config's fields to look at, most likely first (only fields the config has: the page links them). */
  fields: string[];
}

const INIT_STAGES = new Set(["root-mounted", "old-root-moved", "init", "swap", "dos-readable", "loop-root", "init-ready"]);

/** The hint for a failure, when the guest's lines or the kernel arguments name its cause. */
export function verdictHint(failure: Pick<FailureEvent, "stage" | "title">, config: LooprootConfig, lines: string[]): VerdictHint | undefined {
  const text = lines.join("\n");
  const init = userInitArg(config);
  if (init && INIT_STAGES.has(failure.stage)) {
    return { sentence: `The kernel arguments say ${init} (boot.extraArgs): the kernel ran that program as init instead of the loop root's own init, so looproot's rc and the root's system never ran. Remove ${init} to boot the loop root as the HOWTO does.`, fields: ["boot.extraArgs"] };
  }
  if (/Failed to mount API filesystems/.test(text)) {
    return { sentence: "systemd could not mount its API filesystems (cgroups, autofs, Unix sockets are missing): this kernel lacks what systemd needs. Choose the distribution kernel (boot.kernel = \"distro\"), or a root with sysvinit, OpenRC or runit.", fields: ["root.source"] };
  }
  // An init that ran and ended; one the wrapper could not start at all is the page's table's case (a working i386 /sbin/init).
  // (The shell execs /sbin/init; a file the kernel refuses it then reads as a script: "line 1: ...".)
  const notStarted = /\/sbin\/init: (?:line 1: |.*(?:Exec format error|not found|No such file|Permission denied|can't execute))/.test(text);
  if (failure.title === "init exited" && failure.stage === "init-ready" && !notStarted) {
    return { sentence: "The root's own /sbin/init ended after looproot's report (PID 1 must run for as long as the system does): its last lines say why.", fields: ["root.source"] };
  }
  return undefined;
}
