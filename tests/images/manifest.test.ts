// The committed guest ingredients must match images/manifest.json, and the
// recipes must not have changed since their outputs were built.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  IMAGES_DIR,
  checkManifest,
  computeManifest,
  manifestText,
  recipeFolders,
} from "../../images/manifest.ts";

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A private copy of the recipe folders and the manifest, to tamper with. */
function copyImages(): string {
  const dir = mkdtempSync(join(tmpdir(), "looproot-manifest-"));
  temps.push(dir);
  for (const name of recipeFolders()) {
    cpSync(join(IMAGES_DIR, name), join(dir, name), {
      recursive: true,
      // Skip the build trees (images/*/work/): large, gitignored, not part of the recipe.
      filter: (src) => !relative(IMAGES_DIR, src).split("/").includes("work"),
    });
  }
  cpSync(join(IMAGES_DIR, "manifest.json"), join(dir, "manifest.json"));
  cpSync(join(IMAGES_DIR, "lib.sh"), join(dir, "lib.sh"));
  return dir;
}

describe("images/manifest.json", () => {
  it("matches every committed output and recipe", () => {
    expect(checkManifest()).toEqual([]);
  });

  it("is in canonical form (stable key order, trailing newline)", () => {
    const text = readFileSync(join(IMAGES_DIR, "manifest.json"), "utf8");
    expect(text).toBe(manifestText(computeManifest()));
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("lists the busybox and Debian ingredients with versions and licences", () => {
    const outputs = computeManifest().recipes.flatMap((r) => r.outputs);
    const byPath = new Map(outputs.map((o) => [o.path, o]));
    expect(byPath.get("images/busybox/busybox-initrd")?.source_package).toBe("busybox");
    expect(byPath.get("images/busybox/busybox-root")?.licence).toBe("GPL-2.0-only");
    expect(byPath.get("images/debian/LOADLIN.EXE")?.version).toBe("1.6f-10");
    expect(byPath.get("images/debian/bios.bin")?.licence).toBe("LGPL-3.0-only");
    for (const o of outputs) expect(o.version, o.path).toMatch(/^[0-9A-Za-z.+:~-]+$/);
  });

  it("names an output whose bytes no longer match", () => {
    const dir = copyImages();
    const file = join(dir, "busybox", "busybox-initrd");
    const data = readFileSync(file);
    data[1000] ^= 0xff;
    writeFileSync(file, data);
    const problems = checkManifest(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^images\/busybox\/busybox-initrd: .*does not match the manifest/);
  });

  it("names a recipe changed since its outputs were built", () => {
    const dir = copyImages();
    writeFileSync(join(dir, "busybox", "config-root"), `${readFileSync(join(dir, "busybox", "config-root"), "utf8")}# edited\n`);
    const problems = checkManifest(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^images\/busybox: recipe changed since the outputs were built/);
  });

  it("names a missing output", () => {
    const dir = copyImages();
    rmSync(join(dir, "debian", "bios.bin"));
    expect(checkManifest(dir)).toEqual([expect.stringMatching(/^images\/debian\/bios\.bin: missing/)]);
  });

  it("names a description edited in recipe.json but not in the manifest", () => {
    const dir = copyImages();
    const path = join(dir, "debian", "recipe.json");
    const recipe = JSON.parse(readFileSync(path, "utf8"));
    recipe.outputs[0].description = "something else";
    writeFileSync(path, JSON.stringify(recipe));
    expect(checkManifest(dir)).toEqual([expect.stringMatching(/^images\/debian\/LOADLIN\.EXE: description /)]);
  });
});

describe("size budgets", () => {
  it("busybox-initrd gzip -9 is at most 110 KiB (the initrd's budget is 128 KiB)", () => {
    const gz = execFileSync("gzip", ["-9", "-n", "-c", join(IMAGES_DIR, "busybox", "busybox-initrd")], {
      maxBuffer: 1 << 24,
    });
    expect(gz.length).toBeLessThanOrEqual(110 * 1024);
  });

  it("the default boot floppy keeps at least 100 KB free (mtools' count)", async () => {
    const { buildImages } = await import("../../src/build.ts");
    const { defaultConfig } = await import("../../src/config.ts");
    const { loadIngredients } = await import("../../src/node/ingredients.ts");
    const dir = mkdtempSync(join(tmpdir(), "lr-floppy-free-"));
    try {
      const file = join(dir, "floppy.img");
      writeFileSync(file, buildImages({ config: defaultConfig(), ingredients: loadIngredients(IMAGES_DIR) }).floppy);
      const out = execFileSync("mdir", ["-i", file, "::"], { encoding: "utf8", env: { ...process.env, MTOOLS_SKIP_CHECK: "1" } });
      const free = Number(out.match(/([\d ]+) bytes free/)![1].replace(/ /g, ""));
      expect(free).toBeGreaterThanOrEqual(100_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("LOADLIN.EXE is LOADLIN 1.6f's 61,952 bytes", () => {
    expect(statSync(join(IMAGES_DIR, "debian", "LOADLIN.EXE")).size).toBe(61952);
  });

  it("busybox builds are static i386 ELF executables", () => {
    for (const name of ["busybox-initrd", "busybox-root"]) {
      const head = readFileSync(join(IMAGES_DIR, "busybox", name)).subarray(0, 20);
      expect(head.subarray(0, 4).toString("latin1"), name).toBe("\x7fELF");
      expect(head[4], `${name} EI_CLASS`).toBe(1); // ELFCLASS32
      expect(head.readUInt16LE(16), `${name} e_type`).toBe(2); // ET_EXEC: static, not PIE
      expect(head.readUInt16LE(18), `${name} e_machine`).toBe(3); // EM_386
    }
  });
});
