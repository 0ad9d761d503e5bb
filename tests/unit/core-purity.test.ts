// The pure core (src/fs, src/howto, the build) is typechecked by tsconfig.core.json without
// Node's or the DOM's types, so a Node or DOM API in the core fails `npm run typecheck`.
// The oracle is tsc itself: the core config must pass as it is, and fail once the core
// holds a file that imports node:fs or touches the DOM.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const tsc = join(root, "node_modules/typescript/bin/tsc");

function typecheck(project: string) {
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", project], {
    cwd: root,
    encoding: "utf8",
    timeout: 170_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("core purity (tsconfig.core.json)", () => {
  it("npm run typecheck checks both the whole tree and the core config", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.typecheck).toMatch(/tsc --noEmit(?! -p)/);
    expect(pkg.scripts.typecheck).toContain("tsc --noEmit -p tsconfig.core.json");
    const core = JSON.parse(readFileSync(join(root, "tsconfig.core.json"), "utf8")) as {
      compilerOptions: { types: string[]; lib: string[] };
    };
    expect(core.compilerOptions.types).toEqual([]);
    expect(core.compilerOptions.lib.some((l) => /dom|webworker/i.test(l))).toBe(false);
  });

  it("the core passes as it is, and fails with a file that imports node:fs or uses the DOM", () => {
    const clean = typecheck(join(root, "tsconfig.core.json"));
    expect(clean.out).toBe("");
    expect(clean.status).toBe(0);

    // The same config plus one impure file (the base's include list still applies).
    const dir = mkdtempSync(join(tmpdir(), "core-purity-"));
    try {
      const bad = join(dir, "impure.ts");
      writeFileSync(
        bad,
        [
          'import { readFileSync } from "node:fs";',
          'import { defaultConfig } from "' + join(root, "src/config.ts") + '";',
          "export const a = readFileSync(String(defaultConfig()));",
          "export const b = document.title;",
          "",
        ].join("\n"),
      );
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({ extends: join(root, "tsconfig.core.json"), files: [bad] }),
      );
      const dirty = typecheck(join(dir, "tsconfig.json"));
      expect(dirty.status).not.toBe(0);
      expect(dirty.out).toMatch(/impure\.ts.*TS2307.*'node:fs'/);
      expect(dirty.out).toMatch(/impure\.ts.*TS2584|impure\.ts.*TS2304.*'document'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});
