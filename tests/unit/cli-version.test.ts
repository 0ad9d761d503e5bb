// `looproot --version` prints package.json's version, found from the module's own location
// (src/node/package.ts walks up to looproot's package.json, as it must from dist-lib/ too).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { packageRoot } from "../../src/node/package.ts";

const ROOT = join(import.meta.dirname, "../..");

describe("looproot --version", () => {
  it("prints the package version and exits 0, whatever else is on the line", async () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    expect(version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    for (const argv of [["--version"], ["build", "--version"]]) {
      const out: string[] = [];
      const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
      expect(code).toBe(0);
      expect(out).toEqual([version]);
    }
    expect(packageRoot()).toBe(ROOT);
  });

  it("CHANGELOG.md has an entry for the current version", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    expect(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")).toMatch(
      new RegExp(`^## ${version.replace(/\./g, "\\.")}\\b`, "m"),
    );
  });
});
