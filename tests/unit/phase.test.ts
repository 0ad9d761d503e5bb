// The page's phase machine (src/app/phase.ts), without a browser: every event leads where the page
// expects from the phases it may come in, and changes nothing elsewhere; the buttons follow.
import { describe, it, expect } from "vitest";
import { nextPhase, controls, type Phase, type PhaseEvent } from "../../src/app/phase.ts";

const PHASES: Phase[] = ["idle", "building", "built", "booting", "verified", "restored", "failed", "stopped", "error"];

describe("the page's phases", () => {
  it("a build, its boot and a verdict", () => {
    let p: Phase = "idle";
    const steps: [PhaseEvent, Phase, string | undefined][] = [
      [{ type: "build" }, "building", "stopping"],
      [{ type: "build-waiting" }, "building", "waiting for the build"],
      [{ type: "built" }, "built", undefined],
      [{ type: "boot" }, "booting", "starting"],
      [{ type: "engine-started" }, "booting", "booting"],
      [{ type: "verdict", ok: true }, "verified", "running: the loop root is up, the shell is yours"],
      [{ type: "stop" }, "stopped", "stopped"],
      [{ type: "restore" }, "booting", "restoring the snapshot"],
      [{ type: "restored" }, "restored", "running: restored from the snapshot"],
    ];
    for (const [e, want, status] of steps) {
      const t = nextPhase(p, e);
      expect(t, `${e.type} from ${p}`).toEqual({ phase: want, ...(status === undefined ? {} : { status }) });
      p = t!.phase;
    }
  });

  it("failures: the build, the emulator, the harness, a restore, a verdict that failed", () => {
    expect(nextPhase("building", { type: "build-failed" })).toEqual({ phase: "error", status: "not running" });
    expect(nextPhase("booting", { type: "emulator-failed" })).toEqual({ phase: "error", status: "not running" });
    expect(nextPhase("booting", { type: "harness-failed" })).toEqual({ phase: "failed" });
    expect(nextPhase("booting", { type: "restore-failed" })).toEqual({ phase: "error", status: "not running" });
    expect(nextPhase("booting", { type: "verdict", ok: false })).toEqual({
      phase: "failed",
      status: "running (the boot did not verify)",
    });
  });

  it("an event out of its phase changes nothing (a late reply of a replaced build or boot)", () => {
    const onlyBooting: PhaseEvent[] = [
      { type: "verdict", ok: true },
      { type: "engine-started" },
      { type: "emulator-failed" },
      { type: "harness-failed" },
      { type: "restored" },
      { type: "restore-failed" },
    ];
    const onlyBuilding: PhaseEvent[] = [{ type: "built" }, { type: "build-failed" }, { type: "build-waiting" }];
    for (const p of PHASES) {
      for (const e of onlyBooting) expect(nextPhase(p, e) === undefined, `${e.type} from ${p}`).toBe(p !== "booting");
      for (const e of onlyBuilding) expect(nextPhase(p, e) === undefined, `${e.type} from ${p}`).toBe(p !== "building");
      // A second Build while one runs is not started; Stop, a boot and a restore come from anywhere.
      expect(nextPhase(p, { type: "build" }) === undefined).toBe(p === "building");
      for (const type of ["boot", "restore", "stop"] as const) expect(nextPhase(p, { type })).toBeDefined();
    }
  });

  it("the buttons follow the phase and what is there", () => {
    const base = { phase: "idle" as Phase, running: false, problems: 0, built: false, booted: false };
    expect(controls(base)).toEqual({
      build: { disabled: false, label: "Build and boot", title: "" },
      stop: { disabled: true },
      reset: { disabled: true },
      serial: { disabled: true },
    });
    const busy = controls({ ...base, phase: "building", built: true });
    expect(busy.build).toMatchObject({ disabled: true, label: "Building…" });
    expect(busy.reset.disabled).toBe(true);
    const up = controls({ ...base, phase: "verified", running: true, booted: true });
    expect(up).toMatchObject({
      build: { disabled: false, label: "Build and boot again" },
      stop: { disabled: false },
      reset: { disabled: false },
      serial: { disabled: false },
    });
    expect(controls({ ...base, problems: 2, firstProblem: "Root size: too small" }).build).toEqual({
      disabled: true,
      label: "Build and boot",
      title: "Fix 2 problems first: Root size: too small",
    });
    expect(controls({ ...base, phase: "stopped", booted: true }).reset.disabled).toBe(false);
  });
});
