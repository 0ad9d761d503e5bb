import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, parseArgs, setToPartial, HELP } from "../../src/cli/main.ts";
import { defaultConfig } from "../../src/config.ts";

async function cli(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("looproot CLI", () => {
  it("--help documents every option", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--out", "--config", "--rootfs", "--set", "--floppy", "--disk", "--timeout", "--json", "--engine"]) expect(r.out).toContain(o);
    expect(HELP).toContain("Exit codes");
  });
  it("parses options and --set values by the default's type", () => {
    const a = parseArgs(["build", "--out", "x", "--set", "swap.sizeMiB=16", "--set=dos.openPermissions=true", "--json"]);
    expect(a.command).toBe("build");
    expect(a.opts.get("--out")).toBe("x");
    expect(setToPartial("swap.sizeMiB=16", defaultConfig())).toEqual({ swap: { sizeMiB: 16 } });
    expect(setToPartial("dos.openPermissions=true", defaultConfig())).toEqual({ dos: { openPermissions: true } });
    expect(() => setToPartial("swap.size=1", defaultConfig())).toThrow(/not a known setting/);
    expect(() => setToPartial("swap.sizeMiB=lots", defaultConfig())).toThrow(/must be a number/);
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
    const r = spawnSync("node", ["bin/looproot.mjs", "build", "--out", join(out, "o"), "--config", cfg, "--set", "swap.sizeMiB=4"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(join(out, "o")).sort();
    expect(files).toEqual(["AUTOEXEC.BAT", "disk.img", "floppy.img", "fstab", "initrd.img", "initrdgz.img", "linuxdsk.img", "linuxrc", "linuxswp.img", "looproot-config.json", "rcS"].sort());
    expect(statSync(join(out, "o", "linuxswp.img")).size).toBe(4 * 1048576);
    expect(existsSync(join(out, "o", ".partial"))).toBe(false);
  });
});
