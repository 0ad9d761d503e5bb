import { describe, it, expect } from "vitest";
import { MilestoneTracker, MILESTONES } from "../../emulator/milestones.ts";
import { parseReport, verifyReport } from "../../emulator/verify.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { linuxrcScript } from "../../src/howto/initrd.ts";
import { rcScript, wrapperInit, WRAPPER_BUSYBOX } from "../../src/howto/rootdev.ts";
import { SHELL_PROBE, INITRD_PATTERNS, parseReportLine, shellReadyLine } from "../../src/howto/protocol.ts";

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

describe("a boot that does not print every milestone", () => {
  // FreeDOS writes only to the screen (no DOS lines on serial); a low-memory boot drops the
  // kernel's first printk lines ("Linux version" among them).
  const sparse = BOOT.filter((l) => !/^LRDOS|^A:\\>|Linux version/.test(l));

  it("records the rest, names the missing ones 'not seen' and is not stuck on them", () => {
    const t = new MilestoneTracker();
    sparse.forEach((l, i) => t.feedSerial(l + "\n", i * 100));
    expect(t.failure).toBeUndefined();
    expect(t.done).toBe(true);
    expect(t.notSeen).toEqual(["dos", "autoexec", "kernel"]);
    expect(t.overdue(sparse.length * 100 + 500_000)).toBeUndefined();
  });

  it("takes milestones in any order, and the stage is the one after the furthest", () => {
    const t = new MilestoneTracker();
    t.feedSerial("INITRD: Mounted OK\n", 10);
    expect(t.stage).toBe("loop-setup");
    t.feedScreen(["LRDOS 1.0"], 20); // the screen is read later than the serial line arrived
    expect(t.stage).toBe("loop-setup");
    expect(t.reached.has("dos")).toBe(true);
    // The time limit runs from the last milestone reached, whichever it was.
    expect(t.overdue(20 + 29_000)).toBeUndefined();
    expect(t.overdue(20 + 31_000)!.id).toBe("loop-setup");
  });

  it("busybox init's missing rcS is the user's system once our init has run, a failure before", () => {
    const before = new MilestoneTracker();
    before.feedSerial("can't run '/etc/init.d/rcS': No such file or directory\n", 1);
    expect(before.failure?.title).toBe("init could not start");
    const after = new MilestoneTracker();
    after.feedSerial("LOOPROOT: rc started\ncan't run '/etc/init.d/rcS': No such file or directory\n", 1);
    expect(after.failure).toBeUndefined();
  });

  it("LOADLIN's own failure messages end the boot at once", () => {
    for (const msg of ["can't open image file for initrd", "no place after kernel for initrd", "IO-error while reading initrd", "Image file not found,"]) {
      const t = new MilestoneTracker();
      t.feedSerial("LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>\n" + msg + "\n", 5);
      expect(t.failure, msg).toMatchObject({ stage: "kernel", title: "LOADLIN failed" });
    }
  });
});

