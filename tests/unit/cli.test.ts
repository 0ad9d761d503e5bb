import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync, existsSync, statSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { main, parseArgs, setToPartial, HELP } from "../../src/cli/main.ts";
import { defaultConfig } from "../../src/config.ts";
import { planBuild } from "../../src/build.ts";
import { ErrorCode } from "../../src/errors.ts";
import { loadIngredients, IMAGES, INGREDIENT_FILES } from "../../src/node/ingredients.ts";
import { writeTar } from "../../src/fs/tar.ts";
import { thrown, thrownLooproot } from "./thrown.ts";

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("looproot CLI", () => {
  it("--help documents every option", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--out", "--config", "--rootfs", "--set", "--floppy", "--disk", "--timeout", "--json", "--engine"])
      expect(r.out).toContain(o);
    expect(HELP).toContain("Exit codes");
  });
  it("parses options and --set values by the default's type", () => {
    const a = parseArgs([
      "build",
      "--out",
      "x",
      "--set",
      "swap.sizeMiB=16",
      "--set=dos.openPermissions=true",
      "--json",
    ]);
    expect(a.command).toBe("build");
    expect(a.opts.get("--out")).toBe("x");
    expect(setToPartial("swap.sizeMiB=16")).toEqual({ swap: { sizeMiB: 16 } });
    expect(setToPartial("dos.openPermissions=true")).toEqual({ dos: { openPermissions: true } });
    expect(() => setToPartial("swap.size=1")).toThrow(/not a known setting/);
    expect(() => setToPartial("swap.sizeMiB=lots")).toThrow(/must be a whole number/);
  });
  it("bad input: exit 2, the field and the limit, nothing written", async () => {
    const out = mkdtempSync(join(tmpdir(), "lr-cli-"));
    const r = await cli(["build", "--out", out, "--set", "dos.device=/dev/hda1", "--set", "swap.sizeMiB=0"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("dos.device: /dev/hda1 is the HOWTO's name");
    expect(r.err).toContain("swap.sizeMiB: 0 MiB is outside the allowed range 1..2,048 MiB");
    expect(readdirSync(out)).toEqual([]);
    expect((await cli(["build"])).err).toContain("build needs --out DIR");
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["build", "--out", out, "--bogus"])).err).toContain("unknown option --bogus");
    const bad = join(out, "bad.json");
    writeFileSync(bad, "{ not json");
    expect((await cli(["build", "--out", out, "--config", bad])).err).toMatch(/--config .*not valid JSON/);
    writeFileSync(bad, JSON.stringify({ swap: { sizeMB: 3 } }));
    expect((await cli(["build", "--out", out, "--config", bad])).err).toContain("swap.sizeMB: is not a known setting");
    expect((await cli(["build", "--out", out, "--rootfs", join(out, "missing.tar")])).err).toContain("no such file");
  });
  it("npx looproot build writes every file, and the config command round-trips", () => {
    const out = mkdtempSync(join(tmpdir(), "lr-cli-"));
    const cfg = join(out, "c.json");
    writeFileSync(cfg, execFileSync("node", ["bin/looproot.mjs", "config"], { encoding: "utf8" }));
    const r = spawnSync(
      "node",
      ["bin/looproot.mjs", "build", "--out", join(out, "o"), "--config", cfg, "--set", "swap.sizeMiB=4"],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(join(out, "o")).sort();
    expect(files).toEqual(
      [
        "AUTOEXEC.BAT",
        "disk.img",
        "floppy.img",
        "fstab",
        "initrd.img",
        "initrdgz.img",
        "linuxdsk.img",
        "linuxrc",
        "linuxswp.img",
        "looproot-config.json",
        "looproot-set.json",
        "rcS",
      ].sort(),
    );
    expect(statSync(join(out, "o", "linuxswp.img")).size).toBe(4 * 1048576);
    expect(existsSync(join(out, "o", ".partial"))).toBe(false);
  });
  it("images/ incomplete: exit 2 with one line naming the missing file and npm run images", () => {
    // A stand-in images/ with every file but the kernel (links to the real ones).
    const dir = mkdtempSync(join(tmpdir(), "lr-images-"));
    for (const rel of Object.values(INGREDIENT_FILES)) {
      if (rel === INGREDIENT_FILES.kernel) continue;
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      symlinkSync(join(IMAGES, rel), join(dir, rel));
    }
    const r = spawnSync("node", ["bin/looproot.mjs", "build", "--out", join(dir, "out")], {
      encoding: "utf8",
      env: { ...process.env, LOOPROOT_IMAGES: dir },
    });
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`images/${INGREDIENT_FILES.kernel}`);
    expect(lines[0]).toContain("npm run images");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
  it("a bug is reported as a bug: exit 3, please report, the stack", async () => {
    const err: string[] = [];
    let calls = 0;
    const code = await main(["config"], {
      out: () => {
        if (calls++ === 0) throw new TypeError("simulated bug");
      },
      err: (s) => err.push(s),
    });
    expect(code).toBe(3);
    expect(err[0]).toMatch(/this is a bug in looproot, please report it/);
    expect(err.join("\n")).toContain("TypeError: simulated bug");
    expect(err.join("\n")).toMatch(/at .*cli\.test\.ts/); // the stack
  });
  it("planBuild: a tarball's problem is E_TAR at root.source; a foreign exception propagates as itself", () => {
    const config = { ...defaultConfig(), root: { ...defaultConfig().root, source: "tar" as const } };
    const ingredients = loadIngredients();
    const noShell = writeTar([{ path: "/etc", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 }]);
    const e = thrownLooproot(() => planBuild({ config, ingredients, rootArchive: noShell }));
    expect([e.code, e.field, e.problems.map((p) => p.field)]).toEqual([ErrorCode.Tar, "root.source", ["root.source"]]);
    // A foreign exception inside the root's reading (a bug), which must not come back as the user's root.source problem.
    const broken = {
      get length(): number {
        throw new TypeError("simulated bug in the reader");
      },
    };
    const bug = thrown(() => planBuild({ config, ingredients, rootArchive: broken as never }));
    expect(bug).toBeInstanceOf(TypeError);
  });
  it("keys errors on codes: usage, config shape, config values, input files", async () => {
    const e1 = thrownLooproot(() => parseArgs(["build", "--bogus"]));
    expect(e1.code).toBe(ErrorCode.Usage);
    const e2 = thrownLooproot(() => setToPartial("swap.size=1"));
    expect(e2.code).toBe(ErrorCode.Usage);
    const out = mkdtempSync(join(tmpdir(), "lr-cli-"));
    writeFileSync(join(out, "c.json"), JSON.stringify({ swap: { sizeMB: 3 } }));
    const r = await cli(["build", "--out", out, "--config", join(out, "c.json")]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toEqual([
      "looproot: the config has problems, nothing was built:",
      "  swap.sizeMB: is not a known setting",
    ]);
  });
});
