// The boot harness: watches an engine boot the images, records each milestone with its time and
// evidence, stops at the first failure, stalled stage or emulator crash, and declares the loop root
// up when the guest's own report proves it: root on 7:0, swap on /dev/loop1, the DOS partition
// mounted and init started, as the config says. Milestones a machine does not print are "not
// seen", not failures. The shell on the serial console is required for the built-in root (its
// inittab starts one there); for a user's root it is looked for and reported, never required.

import type { LooprootConfig } from "../src/config.ts";
import type { Engine } from "./engine.ts";
import { SHELL_PROBE } from "../src/howto/protocol.ts";
import { MilestoneTracker, MILESTONES, type MilestoneEvent, type FailureEvent, type MilestoneId } from "./milestones.ts";
import { parseReport, verifyReport, type Check, type GuestReport } from "./verify.ts";
import { shellCommand } from "./shell.ts";

export interface BootOptions {
  /** Overall limit in seconds. */
  timeoutS?: number;
  /** How often the screen is read and the limits checked. */
  pollMs?: number;
  onEvent?: (e: HarnessEvent) => void;
  /** Stop the engine at the end (default true); false leaves it running for a user at the shell. */
  stopAtEnd?: boolean;
  /** For a user's root: seconds to look for a shell on the serial console after the report (default 10). */
  shellGraceS?: number;
}

export type HarnessEvent =
  | { type: "milestone"; milestone: MilestoneEvent }
  | { type: "failure"; failure: FailureEvent }
  | { type: "line"; source: "serial" | "screen"; text: string; atMs: number }
  | { type: "verdict"; result: BootResult };

export interface BootResult {
  ok: boolean;
  engine: string;
  totalMs: number;
  milestones: MilestoneEvent[];
  failure?: FailureEvent;
  /** Milestones this machine did not print (before the furthest one reached): not failures. */
  notSeen: { id: MilestoneId; title: string }[];
  /** The shell on the serial console: required for the built-in root, looked for in a user's. */
  shell: { required: boolean; ready: boolean; evidence?: string };
  report: GuestReport;
  checks: Check[];
  /** Everything the guest printed, serial and screen, in order. */
  lines: { atMs: number; source: "serial" | "screen"; text: string }[];
  /** One line for humans: why it passed or where it stopped. */
  summary: string;
}

const SHELL_PROBE_EVERY_MS = 3000;

