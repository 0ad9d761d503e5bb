// A stage is stuck when the guest stops making progress, not when the host stops running it: a
// machine that is paused (or starved of CPU, as on a loaded CI machine) past a stage's limit goes
// on and verifies; a guest spinning without progress is still stopped at its limit, and one that
// halts forever (using no CPU) after four times the limit.
import { describe, it, expect } from "vitest";
import { loadBios } from "../../src/node/ingredients.ts";
import { startQemu } from "../../emulator/qemu.ts";
import { bootAndVerify } from "../../emulator/harness.ts";
import { MILESTONES } from "../../emulator/milestones.ts";
import { config, build, boot, timeline } from "./chain.ts";

const c = config();
const good = build(c);
// The HOWTO's stages' longest limit (the root's init's 180 s of silence is not one of them: a pause
// that long would outlast four times the DOS stage's limit, where the pause lands, as a halt does).
const LONGEST_LIMIT_MS = Math.max(...MILESTONES.filter((m) => !m.anyLineIsProgress).map((m) => m.limitS)) * 1000;

/** A 1.44 MB floppy whose boot sector runs the given code (after cli) and nothing else. */
function bootSectorFloppy(code: number[]): Uint8Array {
  const img = new Uint8Array(1_474_560);
  img.set([0xfa, ...code], 0);
  img[510] = 0x55;
  img[511] = 0xaa;
  return img;
}

describe("a paused machine is not a stuck guest", () => {
  it("QEMU stopped (SIGSTOP) for longer than any stage's limit, then continued, still verifies", async () => {
    const engine = startQemu({ floppy: good.floppy, disk: good.disk, memoryMiB: c.machine.memoryMiB, ...loadBios() });
    const pauseMs = LONGEST_LIMIT_MS + 5_000;
    let paused: number | undefined;
    const result = await bootAndVerify(engine, c, {
      timeoutS: 240,
      onEvent: (e) => {
        if (e.type !== "milestone" || paused !== undefined) return;
        paused = Date.now();
        process.kill(engine.pid!, "SIGSTOP");
        setTimeout(() => process.kill(engine.pid!, "SIGCONT"), pauseMs);
      },
    });
    expect(paused, timeline(result)).toBeDefined();
    expect(result.ok, timeline(result)).toBe(true);
    // The pause really spanned a stage: some step took longer than its limit by the clock.
    const times = [0, ...result.milestones.map((m) => m.atMs)].sort((a, b) => a - b);
    expect(Math.max(...times.slice(1).map((t, i) => t - times[i])), timeline(result)).toBeGreaterThan(LONGEST_LIMIT_MS);
  }, 300_000);
});

describe("a guest that makes no progress is still stopped", () => {
  it("spinning (jmp $) in v86: at the stage's limit", async () => {
    const t0 = Date.now();
    const { result } = await boot("v86", c, bootSectorFloppy([0xeb, 0xfe]), good.disk);
    expect(result.failure, timeline(result)).toMatchObject({ stage: "dos", title: "no progress within 20 s" });
    expect(Date.now() - t0).toBeLessThan(50_000);
  }, 120_000);

  it("halted for good (hlt with interrupts off) in QEMU: after four times the stage's limit", async () => {
    const t0 = Date.now();
    const { result } = await boot("qemu", c, bootSectorFloppy([0xf4, 0xeb, 0xfd]), good.disk, { timeoutS: 240 });
    expect(result.failure, timeline(result)).toMatchObject({ stage: "dos", title: "no progress within 20 s" });
    expect(Date.now() - t0).toBeGreaterThan(4 * 20_000);
    expect(Date.now() - t0).toBeLessThan(150_000);
  }, 300_000);
});
