// The page's phases as an explicit state machine, without the DOM: which event may move the page
// from which phase to which, the machine status each says, and what the buttons allow in each.
// main.ts sends the events; an event that does not fit the phase (a late reply of a build or a
// boot the user has since replaced) changes nothing.

export type Phase =
  "idle" | "building" | "built" | "booting" | "verified" | "restored" | "failed" | "stopped" | "error";

export type PhaseEvent =
  /** Build and boot pressed: the running PC is stopped first. */
  | { type: "build" }
  /** The old PC is gone; the worker builds. */
  | { type: "build-waiting" }
  | { type: "build-failed" }
  | { type: "built" }
  /** A boot starts (a build's images, a resumed disk, opened images, a reset). */
  | { type: "boot" }
  | { type: "emulator-failed" }
  | { type: "engine-started" }
  | { type: "verdict"; ok: boolean }
  /** The boot harness itself stopped (not the guest). */
  | { type: "harness-failed" }
  | { type: "restore" }
  | { type: "restore-failed" }
  | { type: "restored" }
  /** The PC was stopped (by the user, or after the guest's own shutdown). */
  | { type: "stop" };

export interface Transition {
  phase: Phase;
  /** The machine status line after it, where it changes. */
  status?: string;
}

const ANY: readonly Phase[] = [
  "idle",
  "building",
  "built",
  "booting",
  "verified",
  "restored",
  "failed",
  "stopped",
  "error",
];
const NOT_BUILDING = ANY.filter((p) => p !== "building");

/** Each event: the phases it may come in, and where it leads. */
const TABLE: {
  [K in PhaseEvent["type"]]: { from: readonly Phase[]; to: (e: Extract<PhaseEvent, { type: K }>) => Transition };
} = {
  build: { from: NOT_BUILDING, to: () => ({ phase: "building", status: "stopping" }) },
  "build-waiting": { from: ["building"], to: () => ({ phase: "building", status: "waiting for the build" }) },
  "build-failed": { from: ["building"], to: () => ({ phase: "error", status: "not running" }) },
  built: { from: ["building"], to: () => ({ phase: "built" }) },
  // Opened images may boot while a build runs; a reset boots again from any phase.
  boot: { from: ANY, to: () => ({ phase: "booting", status: "starting" }) },
  "emulator-failed": { from: ["booting"], to: () => ({ phase: "error", status: "not running" }) },
  "engine-started": { from: ["booting"], to: () => ({ phase: "booting", status: "booting" }) },
  verdict: {
    from: ["booting"],
    to: (e) =>
      e.ok
        ? { phase: "verified", status: "running: the loop root is up, the shell is yours" }
        : { phase: "failed", status: "running (the boot did not verify)" },
  },
  "harness-failed": { from: ["booting"], to: () => ({ phase: "failed" }) },
  restore: { from: ANY, to: () => ({ phase: "booting", status: "restoring the snapshot" }) },
  "restore-failed": { from: ["booting"], to: () => ({ phase: "error", status: "not running" }) },
  restored: { from: ["booting"], to: () => ({ phase: "restored", status: "running: restored from the snapshot" }) },
  stop: { from: ANY, to: () => ({ phase: "stopped", status: "stopped" }) },
};

/** Where `event` leads from `phase`; undefined when it does not fit (then nothing changes). */
export function nextPhase(phase: Phase, event: PhaseEvent): Transition | undefined {
  const row = TABLE[event.type] as { from: readonly Phase[]; to: (e: PhaseEvent) => Transition };
  return row.from.includes(phase) ? row.to(event) : undefined;
}

/** What the page knows besides the phase, for its buttons. */
export interface ControlInputs {
  phase: Phase;
  /** A PC runs (an engine is attached). */
  running: boolean;
  /** Problems that keep Build off; the first one in words for its tooltip. */
  problems: number;
  firstProblem?: string;
  /** A build's output is there. */
  built: boolean;
  /** Images have booted (so Reset can boot them again). */
  booted: boolean;
}

export interface Controls {
  build: { disabled: boolean; label: string; title: string };
  stop: { disabled: boolean };
  reset: { disabled: boolean };
  /** The serial console's line, Send and Ctrl-C. */
  serial: { disabled: boolean };
}

export function controls(s: ControlInputs): Controls {
  const building = s.phase === "building";
  return {
    build: {
      disabled: s.problems > 0 || building,
      label: building ? "Building…" : s.running || s.built ? "Build and boot again" : "Build and boot",
      title: s.problems ? `Fix ${s.problems} problem${s.problems > 1 ? "s" : ""} first: ${s.firstProblem ?? ""}` : "",
    },
    stop: { disabled: !s.running },
    reset: { disabled: !(s.running || s.booted || s.built) || building },
    serial: { disabled: !s.running },
  };
}
