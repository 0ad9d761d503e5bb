// Issue 9.8: outputs replace an earlier set as a set, with a manifest written last; stale files of the
// earlier set go; a kill between two renames leaves a folder that says it is incomplete.
import { describe, it, expect } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeOutputSet, checkOutputSet, SET_MANIFEST, type SetManifest } from "../../src/cli/outputs.ts";
import { main, HELP } from "../../src/cli/main.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import type { OutputFile } from "../../src/build.ts";

const enc = new TextEncoder();
const file = (name: string, text: string): OutputFile => ({ name, data: enc.encode(text), description: name });
const scratch = () => mkdtempSync(join(tmpdir(), "lr-set-"));

class Killed extends Error {}

describe("the output set", () => {
  it("writes a manifest with names, sizes, sha256 and the config, last", () => {
    const d = scratch();
    const steps: string[] = [];
    const m = writeOutputSet(d, [file("floppy.img", "A"), file("disk.img", "BB")], defaultConfig(), (s) =>
      steps.push(s),
    );
    expect(steps.at(-1)).toBe("write manifest");
    const onDisk = JSON.parse(readFileSync(join(d, SET_MANIFEST), "utf8")) as SetManifest;
    expect(onDisk).toEqual(m);
    expect(onDisk.files).toEqual([
      { name: "floppy.img", bytes: 1, sha256: createHash("sha256").update("A").digest("hex") },
      { name: "disk.img", bytes: 2, sha256: createHash("sha256").update("BB").digest("hex") },
    ]);
    expect(onDisk.config).toEqual(defaultConfig());
    expect(checkOutputSet(d)).toEqual({ complete: true, why: "" });
    expect(readdirSync(d).sort()).toEqual(["disk.img", "floppy.img", SET_MANIFEST]);
  });
  it("clears stale files of the earlier set, and leaves the user's own files alone", () => {
    const d = scratch();
    writeFileSync(join(d, "notes.txt"), "mine");
    writeOutputSet(d, [file("floppy.img", "1"), file("LOADLIN.PAR", "p"), file("rcS", "r")], defaultConfig());
    writeOutputSet(
      d,
      [file("floppy.img", "2"), file("looproot-init", "i")],
      mergeConfig(defaultConfig(), { root: { source: "tar" } }),
    );
    expect(readdirSync(d).sort()).toEqual(["floppy.img", "looproot-init", SET_MANIFEST, "notes.txt"].sort());
    expect(readFileSync(join(d, "floppy.img"), "utf8")).toBe("2");
  });
  it("clears the files of an earlier set that had no manifest (an older looproot)", () => {
    const d = scratch();
    writeFileSync(join(d, "LOADLIN.PAR"), "old");
    writeOutputSet(d, [file("floppy.img", "2")], defaultConfig());
    expect(existsSync(join(d, "LOADLIN.PAR"))).toBe(false);
  });
  it("a kill between two renames is detectable, and the next build completes the set", () => {
    const d = scratch();
    writeOutputSet(d, [file("floppy.img", "old"), file("disk.img", "old")], defaultConfig());
    expect(() =>
      writeOutputSet(d, [file("floppy.img", "new"), file("disk.img", "new")], defaultConfig(), (s) => {
        if (s === "rename disk.img") throw new Killed("killed");
      }),
    ).toThrow(Killed);
    // One image of each build side by side, and no manifest to vouch for them.
    expect(readFileSync(join(d, "floppy.img"), "utf8")).toBe("new");
    expect(readFileSync(join(d, "disk.img"), "utf8")).toBe("old");
    expect(existsSync(join(d, SET_MANIFEST))).toBe(false);
    expect(checkOutputSet(d).complete).toBe(false);
    writeOutputSet(d, [file("floppy.img", "new"), file("disk.img", "new")], defaultConfig());
    expect(checkOutputSet(d).complete).toBe(true);
    expect(existsSync(join(d, ".partial"))).toBe(false);
  });
  it("a file changed after the build no longer matches the manifest", () => {
    const d = scratch();
    writeOutputSet(d, [file("floppy.img", "A")], defaultConfig());
    writeFileSync(join(d, "floppy.img"), "B");
    expect(checkOutputSet(d)).toEqual({ complete: false, why: "floppy.img differs from the manifest's sha256" });
  });
  it("looproot --help documents the manifest and what its absence means", async () => {
    expect(HELP).toContain(SET_MANIFEST);
    expect(HELP).toMatch(/without looproot-set\.json.*\n?.*incomplete/);
    const out: string[] = [];
    expect(await main(["--help"], { out: (s) => out.push(s), err: () => {} })).toBe(0);
    expect(out.join("")).toContain("incomplete set");
  });
});
