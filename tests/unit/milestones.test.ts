import { describe, it, expect } from "vitest";
import { MilestoneTracker, MILESTONES, INIT_READY } from "../../emulator/milestones.ts";
import { verdictHint } from "../../emulator/hints.ts";
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
    const bad = BOOT.map((l) =>
      l
        .replace("rootdev 7:0", "rootdev 8:1")
        .replace("swap /dev/loop1 partition 8188", "x")
        .replace("linuxswp.img 8388608", "linuxswp.img 1"),
    );
    const failed = verifyReport(defaultConfig(), parseReport(bad))
      .filter((c) => !c.ok)
      .map((c) => c.what);
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
    for (const msg of [
      "can't open image file for initrd",
      "no place after kernel for initrd",
      "IO-error while reading initrd",
      "Image file not found,",
    ]) {
      const t = new MilestoneTracker();
      t.feedSerial("LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>\n" + msg + "\n", 5);
      expect(t.failure, msg).toMatchObject({ stage: "kernel", title: "LOADLIN failed" });
    }
  });
});

describe("one guest protocol: every line the scripts print is recognised", () => {
  // Sample values for the shell expansions in the echo lines, as a guest would fill them.
  const VALUES: Record<string, string> = {
    dev: "7:0",
    r: "ext2 rw,relatime",
    l: "loop0",
    f: "/initrd/mnt/linux/linuxdsk.img",
    name: "/dev/loop1",
    type: "partition",
    size: "8188",
    src: "/dev/sda1",
    mnt: "/initrd/mnt",
    fs: "msdos",
    v: "60000",
  };
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
    mergeConfig(defaultConfig(), {
      dos: { fsType: "vfat", directory: "LR", rootFile: "ROOT.IMG", openPermissions: true },
    }),
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
    for (const want of [
      "linuxrc-mount",
      "loop-setup",
      "init",
      "swap",
      "dos-readable",
      "loop-root",
      "init-ready",
      "failure: /linuxrc could not mount the DOS partition",
      "failure: /linuxrc could not set up a loop device",
      "initrd: trying",
    ]) {
      expect(recognised.has(want), want).toBe(true);
    }
    for (const key of [
      "rc-started",
      "root-rw",
      "swapon-ok",
      "report-begin",
      "kernel",
      "rootdev",
      "rootfs",
      "loop0",
      "loop1",
      "swap",
      "dosmount",
      "dosfile",
      "memtotal",
      "report-end",
      "shell",
    ]) {
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
    const commands = w
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .flatMap((l) => [...l.matchAll(/(?:^|[;&|]\s*|\bdo |\bthen |\$\()\s*([a-z][\w-]*)/g)].map((m) => m[1]));
    const builtins = new Set([
      "bb",
      "export",
      "echo",
      "while",
      "read",
      "do",
      "done",
      "for",
      "in",
      "r",
      "n",
      "f",
      "k",
      "exec",
      "l",
      "break",
    ]);
    const outside = [...new Set(commands.filter((c) => !builtins.has(c)))];
    expect(outside).toEqual([]);
    expect(w).toContain("$bb swapon /dev/loop1");
    // uname -r and hostname without a process: the shell reads and writes /proc itself.
    expect(w).toContain("read k < /proc/sys/kernel/osrelease");
    expect(w).not.toContain("uname");
    expect(rcScript(defaultConfig())).toContain("printf '%s\\n' looproot > /proc/sys/kernel/hostname");
  });
});

