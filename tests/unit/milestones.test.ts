import { describe, it, expect } from "vitest";
import { MilestoneTracker, MILESTONES } from "../../emulator/milestones.ts";
import { parseReport, verifyReport } from "../../emulator/verify.ts";
import { defaultConfig } from "../../src/config.ts";

// Lines in the shape the guest prints them (the boot tests check the real thing).
const BOOT = [
  "Booting from Floppy...",
  "LRDOS 1.0",
  "A:\\>\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro",
  "LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>",
  "[    0.000000] Linux version 6.1.0 (looproot@looproot) #1",
  "[    1.000000] RAMDISK: gzip image found at block 0",
  "INITRD: Trying to mount /dev/sda1 as msdos",
  "INITRD: Mounted OK",
  "INITRD: Loop devices set up",
  "[    2.000000] VFS: Mounted root (ext2 filesystem) readonly on device 7:0.",
  // The kernel's printk continuation: the "okay" arrives as a line of its own.
  "Trying to move old root to /initrd ... ",
  "okay",
  "LOOPROOT: rc started",
  "LOOPROOT: report-begin",
  "LOOPROOT: kernel 6.1.0",
  "LOOPROOT: rootdev 7:0",
  "LOOPROOT: rootfs ext2 rw,relatime",
  "LOOPROOT: loop0 /initrd/mnt/linux/linuxdsk.img",
  "LOOPROOT: loop1 /initrd/mnt/linux/linuxswp.img",
  "LOOPROOT: swap /dev/loop1 partition 8188",
  "LOOPROOT: dosmount /dev/sda1 /initrd/mnt msdos",
  "LOOPROOT: dosfile linuxdsk.img 25165824",
  "LOOPROOT: dosfile linuxswp.img 8388608",
  "LOOPROOT: memtotal 60000",
  "LOOPROOT: report-end",
  "LOOPROOT: shell ready on /dev/ttyS0",
];

describe("milestones", () => {
  it("recognises every stage in order with its evidence", () => {
    const t = new MilestoneTracker();
    BOOT.forEach((l, i) => t.feedSerial(l + "\r\n", i * 100));
    expect(t.failure).toBeUndefined();
    expect([...t.reached.keys()]).toEqual(MILESTONES.map((m) => m.id));
    expect(t.reached.get("root-mounted")!.evidence).toContain("device 7:0");
    expect(t.done).toBe(true);
  });

  it("joins lines split across chunks", () => {
    const t = new MilestoneTracker();
    t.feedSerial("INITRD: Mou", 1);
    expect(t.reached.has("linuxrc-mount")).toBe(false);
    t.feedSerial("nted OK\n", 2);
    expect(t.reached.get("linuxrc-mount")!.atMs).toBe(2);
  });

  it("names the failed stage", () => {
    const t = new MilestoneTracker();
    BOOT.slice(0, 7).forEach((l, i) => t.feedSerial(l + "\n", i));
    t.feedSerial("INITRD: Mount failed\n", 50);
    expect(t.failure).toMatchObject({ stage: "linuxrc-mount", title: "/linuxrc could not mount the DOS partition" });
    const p = new MilestoneTracker();
    BOOT.slice(0, 9).forEach((l, i) => p.feedSerial(l + "\n", i));
    p.feedSerial("[ 3.0] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(7,0)\n", 60);
    expect(p.failure!.stage).toBe("root-mounted");
  });

  it("reports a stage that took too long", () => {
    const t = new MilestoneTracker();
    t.feedScreen(["Booting from Floppy..."], 1000);
    expect(t.overdue(5000)).toBeUndefined();
    expect(t.overdue(1000 + 21_000)!.id).toBe("dos");
  });
});

describe("guest report", () => {
  it("passes when the guest confirms the config", () => {
    const checks = verifyReport(defaultConfig(), parseReport(BOOT));
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(9);
  });
  it("fails on a wrong root device, a missing swap or a wrong size", () => {
    const bad = BOOT.map((l) => l.replace("rootdev 7:0", "rootdev 8:1").replace("swap /dev/loop1 partition 8188", "x").replace("linuxswp.img 8388608", "linuxswp.img 1"));
    const failed = verifyReport(defaultConfig(), parseReport(bad)).filter((c) => !c.ok).map((c) => c.what);
    expect(failed).toEqual(["root device", "swap on /dev/loop1", "/DOS lists LINUXSWP.IMG"]);
  });
  it("an incomplete report is not a pass", () => {
    const checks = verifyReport(defaultConfig(), parseReport(BOOT.slice(0, 16)));
    expect(checks.find((c) => c.what === "report complete")!.ok).toBe(false);
  });
});
