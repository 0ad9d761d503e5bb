// The library's types refuse the wrong calls of issue 26: tsc over tests/types/wrong-calls.ts,
// where each wrong call sits under @ts-expect-error, so one that compiles again fails here
// ("Unused '@ts-expect-error' directive") with its line.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const HERE = import.meta.dirname;
const TSC = join(HERE, "../../node_modules/typescript/bin/tsc");

describe("the public types", () => {
  it("make each wrong call in wrong-calls.ts a compile error, and the right ones compile", () => {
    const r = spawnSync(process.execPath, [TSC, "--noEmit", "-p", join(HERE, "tsconfig.json")], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
    // The file holds the wrong calls it claims to (a file emptied by mistake would pass tsc too).
    expect(
      readFileSync(join(HERE, "wrong-calls.ts"), "utf8").match(/@ts-expect-error/g)?.length,
    ).toBeGreaterThanOrEqual(18);
  }, 150_000);
});
