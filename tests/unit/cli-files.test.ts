// The CLI's file edges (issue 9.6, 9.7): inputs read with the limit checked while reading, non-regular
// files refused by name, and output-folder problems found before the build runs (exit 2, one line).
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, existsSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { readInputFile, checkOutputFolder } from "../../src/cli/files.ts";
import { buildImages, outputNames, rootArchiveLimit } from "../../src/build.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { ErrorCode } from "../../src/errors.ts";
import { thrownLooproot } from "./thrown.ts";

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const t0 = Date.now();
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err, ms: Date.now() - t0 };
}
const scratch = () => mkdtempSync(join(tmpdir(), "lr-files-"));

describe("input files", () => {
  it("--config /dev/zero and --rootfs /dev/zero are refused at once, by name", async () => {
    for (const args of [
      ["config", "--config", "/dev/zero"],
      ["build", "--out", join(scratch(), "o"), "--rootfs", "/dev/zero"],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/\/dev\/zero: is not a regular file/);
      expect(r.ms).toBeLessThan(5000);
    }
  });
  it("a folder as --rootfs or --config is refused by name", async () => {
    const d = scratch();
    const r = await cli(["build", "--out", join(d, "o"), "--rootfs", d]);
    expect([r.code, r.err]).toEqual([2, [`looproot: --rootfs ${d}: is a folder, not a file`]]);
    expect(thrownLooproot(() => readInputFile("--config", d, 10)).code).toBe(ErrorCode.InputFile);
  });
  it("the size limit is checked, and reading stops at it (a FIFO would never end)", () => {
    const d = scratch();
    writeFileSync(join(d, "big"), new Uint8Array(2000));
    const e = thrownLooproot(() => readInputFile("--config", join(d, "big"), 1999));
    expect([e.code, e.field, e.limit]).toEqual([ErrorCode.InputFile, "--config", 1999]);
    expect(readInputFile("--config", join(d, "big"), 2000)).toHaveLength(2000);
    expect(thrownLooproot(() => readInputFile("--config", join(d, "missing"), 10)).message).toContain("no such file");
  });
  it("a --rootfs over 2 GiB is refused before reading (a sparse file, so the test is cheap)", async () => {
    const d = scratch();
    const big = join(d, "big.tar");
    truncateSync((writeFileSync(big, ""), big), 3 * 2 ** 30);
    const r = await cli([
      "build",
      "--out",
      join(d, "o"),
      "--rootfs",
      big,
      "--set",
      "root.sizeMiB=2000",
      "--set",
      "disk.sizeMiB=2047",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`looproot: --rootfs ${big}: is 3,221,225,472 bytes, more than the limit of 2,147,483,647`]);
    expect(r.ms).toBeLessThan(5000);
  });
  it("--rootfs is bounded by what the root image can hold", () => {
    const c = defaultConfig();
    const limit = rootArchiveLimit(c);
    expect(limit).toBeGreaterThan(c.root.sizeMiB * 1048576);
    expect(limit).toBeLessThan(2 * c.root.sizeMiB * 1048576);
    expect(rootArchiveLimit(mergeConfig(c, { root: { sizeMiB: 2000, bytesPerInode: 1024 } }))).toBeLessThan(2 ** 31);
  });
});

describe("the output folder is checked before the build runs", () => {
  it("a file in the way of --out", async () => {
    const d = scratch();
    writeFileSync(join(d, "f"), "x");
    for (const out of [join(d, "f"), join(d, "f", "sub")]) {
      const r = await cli(["build", "--out", out]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.out).not.toMatch(/3\.3/); // no build step ran
      expect(thrownLooproot(() => checkOutputFolder(out, [])).code).toBe(ErrorCode.Output);
    }
  });
  it("a folder in the way of an image", async () => {
    const d = scratch();
    mkdirSync(join(d, "disk.img"));
    const r = await cli(["build", "--out", d]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain("disk.img is a folder in the way");
    expect(readdirSync(d)).toEqual(["disk.img"]);
  });
  it("--out inside /proc is refused at once", async () => {
    const r = await cli(["build", "--out", "/proc/self/looproot-out"]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/inside \/proc/);
    expect(r.ms).toBeLessThan(5000);
    expect(existsSync("/proc/self/looproot-out")).toBe(false);
  });
  it("outputNames knows every file the build writes", () => {
    const ingredients = loadIngredients();
    for (const partial of [{}, { boot: { paramsFile: true } }]) {
      const config = mergeConfig(defaultConfig(), partial);
      expect(
        buildImages({ config, ingredients })
          .files.map((f) => f.name)
          .sort(),
      ).toEqual(outputNames(config).sort());
    }
  });
});

describe("the root tarball's gunzip is bounded by what the image can hold", () => {
  it("a gzip bomb stops at rootArchiveLimit, as E_GZIP at root.source", async () => {
    const { gzip9: gzip } = await import("../../src/fs/gzip.ts");
    const { planBuild } = await import("../../src/build.ts");
    const config = mergeConfig(defaultConfig(), { root: { source: "tar" } });
    const bomb = gzip(new Uint8Array(rootArchiveLimit(config) + 1));
    expect(bomb.length).toBeLessThan(1 << 20);
    const e = thrownLooproot(() => planBuild({ config, ingredients: loadIngredients(), rootArchive: bomb }));
    expect([e.code, e.field, e.limit]).toEqual([ErrorCode.Gzip, "root.source", rootArchiveLimit(config)]);
  });
});
