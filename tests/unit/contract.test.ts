// The page's published verdict (src/app/contract.ts) against `looproot boot --json`: the same
// builder, the same fields, plus the stage; the raw lines stay out of both.

import { describe, it, expect } from "vitest";
import { bootVerdict, problemVerdict, wantsAutostart } from "../../src/app/contract.ts";
import { bootResultJson } from "../../src/bootjson.ts";
import { machineJson } from "../../emulator/pc.ts";
import { parseReport } from "../../emulator/verify.ts";
import type { BootResult } from "../../emulator/harness.ts";

const result: BootResult = {
  ok: false,
  engine: "v86",
  totalMs: 4321,
  milestones: [{ id: "bios", title: "BIOS", atMs: 10, evidence: "SeaBIOS" }] as BootResult["milestones"],
  failure: {
    stage: "kernel",
    title: "kernel",
    atMs: 4000,
    evidence: "Kernel panic </script>",
  } as BootResult["failure"],
  notSeen: [],
  shell: { required: true, ready: false },
  report: parseReport([]),
  checks: [{ what: "root device", ok: false, expected: "7:0", got: "(not reported)" }],
  lines: [{ atMs: 1, source: "serial", text: "a line" }],
  summary: "stopped at the kernel",
};

describe("the page's verdict JSON", () => {
  it("is the CLI's --json object plus stage", () => {
    const v = bootVerdict(result, 32);
    const { stage, ...rest } = v as { stage: string };
    expect(stage).toBe("boot");
    expect(rest).toEqual(bootResultJson(result, undefined, machineJson("v86", {}, 32)));
    expect(Object.keys(rest).sort()).toEqual([
      "checks",
      "engine",
      "failure",
      "machine",
      "milestones",
      "notSeen",
      "ok",
      "report",
      "shell",
      "summary",
      "totalMs",
    ]);
    // v86 is one fixed PC: the page names it as --json does, with the RAM it was given.
    expect((v as { machine: { engine: string; machine: null; memoryMiB: number } }).machine).toMatchObject({
      engine: "v86",
      machine: null,
      memoryMiB: 32,
    });
    expect("lines" in v).toBe(false);
    // It survives JSON unchanged (what the element and the event carry).
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it("a run that never booted says where it stopped and why", () => {
    const v = problemVerdict("validate", "the config has problems", [
      { field: "machine.memoryMiB", message: "too small", limit: 8 },
    ]);
    expect(v).toEqual({
      ok: false,
      stage: "validate",
      summary: "the config has problems",
      problems: [{ field: "machine.memoryMiB", message: "too small", limit: 8 }],
    });
  });

  it("autostart is a flag word in the hash or the query, not a substring", () => {
    expect(wantsAutostart("#config=abc&autostart", "")).toBe(true);
    expect(wantsAutostart("#autostart", "")).toBe(true);
    expect(wantsAutostart("#autostart&config=abc", "")).toBe(true);
    expect(wantsAutostart("", "?autostart")).toBe(true);
    expect(wantsAutostart("", "?x=1&autostart=1")).toBe(true);
    expect(wantsAutostart("#config=autostart", "")).toBe(false);
    expect(wantsAutostart("#config=abc&autostarted", "")).toBe(false);
    expect(wantsAutostart("", "")).toBe(false);
  });
});
