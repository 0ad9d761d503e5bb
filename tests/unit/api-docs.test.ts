// Every symbol the package exports (looproot, looproot/fs, looproot/emulator) has a doc comment,
// and docs/API.md is what scripts/api-docs.ts generates from them (the TypeScript compiler reads
// the comments, so a missing one or a stale API.md fails here).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { collect, render } from "../../scripts/api-docs.ts";

const ROOT = join(import.meta.dirname, "../..");

describe("API reference", () => {
  const symbols = collect();

  it("covers the three entry points and their main functions", () => {
    const names = (entry: string) => symbols.filter((s) => s.entry === entry).map((s) => s.name);
    expect(names("looproot")).toEqual(expect.arrayContaining(["buildHowto", "makeConfig", "LooprootError", "ErrorCode", "ingredientsFrom"]));
    expect(names("looproot/fs")).toEqual(expect.arrayContaining(["makeFatFloppy", "makeFatDisk", "makeExt2", "makeSwap", "readFat", "readTar", "readSwap", "treeFromFiles"]));
    expect(names("looproot/emulator")).toEqual(expect.arrayContaining(["bootAndWait", "bootHowto", "startMachine", "loadIngredients", "lrdos"]));
  });

  it("every exported symbol has a doc comment", () => {
    expect(symbols.filter((s) => !s.doc).map((s) => `${s.entry}: ${s.name}`)).toEqual([]);
  });

  it("docs/API.md is up to date (npx tsx scripts/api-docs.ts)", () => {
    expect(readFileSync(join(ROOT, "docs/API.md"), "utf8")).toBe(render(symbols));
  });
});
