// The boot harness: watches an engine boot the images, records each milestone with its time and
// evidence, stops at the first failure, stalled stage or emulator crash, and judges the boot in two
// stages. "HOWTO's loop root up": the guest's own report proves root on 7:0, swap on /dev/loop1,
// the DOS partition mounted and init started, as the config says. "The root's init ready": then
// the root's own init reaches its goal (a shell on the serial console, a login prompt, systemd's
// default target, a runlevel: INIT_READY). Both make a verified boot. Milestones a machine does not
// print are "not seen", not failures.

import type { LooprootConfig } from "../src/config.ts";
import type { Engine } from "./engine.ts";
import { SHELL_PROBE } from "../src/howto/protocol.ts";
import {
  MilestoneTracker,
  MILESTONES,
  INIT_READY,
  type MilestoneEvent,
  type FailureEvent,
  type MilestoneId,
} from "./milestones.ts";
import { parseReport, verifyReport, type Check, type GuestReport } from "./verify.ts";
import { verdictHint } from "./hints.ts";
import { quietArg } from "../src/howto/bootfloppy.ts";
import { shellCommand } from "./shell.ts";
import { checkSignal, abortedError, type AbortSignalLike } from "../src/errors.ts";

export interface BootOptions {
  /** Overall limit in seconds. */
  timeoutS?: number;
  /** How often the screen is read and the limits checked. */
  pollMs?: number;
  onEvent?: (e: HarnessEvent) => void;
  /** Stop the engine at the end (default true); false leaves it running for a user at the shell. */
  stopAtEnd?: boolean;
  /** Aborting stops the engine and rejects with E_ABORTED (read at every poll, so within pollMs). */
  signal?: AbortSignalLike;
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
  /** The shell on the serial console: the built-in root's goal (its inittab starts one there), looked for in a user's. */
  shell: { required: boolean; ready: boolean; evidence?: string };
  /** The root's own init at its goal: which sign (in the words README's "How a boot is judged" uses) and the line that shows it. */
  initReady?: { what: string; evidence: string };
  report: GuestReport;
  /** The report against the config: whenever the report is complete, also when the root's init failed later. */
  checks: Check[];
  /** A failed boot: the guest's last lines (after looproot's report, the root's init's own). */
  lastLines?: string[];
  /** Everything the guest printed, serial and screen, in order. */
  lines: { atMs: number; source: "serial" | "screen"; text: string }[];
  /** One line for humans: why it passed or where it stopped. */
  summary: string;
}

const SHELL_PROBE_EVERY_MS = 3000;
/** After the kernel's "Run X as init process", how long looproot's rc gets to say it started before the console is asked whether a shell runs instead. */
const RC_GRACE_MS = 3000;
/** How long a shell is asked for where none is required (a user's root, a kernel's init that skipped our rc). */
const PROBE_WINDOW_MS = 10_000;
/** The kernel names the program it runs as PID 1 (/linuxrc is the initrd's, not the root's). */
const RUN_INIT = /Run (?!\/linuxrc\b)(\S+) as init process/;
/** Lines shown for a failure, each cut at so many characters (a binary read as text has no newlines). */
const LAST_LINES = 10;
const LAST_LINE_CHARS = 240;

