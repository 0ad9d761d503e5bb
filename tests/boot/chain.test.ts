// The whole chain, as the HOWTO describes it: BIOS, our DOS, AUTOEXEC.BAT, LOADLIN, Linux, the
// initrd's /linuxrc, the loop root with swap, proved by what the guest itself reports.
import { describe, it, expect } from "vitest";
import { runShellCommand } from "../../emulator/harness.ts";
import { MILESTONES } from "../../emulator/milestones.ts";
import { config, build, boot, timeline } from "./chain.ts";

describe("default images boot to a verified loop root", () => {
  const c = config();
  const images = build(c);

  it("in v86, and the shell on the serial console answers", async () => {
    const { result, engine } = await boot("v86", c, images.floppy, images.disk, { stopAtEnd: false });
    try {
      console.log("v86\n" + timeline(result));
      expect(result.ok, timeline(result)).toBe(true);
      expect(result.milestones.map((m) => m.id)).toEqual(MILESTONES.map((m) => m.id));
      const swaps = await runShellCommand(engine, "cat /proc/swaps", 30_000);
      expect(swaps).toMatch(/\/dev\/loop1\s+partition\s+8188/);
      const ls = await runShellCommand(engine, "ls /DOS/linux; df / | tail -n 1", 30_000);
      expect(ls).toContain("linuxdsk.img");
      expect(ls).toContain("linuxswp.img");
      expect(ls).toMatch(/^\/dev\/(root|loop0)\s/m);
    } finally {
      await engine.stop();
    }
  }, 300_000);

  it("in QEMU, with the same report", async () => {
    const { result } = await boot("qemu", c, images.floppy, images.disk);
    console.log("qemu\n" + timeline(result));
    expect(result.ok, timeline(result)).toBe(true);
    expect(result.report.rootdev).toBe("7:0");
    expect(result.report.swaps).toEqual([{ name: "/dev/loop1", type: "partition", sizeKiB: 8188 }]);
  }, 120_000);

  it("a changed choice shows in the guest: 16 MiB swap, vfat with open permissions, LOADLIN @params", async () => {
    const c2 = config({
      swap: { sizeMiB: 16 },
      disk: { sizeMiB: 56 },
      dos: { fsType: "vfat", openPermissions: true },
      boot: { paramsFile: true },
    });
    const im = build(c2);
    const { result } = await boot("qemu", c2, im.floppy, im.disk);
    expect(result.ok, timeline(result)).toBe(true);
    expect(result.report.swaps[0].sizeKiB).toBe(16 * 1024 - 4);
    expect(result.report.dosMounts[0].type).toBe("vfat");
    expect(result.lines.some((l) => /loadlin @\\LOADLIN\.PAR/i.test(l.text))).toBe(true);
  }, 120_000);
});
