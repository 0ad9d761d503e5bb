// Every symbol the package exports (looproot, looproot/fs, looproot/emulator, looproot/emulator/node, looproot/node) has a doc comment,
// and docs/API.md is what scripts/api-docs.ts generates from them (the TypeScript compiler reads
// the comments, so a missing one or a stale API.md fails here). The docs and the modules agree both
// ways: every name documented is exported, every export is documented, and a constant's name
// written in the prose (DISK_LIMITS, ATTR.READ_ONLY) exists; numbers come from the modules.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { collect, render, values, ENTRIES } from "../../scripts/api-docs.ts";

const ROOT = join(import.meta.dirname, "../..");
const MD = readFileSync(join(ROOT, "docs/API.md"), "utf8");

/** `### name (kind)` headings of docs/API.md, per entry point. */
function documented(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let entry = "";
  for (const line of MD.split("\n")) {
    const e = /^## `([^`]+)`$/.exec(line);
    if (e) entry = e[1];
    const h = /^### (\S+) \(/.exec(line);
    if (h) out.set(entry, [...(out.get(entry) ?? []), h[1]]);
  }
  return out;
}

describe("API reference", () => {
  const symbols = collect();

  it("covers the entry points and their main functions", () => {
    const names = (entry: string) => symbols.filter((s) => s.entry === entry).map((s) => s.name);
    expect(names("looproot")).toEqual(
      expect.arrayContaining(["buildHowto", "makeConfig", "LooprootError", "ErrorCode", "ingredientsFrom"]),
    );
    expect(names("looproot/fs")).toEqual(
      expect.arrayContaining([
        "makeFatFloppy",
        "makeFatDisk",
        "makeExt2",
        "makeSwap",
        "readFat",
        "readTar",
        "readSwap",
        "treeFromFiles",
      ]),
    );
    expect(names("looproot/emulator")).toEqual(
      expect.arrayContaining(["bootAndWait", "bootHowto", "startMachine", "runShellCommand", "MILESTONES"]),
    );
    expect(names("looproot/emulator/node")).toEqual(
      expect.arrayContaining([
        "bootAndWait",
        "bootHowto",
        "startMachine",
        "loadIngredients",
        "lrdos",
        "loadBios",
        "wasmPath",
      ]),
    );
  });

  it("every exported symbol has a doc comment", () => {
    expect(symbols.filter((s) => !s.doc).map((s) => `${s.entry}: ${s.name}`)).toEqual([]);
  });

  it("docs/API.md is up to date (npx tsx scripts/api-docs.ts)", async () => {
    expect(MD).toBe(render(symbols, await values()));
  });

  it("documents exactly what each entry point exports at run time (values) and in its types", async () => {
    const docs = documented();
    for (const entry of ENTRIES) {
      const mod = (await import(join(ROOT, entry.file))) as Record<string, unknown>;
      const headings = docs.get(entry.name) ?? [];
      const types = symbols
        .filter((s) => s.entry === entry.name && (s.kind === "type" || s.kind === "interface"))
        .map((s) => s.name);
      // A heading that is neither a value the module exports nor one of its exported types.
      expect(
        headings.filter((h) => !(h in mod) && !types.includes(h)),
        entry.name,
      ).toEqual([]);
      // An export with no heading.
      expect(
        Object.keys(mod).filter((k) => !headings.includes(k)),
        entry.name,
      ).toEqual([]);
    }
  });

  it("names a constant in the prose only if it is exported (or a key of one, or an error code)", async () => {
    const known = new Set<string>();
    for (const entry of ENTRIES) {
      const mod = (await import(join(ROOT, entry.file))) as Record<string, unknown>;
      // Environment variables the entry point reads are names too.
      for (const m of readFileSync(join(ROOT, entry.file), "utf8").matchAll(/process\.env\.([A-Z0-9_]+)/g))
        known.add(m[1]);
      for (const [k, v] of Object.entries(mod)) {
        known.add(k);
        if (v && typeof v === "object")
          for (const [kk, vv] of Object.entries(v)) known.add(kk).add(`${k}.${kk}`).add(String(vv));
      }
    }
    const named = [...new Set(MD.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\.[A-Za-z_]+)?\b/g) ?? [])];
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
  });

  it("shows the real defaults and limits (DISK_LIMITS is FAT16's 2 GiB partition, not the MBR's)", async () => {
    const fs = await import("../../src/fs/index.ts");
    const { defaultConfig } = await import("../../src/index.ts");
    expect(MD).toContain(JSON.stringify(fs.DISK_LIMITS, null, 2));
    expect(MD).toContain(JSON.stringify(defaultConfig(), null, 2));
    expect(fs.DISK_LIMITS.maxBytes).toBeLessThan(2 ** 31 + 64 * 16 * 63 * 512);
  });
});