describe("a serial line that arrives in pieces", () => {
  const report = BOOT.slice(BOOT.indexOf("LOOPROOT: rc started"));
  const head = BOOT.slice(0, BOOT.indexOf("LOOPROOT: rc started"));

  it("is one line when its newline comes, however the bytes were cut", () => {
    const text = BOOT.join("\r\n") + "\r\n";
    // Every cut size from one byte up, and an uneven mix: the same milestones, evidence and times order.
    for (const sizes of [[1], [2], [3], [7], [64], [1, 5, 2, 11, 3]]) {
      const t = new MilestoneTracker();
      for (let at = 0, k = 0; at < text.length; k++) {
        const n = sizes[k % sizes.length];
        t.feedSerial(text.slice(at, at + n), at);
        at += n;
      }
      expect([...t.reached.keys()], String(sizes)).toEqual(MILESTONES.map((m) => m.id));
      expect(t.reached.get("loop-setup")!.evidence).toBe("INITRD: Loop devices set up");
      expect(t.failure).toBeUndefined();
    }
  });

  it("a kernel line written into the middle of a script's line does not hide either", () => {
    const t = new MilestoneTracker();
    head.slice(0, 8).forEach((l) => t.feedSerial(l + "\n", 1));
    // As a timed UART (Bochs, a real PC) delivers them when /linuxrc and printk write at once.
    for (const piece of [
      "INITRD: Loop dev",
      "[    2.100000] VFS: Mounted root (ext2 filesystem) readonly on device 7:0.\n",
      "ices set up\n",
    ])
      t.feedSerial(piece, 2);
    expect(t.reached.get("loop-setup")?.evidence).toBe("INITRD: Loop devices set up");
    expect(t.reached.has("root-mounted")).toBe(true);
    // And the other way round: the report's end cut by a kernel line.
    for (const l of head.slice(10)) t.feedSerial(l + "\n", 3);
    for (const l of report.slice(0, -2)) t.feedSerial(l + "\n", 3);
    for (const piece of ["LOOPROOT: repo", "[    3.000000] random: crng init done\n", "rt-end\n"])
      t.feedSerial(piece, 4);
    expect(t.reached.get("loop-root")?.evidence).toBe("LOOPROOT: report-end");
    expect(t.failure).toBeUndefined();
  });
});

describe("the root's own init, after looproot's report", () => {
  const upToReport = BOOT.slice(0, BOOT.indexOf("LOOPROOT: report-end") + 1);
  const booted = () => {
    const t = new MilestoneTracker();
    upToReport.forEach((l, i) => t.feedSerial(l + "\n", i * 10));
    expect(t.stage).toBe("init-ready");
    return t;
  };

  it("is ready at the sign its kind of init prints: each one, and a login prompt before its newline", () => {
    const signs: [string, string][] = [
      ["[  OK  ] Reached target multi-user.target - Multi-User System.\n", "systemd reached its default target"],
      ["[  OK  ] Reached target Graphical Interface.\n", "systemd reached its default target"],
      ["INIT: Entering runlevel: 2\n", "sysvinit entered its runlevel"],
      ["- runit: $Id: 25da3b82 $: enter stage: 2\n", "runit entered stage 2"],
      ["LOOPROOT: shell ready on /dev/ttyS0\n", "a shell answers on the serial console"],
      // A shell run before /proc is mounted answers with nothing after "on".
      ["LOOPROOT: shell ready on \r\n", "a shell answers on the serial console"],
      ["\r\nDebian GNU/Linux 12 debian ttyS0\r\n\r\ndebian login: ", "a login prompt"],
    ];
    for (const [text, what] of signs) {
      const t = booted();
      const events = t.feedSerial(text, 5000);
      expect(
        events.map((e) => ("stage" in e ? `failure: ${e.id}` : e.id)),
        text,
      ).toEqual(["init-ready"]);
      expect(INIT_READY.find((r) => r.match.test(t.reached.get("init-ready")!.evidence))?.what, text).toBe(what);
      expect(t.done).toBe(true);
    }
    // getty on the screen (tty1) counts too.
    const s = booted();
    s.feedScreen(["Debian GNU/Linux 12 debian tty1", "", "debian login:"], 6000);
    expect(s.reached.get("init-ready")?.evidence).toBe("debian login:");
  });

  it("is not ready on a target on the way, or on the harness's probe echoed back", () => {
    const t = booted();
    t.feedSerial(
      "[  OK  ] Reached target basic.target - Basic System.\nsystemd-logind.service - User Login Management\n",
      100,
    );
    t.feedSerial(SHELL_PROBE.replace("\n", "\r\n"), 200);
    t.feedSerial("INIT: Entering runlevel: S\n", 300);
    expect(t.reached.has("init-ready")).toBe(false);
  });

  it("freezing, ending or panicking is a failure at this stage, with the init's line", () => {
    const cases: [string, string][] = [
      ["[!!!!!!] Failed to mount API filesystems.\nsystemd[1]: Freezing execution.\n", "the root's init froze"],
      ["[    9.000000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n", "init exited"],
      ["[    9.000000] Kernel panic - not syncing: Oops\n", "kernel panic"],
    ];
    for (const [text, title] of cases) {
      const t = booted();
      t.feedSerial(text, 9000);
      expect(t.failure, text).toMatchObject({ stage: "init-ready", title });
    }
  });

  it("a stall here is silence: any line of the guest's is progress, the probe's echo is not", () => {
    const t = booted();
    const at = (upToReport.length - 1) * 10;
    t.feedSerial("[  OK  ] Started some.service.\n", at + 150_000);
    expect(t.overdue(at + 300_000)).toBeUndefined();
    for (let s = 160_000; s <= 340_000; s += 3000) t.feedSerial(SHELL_PROBE, at + s);
    expect(t.overdue(at + 331_000)?.id).toBe("init-ready");
  });
});