export async function bootAndVerify(
  engine: Engine,
  config: LooprootConfig,
  opts: BootOptions = {},
): Promise<BootResult> {
  const timeoutMs = (opts.timeoutS ?? 120) * 1000;
  const pollMs = opts.pollMs ?? 100;
  const signal = checkSignal(opts.signal);
  const shellRequired = config.root.source !== "tar";
  const tracker = new MilestoneTracker();
  const t0 = Date.now();
  const elapsed = () => Date.now() - t0;
  let linesSeen = 0;
  // How long the machine's CPU had run when the boot last made progress.
  let progressAt = tracker.progressAt();
  let ranAtProgress = engine.ranMs?.();
  const emit = (events: (MilestoneEvent | FailureEvent)[]) => {
    for (; linesSeen < tracker.lines.length; linesSeen++) {
      const l = tracker.lines[linesSeen];
      opts.onEvent?.({ type: "line", ...l });
    }
    for (const e of events) {
      if ("stage" in e) opts.onEvent?.({ type: "failure", failure: e });
      else opts.onEvent?.({ type: "milestone", milestone: e });
    }
    if (tracker.progressAt() !== progressAt) {
      progressAt = tracker.progressAt();
      ranAtProgress = engine.ranMs?.();
    }
  };
  // A starved host or a throttled tab runs the guest slower than the clock: a stage is stuck once
  // its limit has passed and the machine has also run that long, or after four times the limit
  // whatever it ran (a guest that halts forever uses no CPU).
  const stuckToo = (limitS: number, now: number) =>
    ranAtProgress === undefined ||
    engine.ranMs!() - ranAtProgress >= limitS * 1000 ||
    tracker.sinceProgress(now) >= 4 * limitS * 1000;
  const offSerial = engine.onSerial((text) => emit(tracker.feedSerial(text, elapsed())));
  // Where the engine tells when the screen changes, every change is read: a DOS that writes only to
  // the screen (FreeDOS) can scroll its lines away, or the kernel take the screen over, between two polls.
  const offScreen = engine.onScreenChange?.(() => emit(tracker.feedScreen(engine.screenRows(), elapsed())));
  let crash: { message: string; atMs: number } | undefined;
  engine.onCrash?.((message) => {
    crash ??= { message, atMs: elapsed() };
  });

  let failure: FailureEvent | undefined;
  let report: GuestReport = parseReport([]);
  let lastProbe = -Infinity;
  let runInit: { atMs: number; path: string } | undefined;
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (signal?.aborted) {
      // The caller gave up on this boot: whatever stopAtEnd says, nobody holds the machine.
      offSerial?.();
      offScreen?.();
      await engine.stop();
      throw abortedError(signal, `boot (at "${MILESTONES.find((m) => m.id === tracker.stage)?.title ?? "the start"}")`);
    }
    const now = elapsed();
    if (crash) {
      // The screen's last state is evidence too: a crash between two samples must not hide how far it got.
      emit(tracker.feedScreen(engine.screenRows(), now));
      emit(tracker.flush(now));
      failure = {
        id: "emulator-crashed",
        stage: tracker.stage ?? "init-ready",
        title: `the emulator (${engine.name}) crashed`,
        atMs: crash.atMs,
        evidence: crash.message,
      };
      break;
    }
    if (!runInit) {
      const l = tracker.lines.find((x) => RUN_INIT.test(x.text));
      if (l) runInit = { atMs: l.atMs, path: RUN_INIT.exec(l.text)![1] };
    }
    // Ask the serial console's shell to answer: once the report is in, and when the kernel started
    // an init that did not run looproot's rc (init=/bin/sh). The echoed command shows the $(...)
    // unexpanded, only a shell's answer shows the device, so an answer proves a shell.
    // A user's root gets the probe for PROBE_WINDOW_MS only: typed at a console where a getty or
    // its own init will later read, it would be input to them.
    const rcMissing =
      !!runInit &&
      !tracker.reached.has("init") &&
      now - runInit.atMs > RC_GRACE_MS &&
      now - runInit.atMs < RC_GRACE_MS + PROBE_WINDOW_MS;
    const reportAt = tracker.reached.get("loop-root")?.atMs ?? now;
    const askShell = report.complete && (shellRequired || now - reportAt < PROBE_WINDOW_MS);
    if ((askShell || rcMissing) && !tracker.reached.has("init-ready") && now - lastProbe > SHELL_PROBE_EVERY_MS) {
      lastProbe = now;
      engine.sendSerial(SHELL_PROBE);
    }
    emit(tracker.feedScreen(engine.screenRows(), now));
    report = parseReport(tracker.lines.map((l) => l.text));
    if (tracker.failure) {
      failure = tracker.failure;
      break;
    }
    const ready = tracker.reached.get("init-ready");
    if (ready && !tracker.reached.has("init")) {
      // A shell (or a getty) runs as PID 1 in place of the root's init: the HOWTO's rc never ran.
      const how = runInit ? `the kernel ran ${runInit.path} as init` : "a shell answers";
      failure = {
        id: "shell-as-init",
        stage: "init",
        title: "a shell runs as init instead of the loop root's init",
        atMs: now,
        evidence: `${how}; looproot's rc never ran (${ready.evidence})`,
      };
      break;
    }
    if (report.complete && ready) break;
    const stuck = tracker.overdue(now);
    if (stuck && stuckToo(stuck.limitS, now)) {
      failure = stuckFailure(stuck.id, stuck.limitS, now, tracker);
      break;
    }
    if (now > timeoutMs) {
      failure = stuckFailure(tracker.stage ?? "init-ready", timeoutMs / 1000, now, tracker, "overall time limit");
      break;
    }
  }
  if (failure && !tracker.failure) emit([failure]);
  emit(tracker.flush(elapsed()));
  const checks = report.complete ? verifyReport(config, report) : [];
  const bad = checks.filter((c) => !c.ok);
  const ok = !failure && bad.length === 0;
  const totalMs = elapsed();
  const readyEvent = tracker.reached.get("init-ready");
  const shellEvent = readyEvent && INIT_READY[0].match.test(readyEvent.evidence) ? readyEvent : undefined;
  const shell = {
    required: shellRequired,
    ready: !!shellEvent,
    ...(shellEvent ? { evidence: shellEvent.evidence } : {}),
  };
  const initReady =
    readyEvent && !failure
      ? {
          what: INIT_READY.find((r) => r.match.test(readyEvent.evidence))?.what ?? "a login prompt",
          evidence: readyEvent.evidence,
        }
      : undefined;
  const notSeen = tracker.notSeen.map((id) => ({ id, title: MILESTONES.find((m) => m.id === id)!.title }));
  const loopRootAt = tracker.reached.get("loop-root")?.atMs;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  // A milestone the kernel would print is missing because the user asked it to be quiet, not
  // because this machine does not print it.
  const quiet = quietArg(config);
  const notes = notSeen.length
    ? [
        `${quiet ? `not printed (kernel argument ${quiet} in boot.extraArgs)` : "not seen on this machine"}: ${notSeen.map((m) => m.title).join(", ")}`,
      ]
    : [];
  const hint = failure
    ? verdictHint(
        failure,
        config,
        tracker.lines.map((l) => l.text),
      )
    : undefined;
  if (failure && hint) failure.hint = hint;
  const summary = ok
    ? `loop root verified: / on 7:0 (/dev/loop0), swap on /dev/loop1, ${config.dos.device} mounted, init started${loopRootAt !== undefined ? ` (HOWTO's loop root up at ${secs(loopRootAt)})` : ""}; the root's init ready: ${initReady!.what}, in ${secs(totalMs)}` +
      (notes.length ? `; ${notes.join("; ")}` : "")
    : failure
      ? `failed at "${MILESTONES.find((m) => m.id === failure!.stage)?.title ?? failure.stage}": ${failure.title} (${failure.evidence})` +
        (failure.stage === "init-ready" && bad.length === 0 && report.complete
          ? "; the HOWTO's loop root was up (looproot's report verified)"
          : "")
      : `the guest's report disagrees with the config: ${bad.map((c) => `${c.what}: expected ${c.expected}, got ${c.got}`).join("; ")}`;
  const result: BootResult = {
    ok,
    engine: engine.name,
    totalMs,
    milestones: [...tracker.reached.values()],
    failure,
    notSeen,
    shell,
    ...(initReady ? { initReady } : {}),
    report,
    checks,
    ...(ok ? {} : { lastLines: lastLines(tracker) }),
    lines: tracker.lines,
    summary,
  };
  opts.onEvent?.({ type: "verdict", result });
  offSerial?.();
  offScreen?.();
  if (opts.stopAtEnd !== false) await engine.stop();
  return result;
}

