// Issue 10's "Done means" for Debian: a Debian 12 i386 minbase with sysvinit made by debootstrap
// (scripts/debian-root.sh through tests/helpers/debian-root.ts, made once per run), packed with plain `tar -czf`, builds through
// `looproot build --rootfs`, boots to sysvinit's runlevel 2 in v86 and in QEMU, and `looproot boot`
// exits 0. Runs when LOOPROOT_DEBIAN_ROOT=1 or CI=true (debootstrap needs root and the mirror);
// LOOPROOT_DEBOOTSTRAP_FOREIGN=1 makes the script take the --foreign + qemu-i386-static way.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { config, boot, timeline } from "./chain.ts";
import { knownBuild } from "../../src/cli/buildinfo.ts";
import { debianRootEnabled as enabled, debianRootTarball } from "../helpers/debian-root.ts";
// 210 MiB unpacked (7,000 entries): 256 MiB holds it with room for the rc's writes.
const SETS = ["root.sizeMiB=256", "disk.sizeMiB=272"];
const cli = (args: string[], timeout = 600_000) => spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout });
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

describe.skipIf(!enabled)("a Debian 12 root made by debootstrap", () => {
  const out = mkdtempSync(join(tmpdir(), "lr-debian-"));
  let tarball = "";

  it("debootstrap makes it, and the build refuses too small a root by name and size", () => {
    const t0 = performance.now();
    const made = debianRootTarball();
    tarball = made.path;
    console.log(`debian-root.sh: ${secs(t0)} s (${made.said})`);
    const small = cli(["build", "--out", join(out, "small"), "--rootfs", tarball]);
    expect(small.status).toBe(2);
    expect(small.stderr).toMatch(/root\.sizeMiB: 24 MiB is too small for the root tarball .*: set root\.sizeMiB to at least \d{3}/);
  }, 1_600_000);

  it("builds with `looproot build --rootfs`, and `looproot boot` (QEMU) exits 0 at runlevel 2", () => {
    const t0 = performance.now();
    const b = cli(["build", "--out", out, "--rootfs", tarball, ...SETS.flatMap((s) => ["--set", s])]);
    expect(b.status, b.stderr).toBe(0);
    console.log(`build: ${secs(t0)} s`);
    const t1 = performance.now();
    const r = cli(["boot", "--engine", "qemu", "--floppy", join(out, "floppy.img"), "--disk", join(out, "disk.img"), "--timeout", "300"]);
    console.log(`looproot boot --engine qemu: ${secs(t1)} s, exit ${r.status}\n${r.stdout.slice(-2500)}`);
    expect(r.stdout).toContain("ok   root device: 7:0");
    expect(r.status, r.stdout.slice(-3000)).toBe(0);
  }, 1_000_000);

  for (const engine of ["qemu", "v86"] as const) {
    it(`boots in ${engine} to sysvinit's runlevel 2 on the loop root`, async () => {
      const floppy = new Uint8Array(readFileSync(join(out, "floppy.img")));
      const disk = new Uint8Array(readFileSync(join(out, "disk.img")));
      const c = knownBuild(join(out, "floppy.img"), join(out, "disk.img"), floppy, disk).config;
      expect(c.root.source).toBe("tar");
      const t0 = performance.now();
      // Runlevel 2 comes after the report; watch the console until it does, whenever the verdict ends.
      let serial = "";
      const { result, engine: machine } = await boot(engine, c, floppy, disk, {
        timeoutS: engine === "v86" ? 500 : 240,
        stopAtEnd: false,
        onEvent: (e) => { if (e.type === "line") serial += e.text + "\n"; },
      });
      console.log(`${engine} verdict after ${secs(t0)} s: ${result.summary}`);
      try {
        const until = performance.now() + 300_000;
        machine.onSerial((t) => { serial += t; });
        while (!/INIT: Entering runlevel: 2/.test(serial) && performance.now() < until) await new Promise((r) => setTimeout(r, 500));
      } finally {
        await machine.stop();
      }
      console.log(`${engine}: runlevel 2 ${/INIT: Entering runlevel: 2/.test(serial) ? "reached" : "not reached"} after ${secs(t0)} s`);
      expect(serial, timeline(result)).toMatch(/INIT: version 3\.\d+ booting/);
      expect(serial, serial.slice(-3000)).toMatch(/INIT: Entering runlevel: 2/);
      expect(result.report.rootdev).toBe("7:0");
      expect(result.ok, timeline(result)).toBe(true);
    }, 700_000);
  }

  it("cleans up", () => rmSync(out, { recursive: true, force: true }));
});
