// `boot` knows what was built: build writes looproot-config.json beside the images, and without it
// the same settings are read back from the images (the LOADLIN line, the files in C:\).
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, rmSync, copyFileSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, BOOT_HELP } from "../../src/cli/main.ts";
import { knownBuild, configFromImages, BUILD_INFO_FILE } from "../../src/cli/buildinfo.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
const read = (p: string) => new Uint8Array(readFileSync(p));

describe("boot knows what was built", () => {
  const sets = [
    "swap.sizeMiB=16",
    "root.sizeMiB=20",
    "dos.directory=LR",
    "dos.rootFile=ROOT.IMG",
    "dos.swapFile=SWAP.IMG",
    "boot.paramsFile=true",
    "boot.root=/dev/loop0",
    "boot.extraArgs=console=ttyS0 quiet",
  ];
  const want = sets.reduce((c, s) => {
    const [k, v] = s
      .split("=", 2)
      .concat(s.slice(s.indexOf("=") + 1))
      .filter((_, i) => i !== 1);
    const [a, b] = k.split(".");
    return mergeConfig(c, { [a]: { [b]: /^\d+$/.test(v) ? Number(v) : v === "true" ? true : v } });
  }, defaultConfig());

  it("build writes the config and a summary; boot finds it, or reads the same from the images", async () => {
    const out = mkdtempSync(join(tmpdir(), "lr-buildinfo-"));
    try {
      const r = await cli(["build", "--out", out, ...sets.flatMap((s) => ["--set", s])]);
      expect(r.code, r.err).toBe(0);
      const info = JSON.parse(readFileSync(join(out, BUILD_INFO_FILE), "utf8"));
      expect(info.config).toEqual(want);
      expect(info.summary.disk.swap).toEqual({ file: "SWAP.IMG", bytes: 16 * 1048576 });
      expect(info.summary.disk.directory).toBe("C:\\LR");
      const fl = join(out, "floppy.img"),
        dk = join(out, "disk.img");
      const k = knownBuild(fl, dk, read(fl), read(dk));
      expect(k.from).toBe(join(out, BUILD_INFO_FILE));
      expect(k.config).toEqual(want);

      // Without the build-info file, the output set's manifest (which has the config too) serves.
      renameSync(join(out, BUILD_INFO_FILE), join(out, "moved.json"));
      const kset = knownBuild(fl, dk, read(fl), read(dk));
      expect(kset.from).toBe(join(out, "looproot-set.json"));
      expect(kset.config).toEqual(want);

      // Without either (images copied elsewhere): the images say the same about what boot checks.
      const bare = join(out, "bare");
      mkdirSync(bare);
      copyFileSync(fl, join(bare, "floppy.img"));
      copyFileSync(dk, join(bare, "disk.img"));
      const k2 = knownBuild(join(bare, "floppy.img"), join(bare, "disk.img"), read(fl), read(dk));
      expect(k2.from).toMatch(/^the images/);
      for (const key of ["dos", "swap", "boot", "floppy"] as const) expect(k2.config[key]).toEqual(want[key]);
      expect(k2.config.root.sizeMiB).toBe(20);
      expect(k2.config.disk.sizeMiB).toBe(want.disk.sizeMiB);

      // A file that describes other images (sizes differ) is not trusted.
      rmSync(join(bare, "disk.img"));
      const other = new Uint8Array(read(dk).length + 512);
      other.set(read(dk));
      const k3 = knownBuild(fl, dk, read(fl), other);
      expect(k3.from).toMatch(/^the images/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it("images that are not a looproot build are refused with the image's problem", () => {
    expect(() => configFromImages(new Uint8Array(1474560), new Uint8Array(1048576))).toThrow(
      /--floppy: not a boot floppy/,
    );
  });

  it("boot --help lists every option boot takes", async () => {
    const r = await cli(["boot", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(BOOT_HELP);
    for (const o of ["--floppy", "--disk", "--engine", "--timeout", "--json", "--config", "--set"])
      expect(r.out).toContain(o);
    expect(r.out).toContain(BUILD_INFO_FILE);
  });
});