/** The guest's last lines, without the harness's probes echoed back; after looproot's report, only the root's init's own. */
function lastLines(tracker: MilestoneTracker): string[] {
  const probe = SHELL_PROBE.trim();
  const end = tracker.reached.get("loop-root");
  const all = tracker.lines.filter((l) => !l.text.includes(probe));
  const from = end ? all.findIndex((l) => l.text.trim() === end.evidence) + 1 : 0;
  const own = all.slice(Math.max(0, from));
  return (own.length ? own : all)
    .slice(-LAST_LINES)
    .map((l) => (l.text.length > LAST_LINE_CHARS ? l.text.slice(0, LAST_LINE_CHARS) + "…" : l.text));
}

function stuckFailure(
  stage: MilestoneId,
  limitS: number,
  now: number,
  tracker: MilestoneTracker,
  what = "no progress",
): FailureEvent {
  const probe = SHELL_PROBE.trim();
  const last = tracker.lines.filter((l) => !l.text.includes(probe)).at(-1)?.text ?? "(the machine printed nothing)";
  return { id: "stalled", stage, title: `${what} within ${limitS} s`, atMs: now, evidence: `last line: ${last}` };
}

/** Types a command at the booted shell on the serial console and returns what it printed (emulator/shell.ts). */
export async function runShellCommand(engine: Engine, command: string, timeoutMs = 15_000): Promise<string> {
  return (await shellCommand(engine, command, timeoutMs)).output;
}