describe("one guest protocol: every line the scripts print is recognised", () => {
  // Sample values for the shell expansions in the echo lines, as a guest would fill them.
  const VALUES: Record<string, string> = { dev: "7:0", r: "ext2 rw,relatime", l: "loop0", f: "/initrd/mnt/linux/linuxdsk.img", name: "/dev/loop1", type: "partition", size: "8188", src: "/dev/sda1", mnt: "/initrd/mnt", fs: "msdos", v: "60000" };
  const expand = (words: string) =>
    words
      .replace(/\$\(\$bb stat -c %s "\$f"\)/g, "25165824")
      .replace(/\$\{f##\*\/\}/g, "linuxdsk.img")
      .replace(/\$\((?:\$bb )?uname -r\)/g, "6.1.0")
      .replace(/\$\((?:\$bb )?readlink \/proc\/self\/fd\/0\)/g, "/dev/ttyS0")
      .replace(/\$\{?(\w+)\}?/g, (_, v: string) => VALUES[v] ?? "X");
  /** The argument of every `echo` in a script, with its expansions filled in. */
  const echoed = (script: string) =>
    [...script.matchAll(/\becho (?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^;|&}\n]+))/g)]
      .map((m) => (m[1] ?? m[2] ?? m[3]).trim())
      // `for l in loop0 loop1` prints one line for each.
      .flatMap((w) => (w.includes("$l ") ? [w.replace("$l ", "loop0 "), w.replace("$l ", "loop1 ")] : [w]))
      .map(expand);

  const configs = [
    defaultConfig(),
    mergeConfig(defaultConfig(), { dos: { fsType: "vfat", directory: "LR", rootFile: "ROOT.IMG", openPermissions: true } }),
    mergeConfig(defaultConfig(), { root: { source: "tar", dosLink: false, fakeMount: false } }),
  ];

  it("for /linuxrc, the rc script, the wrapper init, the profile and the shell probe", () => {
    const recognised = new Set<string>();
    for (const c of configs) {
      const scripts = [linuxrcScript(c), rcScript(c), wrapperInit(c), shellReadyLine(), SHELL_PROBE];
      for (const script of scripts) {
        const lines = echoed(script);
        expect(lines.length, script).toBeGreaterThan(0);
        for (const line of lines) {
          const t = new MilestoneTracker();
          const events = t.feedSerial(line + "\n", 0);
          const report = parseReportLine(line);
          const trying = INITRD_PATTERNS.trying.test(line);
          expect(events.length > 0 || report !== undefined || trying, `not recognised: ${line}`).toBe(true);
          for (const e of events) recognised.add("stage" in e ? `failure: ${e.title}` : e.id);
          if (report) recognised.add(`report: ${report.key}`);
          if (trying) recognised.add("initrd: trying");
        }
      }
    }
    // Each side of the protocol is exercised: milestones, failures and every report key.
    for (const want of ["linuxrc-mount", "loop-setup", "init", "swap", "dos-readable", "shell", "failure: /linuxrc could not mount the DOS partition", "failure: /linuxrc could not set up a loop device", "initrd: trying"]) {
      expect(recognised.has(want), want).toBe(true);
    }
    for (const key of ["rc-started", "root-rw", "swapon-ok", "report-begin", "kernel", "rootdev", "rootfs", "loop0", "loop1", "swap", "dosmount", "dosfile", "memtotal", "report-end", "shell"]) {
      expect(recognised.has(`report: ${key}`), key).toBe(true);
    }
  });

  it("the report the rc lines print parses into a report the config verifies", () => {
    const c = defaultConfig();
    const report = parseReport(echoed(rcScript(c)));
    expect(report.complete).toBe(true);
    expect(report.initStarted).toBe(true);
    expect(report.rootdev).toBe("7:0");
    expect(report.swaps).toEqual([{ name: "/dev/loop1", type: "partition", sizeKiB: 8188 }]);
    expect(report.dosMounts).toEqual([{ source: "/dev/sda1", mountpoint: "/initrd/mnt", type: "msdos" }]);
  });

  it("the scripts' commands beyond the shell's builtins all go through the busybox they bring", () => {
    const w = wrapperInit(mergeConfig(defaultConfig(), { root: { source: "tar" } }));
    expect(w.split("\n")[0]).toBe(`#!${WRAPPER_BUSYBOX} sh`);
    const commands = w.split("\n").filter((l) => l && !l.startsWith("#")).flatMap((l) => [...l.matchAll(/(?:^|[;&|]\s*|\bdo |\bthen |\$\()\s*([a-z][\w-]*)/g)].map((m) => m[1]));
    const builtins = new Set(["bb", "export", "echo", "while", "read", "do", "done", "for", "in", "r", "n", "f", "k", "exec", "l", "break"]);
    const outside = [...new Set(commands.filter((c) => !builtins.has(c)))];
    expect(outside).toEqual([]);
    expect(w).toContain("$bb swapon /dev/loop1");
    // uname -r and hostname without a process: the shell reads and writes /proc itself.
    expect(w).toContain("read k < /proc/sys/kernel/osrelease");
    expect(w).not.toContain("uname");
    expect(rcScript(defaultConfig())).toContain("printf '%s\\n' looproot > /proc/sys/kernel/hostname");
  });
});
