// The case: `build --set swap.sizeMiB=16` then a plain `boot` (no config repeated) verifies,
// from looproot-config.json beside the images and, with that file gone, from the images alone.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = (args: string[]) =>
  spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout: 170_000 });

describe("build with a changed config, then boot", () => {
  const out = mkdtempSync(join(tmpdir(), "lr-knows-"));
  const boot = () =>
    cli([
      "boot",
      "--engine",
      "qemu",
      "--floppy",
      join(out, "floppy.img"),
      "--disk",
      join(out, "disk.img"),
      "--timeout",
      "150",
    ]);

  it("verifies without repeating the config, from the build-info file and from the images", () => {
    const b = cli(["build", "--out", out, "--set", "swap.sizeMiB=16", "--set", "dos.swapFile=SWAP16.IMG"]);
    expect(b.status, b.stderr).toBe(0);
    const r = boot();
    expect(r.status, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toContain(`the config from ${join(out, "looproot-config.json")}`);
    expect(r.stdout).toMatch(/ok\s+swap on \/dev\/loop1: \/dev\/loop1, 16380 KiB/);
    // Neither the build-info file nor the set manifest (which has the config too): the images alone.
    renameSync(join(out, "looproot-config.json"), join(out, "elsewhere.json"));
    renameSync(join(out, "looproot-set.json"), join(out, "elsewhere-set.json"));
    const r2 = boot();
    expect(r2.status, r2.stdout.slice(-3000)).toBe(0);
    expect(r2.stdout).toContain("the config from the images");
    expect(r2.stdout).toMatch(/ok\s+\/DOS lists SWAP16\.IMG: 16777216 bytes/);
    rmSync(out, { recursive: true, force: true });
  }, 400_000);
});