describe("the kernel's setup code refusing the machine, on the screen only", () => {
  it("is named at once, at the kernel's stage", () => {
    const t = new MilestoneTracker();
    t.feedSerial(BOOT.slice(0, 4).join("\n") + "\n", 1);
    t.feedScreen(
      [
        "LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>",
        "This kernel requires an i686 CPU, but only detected an i486 CPU.",
        "Unable to boot - please use a kernel appropriate for your CPU.",
      ],
      900,
    );
    expect(t.failure).toMatchObject({
      stage: "kernel",
      title: "the kernel refused this CPU",
      evidence: "This kernel requires an i686 CPU, but only detected an i486 CPU.",
    });
  });

  it("a video mode the card lacks (its menu waits for good) is named too; vga=ask's own prompt, which goes on after 30 s, is not a failure", () => {
    const ask = new MilestoneTracker();
    ask.feedScreen(
      [
        "LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>",
        "Press <ENTER> to see video modes available, <SPACE> to continue, or wait 30 sec",
      ],
      900,
    );
    expect(ask.failure).toBeUndefined();
    const t = new MilestoneTracker();
    t.feedScreen(
      [
        "LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>",
        "Undefined video mode number: 999",
        "Press <ENTER> to see video modes available, <SPACE> to continue, or wait 30 sec",
      ],
      900,
    );
    expect(t.failure).toMatchObject({ stage: "kernel", title: "the kernel's setup code asks for a video mode" });
  });
});

describe("hints from the guest's lines and the kernel arguments", () => {
  const c = (extraArgs: string, source = "builtin") =>
    mergeConfig(defaultConfig(), { boot: { extraArgs }, root: { source } });
  it("an init= in the kernel arguments is named, for the failures after the loop root is mounted", () => {
    for (const [stage, id] of [
      ["init", "init-exited"],
      ["init", "shell-as-init"],
      ["init", "stalled"],
    ] as const) {
      const h = verdictHint({ stage, id }, c("console=tty0 console=ttyS0 init=/bin/sh"), [])!;
      expect(h.sentence).toMatch(/init=\/bin\/sh \(boot\.extraArgs\)/);
      expect(h.fields).toEqual(["boot.extraArgs"]);
    }
    expect(verdictHint({ stage: "init", id: "init-exited" }, c("console=ttyS0"), [])).toBeUndefined();
    expect(verdictHint({ stage: "kernel", id: "panic" }, c("init=/bin/sh"), [])).toBeUndefined();
  });
  it("an init that ran and ended is told apart from one that could not start (the page's table names that one)", () => {
    const c0 = c("console=ttyS0", "tar");
    expect(verdictHint({ stage: "init-ready", id: "init-exited" }, c0, ["my init: bye"])?.sentence).toMatch(
      /ended after looproot's report/,
    );
    expect(
      verdictHint({ stage: "init-ready", id: "init-exited" }, c0, [
        "/sbin/looproot-init: exec: line 12: /sbin/init: Exec format error",
      ]),
    ).toBeUndefined();
    expect(
      verdictHint({ stage: "init-ready", id: "init-exited" }, c0, ["/sbin/init: line 1: ELF\x90\x90: not found"]),
    ).toBeUndefined();
  });
  it("systemd without its API filesystems points at the kernel", () => {
    const h = verdictHint({ stage: "init-ready", id: "init-froze" }, c("console=ttyS0", "tar"), [
      "[!!!!!!] Failed to mount API filesystems.",
      "systemd[1]: Freezing execution.",
    ])!;
    expect(h.sentence).toMatch(/kernel lacks what systemd needs.*boot\.kernel = "distro"/);
  });
});
