// An AbortSignal on the library's long work (issue 26): buildHowto stops between steps, bootHowto
// and bootAndWait stop their machine and reject with E_ABORTED naming the signal. A stopped
// machine prints nothing more (v86), and QEMU's process is gone (no child of this process left).
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { buildHowto, makeConfig, LooprootError, ErrorCode } from "../../src/index.ts";
import { bootHowto, bootAndWait, loadIngredients, lrdos } from "../../emulator/node.ts";
import { makeFatFloppy } from "../../src/fs/index.ts";
import type { HarnessEvent } from "../../emulator/index.ts";

const config = makeConfig({});
const ingredients = loadIngredients();

async function rejection(p: Promise<unknown>): Promise<LooprootError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LooprootError);
  return e as LooprootError;
}

/** This process's children now (QEMU runs as one). */
const children = () =>
  execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim() && !/\bps$/.test(l.trim()));

describe("AbortSignal", () => {
  it("buildHowto: aborted from onStep, the build stops after that step", () => {
    const c = new AbortController();
    const seen: string[] = [];
    let e: unknown;
    try {
      buildHowto({
        config,
        ingredients,
        signal: c.signal,
        onStep: (s) => {
          seen.push(s.id);
          if (s.id === "initrd") c.abort();
        },
      });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(LooprootError);
    expect({ code: (e as LooprootError).code, field: (e as LooprootError).field }).toEqual({
      code: ErrorCode.Aborted,
      field: "signal",
    });
    expect((e as LooprootError).message).toContain('after step "initrd"');
    expect(seen).toEqual(["check", "initrd"]);
  });

  const build = buildHowto({ config, ingredients });

  for (const engine of ["v86", "qemu"] as const) {
    it(`bootHowto (${engine}): aborted once DOS is up, the machine stops and the call rejects with E_ABORTED`, async () => {
      const c = new AbortController();
      const events: HarnessEvent[] = [];
      const t0 = Date.now();
      const e = await rejection(
        bootHowto(build, config, {
          engine,
          signal: c.signal,
          onEvent: (ev) => {
            events.push(ev);
            if (ev.type === "milestone" && ev.milestone.id === "dos") c.abort(new Error("test: enough"));
          },
        }),
      );
      expect(e.code).toBe(ErrorCode.Aborted);
      expect(e.field).toBe("signal");
      expect(e.message).toMatch(/aborted by the caller's signal \(test: enough\)/);
      expect(Date.now() - t0).toBeLessThan(60_000);
      // Stopped: nothing more arrives, and no emulator process is left behind.
      const n = events.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(events.length).toBe(n);
      expect(events.some((ev) => ev.type === "verdict")).toBe(false);
      expect(children()).toEqual([]);
    }, 90_000);
  }

  it("bootHowto: a signal that fired already starts no machine", async () => {
    const e = await rejection(bootHowto(build, config, { signal: AbortSignal.abort("before") }));
    expect(e.code).toBe(ErrorCode.Aborted);
    expect(e.message).toContain("(before)");
  });

  it("bootAndWait: AbortSignal.timeout ends a wait for a pattern that never comes", async () => {
    const floppy = makeFatFloppy({ files: [], system: lrdos() });
    const t0 = Date.now();
    const e = await rejection(
      bootAndWait({ fda: floppy, pattern: "never printed", timeoutMs: 60_000, signal: AbortSignal.timeout(3000) }),
    );
    expect(e.code).toBe(ErrorCode.Aborted);
    expect(e.message).toMatch(/timeout|timed out/i);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  it("a signal that is not an AbortSignal is E_TYPE naming signal", async () => {
    const e = await rejection(bootHowto(build, config, { signal: true as never }));
    expect({ code: e.code, field: e.field }).toEqual({ code: ErrorCode.Type, field: "signal" });
  });
});