export async function bootAndVerify(engine: Engine, config: LooprootConfig, opts: BootOptions = {}): Promise<BootResult> {
  const timeoutMs = (opts.timeoutS ?? 120) * 1000;
  const pollMs = opts.pollMs ?? 100;
  const shellRequired = config.root.source !== "tar";
  const shellGraceMs = (opts.shellGraceS ?? 10) * 1000;
  const tracker = new MilestoneTracker();
  const t0 = Date.now();
  const elapsed = () => Date.now() - t0;
  let linesSeen = 0;
  const emit = (events: (MilestoneEvent | FailureEvent)[]) => {
    for (; linesSeen < tracker.lines.length; linesSeen++) {
      const l = tracker.lines[linesSeen];
      opts.onEvent?.({ type: "line", ...l });
    }
    for (const e of events) {
      if ("stage" in e) opts.onEvent?.({ type: "failure", failure: e });
      else {
        ranAtProgress = engine.ranMs?.();
        opts.onEvent?.({ type: "milestone", milestone: e });
      }
    }
  };
  // How long the machine's CPU had run at the last milestone.
  let ranAtProgress = engine.ranMs?.();
  // A starved host or a throttled tab runs the guest slower than the clock: a stage is stuck once
  // its limit has passed and the machine has also run that long, or after four times the limit
  // whatever it ran (a guest that halts forever uses no CPU).
  const stuckToo = (limitS: number, now: number) =>
    ranAtProgress === undefined || engine.ranMs!() - ranAtProgress >= limitS * 1000 || tracker.sinceProgress(now) >= 4 * limitS * 1000;
  engine.onSerial((text) => emit(tracker.feedSerial(text, elapsed())));
  let crash: { message: string; atMs: number } | undefined;
  engine.onCrash?.((message) => { crash ??= { message, atMs: elapsed() }; });

  let failure: FailureEvent | undefined;
  let report: GuestReport = parseReport([]);
  let lastProbe = -Infinity;
  let reportAt: number | undefined;
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    const now = elapsed();
    if (crash) {
      // The screen's last state is evidence too: a crash between two samples must not hide how far it got.
      emit(tracker.feedScreen(engine.screenRows(), now));
      emit(tracker.flush(now));
      failure = { stage: tracker.stage ?? "shell", title: `the emulator (${engine.name}) crashed`, atMs: crash.atMs, evidence: crash.message };
      break;
    }
    // Once the report is in, ask the serial console's shell to answer: the echoed command shows
    // the $(...) unexpanded, only a shell's answer shows the device, so an answer proves a shell.
    if (report.complete && !tracker.reached.has("shell") && now - lastProbe > SHELL_PROBE_EVERY_MS) {
      lastProbe = now;
      engine.sendSerial(SHELL_PROBE);
    }
    emit(tracker.feedScreen(engine.screenRows(), now));
    report = parseReport(tracker.lines.map((l) => l.text));
    if (report.complete) reportAt ??= now;
    if (tracker.failure) {
      failure = tracker.failure;
      break;
    }
    if (report.complete && tracker.reached.has("shell")) break;
    // A user's root may start no shell on ttyS0 (Debian's inittab does not): the report decides.
    if (report.complete && !shellRequired && now - reportAt! > shellGraceMs) break;
    const stuck = tracker.overdue(now);
    if (stuck && (!report.complete || shellRequired) && stuckToo(stuck.limitS, now)) {
      failure = stuckFailure(stuck.id, stuck.limitS, now, tracker);
      break;
    }
    if (now > timeoutMs) {
      failure = stuckFailure(tracker.stage ?? "shell", timeoutMs / 1000, now, tracker, "overall time limit");
      break;
    }
  }
  if (failure && !tracker.failure) emit([failure]);
  emit(tracker.flush(elapsed()));
  const checks = failure ? [] : verifyReport(config, report);
  const bad = checks.filter((c) => !c.ok);
  const ok = !failure && bad.length === 0;
  const totalMs = elapsed();
  const shellEvent = tracker.reached.get("shell");
  const shell = { required: shellRequired, ready: !!shellEvent, ...(shellEvent ? { evidence: shellEvent.evidence } : {}) };
  const notSeen = tracker.notSeen.filter((id) => id !== "shell").map((id) => ({ id, title: MILESTONES.find((m) => m.id === id)!.title }));
  const notes = [
    ...(notSeen.length ? [`not seen on this machine: ${notSeen.map((m) => m.title).join(", ")}`] : []),
    ...(!shellRequired ? [shell.ready ? "a shell answers on the serial console" : `no shell answered on the serial console within ${shellGraceMs / 1000} s (the root's own init decides that)`] : []),
  ];
  const summary = ok
    ? `loop root verified: / on 7:0 (/dev/loop0), swap on /dev/loop1, ${config.dos.device} mounted, init started, in ${(totalMs / 1000).toFixed(1)} s` + (notes.length ? `; ${notes.join("; ")}` : "")
    : failure
      ? `failed at "${MILESTONES.find((m) => m.id === failure!.stage)?.title ?? failure.stage}": ${failure.title} (${failure.evidence})`
      : `the guest's report disagrees with the config: ${bad.map((c) => `${c.what}: expected ${c.expected}, got ${c.got}`).join("; ")}`;
  const result: BootResult = {
    ok,
    engine: engine.name,
    totalMs,
    milestones: [...tracker.reached.values()],
    failure,
    notSeen,
    shell,
    report,
    checks,
    lines: tracker.lines,
    summary,
  };
  opts.onEvent?.({ type: "verdict", result });
  if (opts.stopAtEnd !== false) await engine.stop();
  return result;
}

function stuckFailure(stage: MilestoneId, limitS: number, now: number, tracker: MilestoneTracker, what = "no progress"): FailureEvent {
  const last = tracker.lines.at(-1)?.text ?? "(the machine printed nothing)";
  return { stage, title: `${what} within ${limitS} s`, atMs: now, evidence: `last line: ${last}` };
}

/** Types a command at the booted shell on the serial console and returns what it printed (emulator/shell.ts). */
export async function runShellCommand(engine: Engine, command: string, timeoutMs = 15_000): Promise<string> {
  return (await shellCommand(engine, command, timeoutMs)).output;
}
