// The boot chain's boxes (emulator/chain.ts): which milestones light which box, where a failure
// lands, what is "not seen", the evidence kept per box, and what each step reads, taken from a real
// boot floppy (LRDOS, and a user's DOS with other system file names) with mtools as the oracle.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MilestoneTracker,
  MILESTONES,
  FAILURES,
  type MilestoneEvent,
  type FailureEvent,
} from "../../emulator/milestones.ts";
import {
  CHAIN,
  FAILURE_BOX,
  ChainLog,
  boxStates,
  failureBox,
  chainFacts,
  readsFor,
  boxNote,
  LINES_PER_BOX,
  type BoxId,
  type BoxState,
} from "../../emulator/chain.ts";
import { makeBootFloppy } from "../../src/howto/bootfloppy.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import { ATTR_SYSTEM, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_ARCHIVE } from "../../src/fs/fat/index.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { buildImages } from "../../src/build.ts";

// Lines in the shape the guest prints them, with the times of a real v86 boot (ms since power-on).
const BOOT: [number, string][] = [
  [1038, "SeaBIOS (version 1.16.2-debian-1.16.2-1)"],
  [1100, "Booting from Floppy..."],
  [1204, "LRDOS 1.0"],
  [1222, "A:\\>\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0"],
  [1248, "LOADLIN v1.6f (C) 1994..2002 Hans Lermen <lermen@fgan.de>"],
  [3827, "[    0.000000] Linux version 6.1.176 (looproot@looproot) #1"],
  [3830, "[    0.000000] Command line: root=/dev/loop0 ro console=tty0 console=ttyS0"],
  [5943, "[    1.000000] RAMDISK: gzip image found at block 0"],
  [6900, "INITRD: Trying to mount /dev/sda1 as msdos"],
  [7096, "INITRD: Mounted OK"],
  [7440, "INITRD: Loop devices set up"],
  [7478, "[    2.000000] VFS: Mounted root (ext2 filesystem) readonly on device 7:0."],
  [7480, "Trying to move old root to /initrd ... "],
  [7481, "okay"],
  [8003, "LOOPROOT: rc started"],
  [8100, "LOOPROOT: report-begin"],
  [8110, "LOOPROOT: rootdev 7:0"],
  [8120, "LOOPROOT: loop0 /initrd/mnt/linux/linuxdsk.img"],
  [8130, "LOOPROOT: loop1 /initrd/mnt/linux/linuxswp.img"],
  [8687, "LOOPROOT: swap /dev/loop1 partition 8188"],
  [8800, "LOOPROOT: dosmount /dev/sda1 /initrd/mnt msdos"],
  [8917, "LOOPROOT: dosfile linuxdsk.img 25165824"],
  [9000, "LOOPROOT: report-end"],
  [9739, "LOOPROOT: shell ready on /dev/ttyS0"],
];

/** Feeds lines through the real milestone tracker into a ChainLog, as the page does with the harness's events. */
function run(lines: [number, string][], until = lines.length) {
  const tracker = new MilestoneTracker();
  const log = new ChainLog();
  const order: BoxId[] = [];
  let states = boxStates({ reached: [], stage: "bios" });
  for (const [at, text] of lines.slice(0, until)) {
    const events = tracker.feedSerial(text + "\n", at);
    log.line(at, text);
    for (const e of events) {
      if ("stage" in e) log.fail(e as FailureEvent);
      else log.milestone(e as MilestoneEvent);
    }
    const next = boxStates({
      reached: log.reached,
      failure: log.failure,
      stage: log.failure ? undefined : tracker.stage,
    });
    for (const b of CHAIN) if (next[b.id] === "reached" && states[b.id] !== "reached") order.push(b.id);
    states = next;
  }
  return { tracker, log, states, order };
}

const only = (s: Record<BoxId, BoxState>, st: BoxState) => CHAIN.filter((b) => s[b.id] === st).map((b) => b.id);

describe("the chain's boxes", () => {
  it("every milestone proves a box, and every failure of the tracker's table has an id of its own", () => {
    for (const m of MILESTONES)
      expect(
        CHAIN.some((b) => b.proof.includes(m.id)),
        m.id,
      ).toBe(true);
    expect(new Set(FAILURES.map((f) => f.id)).size).toBe(FAILURES.length);
    const ids = new Set<string>([...FAILURES.map((f) => f.id), "emulator-crashed", "shell-as-init", "stalled"]);
    for (const id of Object.keys(FAILURE_BOX)) expect(ids.has(id), id).toBe(true);
    // The boxes the issue names, in boot order.
    expect(CHAIN.map((b) => b.id)).toEqual([
      "bios",
      "boot-sector",
      "dos",
      "command",
      "autoexec",
      "loadlin",
      "kernel",
      "initrd",
      "linuxrc",
      "loop0",
      "loop1",
      "pivot",
      "init",
      "loop-root",
      "ready",
    ]);
  });

  it("a verified boot lights every box, in chain order", () => {
    const { states, order } = run(BOOT);
    expect(only(states, "reached")).toEqual(CHAIN.map((b) => b.id));
    expect(order).toEqual(CHAIN.map((b) => b.id));
  });

  it("mid-boot: the boxes up to the kernel are lit, the initrd is the running step, the rest wait", () => {
    const { states } = run(BOOT, 7);
    expect(only(states, "reached")).toEqual(["bios", "boot-sector", "dos", "command", "autoexec", "loadlin", "kernel"]);
    expect(only(states, "active")).toEqual(["initrd"]);
    expect(only(states, "pending")).toEqual(["linuxrc", "loop0", "loop1", "pivot", "init", "loop-root", "ready"]);
  });

  it("a DOS that prints nothing of its own: its boxes are not seen, not failed, and the chain goes on", () => {
    const { states } = run(BOOT.filter(([, t]) => t !== "LRDOS 1.0"));
    expect(only(states, "not-seen")).toEqual(["boot-sector", "dos"]);
    expect(only(states, "failed")).toEqual([]);
    expect(states.ready).toBe("reached");
  });

  it("/linuxrc's mount failing: its box is red with the failure's line and the lines before it; later boxes stay pending", () => {
    const lines: [number, string][] = [
      ...BOOT.slice(0, 9),
      [7000, "FAT-fs (sda1): invalid media value (0xf1)"],
      [7010, "INITRD: Mount failed"],
      [7500, "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(7,0)"],
    ];
    const { states, log } = run(lines);
    expect(only(states, "failed")).toEqual(["linuxrc"]);
    expect(only(states, "active")).toEqual([]);
    expect(only(states, "pending")).toEqual(["loop0", "loop1", "pivot", "init", "loop-root", "ready"]);
    const ev = log.evidence("linuxrc");
    expect(ev.find((l) => l.role === "failure")).toEqual({
      atMs: 7000,
      text: "FAT-fs (sda1): invalid media value (0xf1)",
      role: "failure",
    });
    expect(ev.map((l) => l.text)).toContain("INITRD: Trying to mount /dev/sda1 as msdos");
    // Time order, each line once.
    expect(ev.map((l) => l.atMs)).toEqual([...ev.map((l) => l.atMs)].sort((a, b) => a - b));
    expect(new Set(ev.map((l) => l.text)).size).toBe(ev.length);
  });

  it("a failure lands on its own step, not on the stage that was awaited", () => {
    // Keyed by the failure's id: its title is words for people, reworded freely.
    const at = (stage: FailureEvent["stage"], id: FailureEvent["id"], evidence = "") =>
      failureBox({ id, stage, title: "any words", atMs: 0, evidence });
    expect(at("kernel", "loadlin")).toBe("loadlin");
    expect(at("dos", "dos-kernel")).toBe("boot-sector");
    expect(at("loop-setup", "losetup", "INITRD: losetup /dev/loop1 /mnt/linux/linuxswp.img failed")).toBe("loop1");
    expect(at("loop-setup", "losetup", "INITRD: losetup /dev/loop0 /mnt/linux/linuxdsk.img failed")).toBe("loop0");
    expect(at("swap", "swapon")).toBe("loop1");
    // A panic, a crash or a stall: the box of the stage that was running.
    expect(at("init", "panic")).toBe("init");
    expect(at("initrd", "stalled")).toBe("initrd");
    expect(at("root-mounted", "emulator-crashed")).toBe("pivot");
    // Through the tracker: LOADLIN's own error after its banner.
    const { states } = run([...BOOT.slice(0, 5), [1300, "Image file not found"]]);
    expect(only(states, "failed")).toEqual(["loadlin"]);
    expect(states.kernel).toBe("pending");
  });

  it("keeps at most LINES_PER_BOX lines a box, however much the guest prints, and a line seen twice once", () => {
    const log = new ChainLog();
    for (let i = 0; i < 10_000; i++) log.line(i, `[ 1.0] VFS: line ${i}`);
    log.line(1, "INITRD: Trying to mount /dev/sda1 as msdos");
    log.line(2, "INITRD: Trying to mount /dev/sda1 as msdos");
    expect(log.evidence("pivot")).toHaveLength(LINES_PER_BOX);
    expect(log.evidence("linuxrc")).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

const ing = loadIngredients();
const initrdRaw = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
const parts = { kernel: ing.kernel, initrdGz: gzip9(initrdRaw), loadlin: ing.loadlin, dos: ing.dos };

/** mtools' listing: name -> [size, attribute letters]. */
function mtools(floppy: Uint8Array): Map<string, { size: number; attrs: string }> {
  const dir = mkdtempSync(join(tmpdir(), "chain-"));
  try {
    const img = join(dir, "f.img");
    writeFileSync(img, floppy);
    const sizes = spawnSync("mdir", ["-a", "-i", img, "::"], { encoding: "utf8" });
    const attrs = spawnSync("mattrib", ["-i", img, "::/*"], { encoding: "utf8" });
    expect(sizes.status, sizes.stderr).toBe(0);
    const out = new Map<string, { size: number; attrs: string }>();
    for (const l of sizes.stdout.split("\n")) {
      const m = /^(\S+)\s+(\S{1,3})?\s+(\d+) \d{4}-/.exec(l);
      if (m) out.set(m[2] ? `${m[1]}.${m[2]}` : m[1], { size: Number(m[3]), attrs: "" });
    }
    for (const l of attrs.stdout.split("\n")) {
      const m = /^\s*([A-Z ]*?)\s+::\/(\S+)$/.exec(l);
      if (m && out.has(m[2])) out.get(m[2])!.attrs = m[1].replace(/\s/g, "");
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("what each step reads, from the floppy", () => {
  it("LRDOS's floppy: the system files, LOADLIN's files and bytes, as mtools lists them", () => {
    const config = defaultConfig();
    const floppy = makeBootFloppy(config, parts);
    const f = chainFacts(floppy, config);
    const m = mtools(floppy);
    // The system files: what mtools shows with the System attribute (COMMAND.COM is the shell).
    expect(f.system.map((s) => s.name)).toEqual([...m].filter(([, v]) => v.attrs.includes("S")).map(([k]) => k));
    expect(f.system.map((s) => s.bytes)).toEqual(f.system.map((s) => m.get(s.name)!.size));
    expect(f.shell).toEqual({ name: "COMMAND.COM", bytes: m.get("COMMAND.COM")!.size });
    expect(f.loadlin.reads).toEqual([
      { role: "kernel", name: "ZIMAGE", bytes: m.get("ZIMAGE")!.size },
      { role: "initrd", name: "INITRDGZ.IMG", bytes: m.get("INITRDGZ.IMG")!.size },
    ]);
    expect(f.loadlin.totalBytes).toBe(m.get("ZIMAGE")!.size + m.get("INITRDGZ.IMG")!.size);
    expect(f.loadlin.programFile).toEqual({ name: "LOADLIN.EXE", bytes: m.get("LOADLIN.EXE")!.size });
    expect(f.initrdUnpackedBytes).toBe(initrdRaw.length);
    expect(f.autoexec!.line).toBe(
      "\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0,115200",
    );
    expect(f.linuxrc).toEqual({
      device: "/dev/sda1",
      fsType: "msdos",
      mountPoint: "/mnt",
      loop0: { dos: "C:\\LINUX\\LINUXDSK.IMG", linux: "/mnt/linux/linuxdsk.img", bytes: 24 * 1048576 },
      loop1: { dos: "C:\\LINUX\\LINUXSWP.IMG", linux: "/mnt/linux/linuxswp.img", bytes: 8 * 1048576 },
    });
    const loadlin = readsFor("loadlin", f);
    expect(loadlin.map((r) => r.where)).toEqual(["A:\\LOADLIN.EXE", "A:\\ZIMAGE", "A:\\INITRDGZ.IMG", undefined]);
    expect(loadlin.at(-1)!.bytes).toBe(f.loadlin.totalBytes);
    expect(readsFor("linuxrc", f).map((r) => r.where)).toEqual([
      "/dev/sda1",
      "C:\\LINUX\\LINUXDSK.IMG (/mnt/linux/linuxdsk.img)",
      "C:\\LINUX\\LINUXSWP.IMG (/mnt/linux/linuxswp.img)",
    ]);
    for (const b of CHAIN) {
      expect(readsFor(b.id, f).length, b.id).toBeGreaterThan(0);
      expect(typeof boxNote(b.id, f)).toBe("string");
    }
  });

  it("a user's DOS: the names come from the floppy; a params file is one more read; other paths are followed", () => {
    const dos = {
      name: "MYDOS",
      bootSector: ing.dos.bootSector,
      files: [
        {
          name: "KERNEL.SYS",
          data: new Uint8Array(45_000).fill(1),
          attributes: ATTR_SYSTEM | ATTR_HIDDEN | ATTR_READ_ONLY,
        },
        { name: "MYBIOS.BIN", data: new Uint8Array(3_000).fill(2), attributes: ATTR_SYSTEM | ATTR_HIDDEN },
        { name: "COMMAND.COM", data: new Uint8Array(60_000).fill(3), attributes: ATTR_ARCHIVE },
      ],
    };
    const config = mergeConfig(defaultConfig(), {
      boot: { paramsFile: true, kernelPath: "\\vmlinuz", initrdPath: "\\rd.gz" },
      dos: { directory: "LR", device: "/dev/sda1", rootFile: "ROOT.IMG" },
      root: { sizeMiB: 30 },
    });
    const floppy = makeBootFloppy(config, { ...parts, dos });
    const f = chainFacts(floppy, config);
    const m = mtools(floppy);
    expect(f.system).toEqual([
      { name: "KERNEL.SYS", bytes: 45_000 },
      { name: "MYBIOS.BIN", bytes: 3_000 },
    ]);
    expect(f.shell).toEqual({ name: "COMMAND.COM", bytes: 60_000 });
    expect(f.loadlin.reads.map((r) => [r.role, r.name, r.bytes])).toEqual([
      ["params", "LOADLIN.PAR", m.get("LOADLIN.PAR")!.size],
      ["kernel", "VMLINUZ", m.get("VMLINUZ")!.size],
      ["initrd", "RD.GZ", m.get("RD.GZ")!.size],
    ]);
    expect(f.linuxrc.loop0).toEqual({ dos: "C:\\LR\\ROOT.IMG", linux: "/mnt/lr/root.img", bytes: 30 * 1048576 });
    expect(boxNote("dos", f)).toBe("KERNEL.SYS, MYBIOS.BIN");
  });

  it("a floppy missing the kernel says so instead of inventing a size; a floppy that is no FAT is the reader's error", () => {
    const config = defaultConfig();
    const floppy = makeBootFloppy(mergeConfig(config, { boot: { kernelPath: "\\other" } }), parts);
    const f = chainFacts(floppy, config);
    expect(f.loadlin.reads[0]).toEqual({ role: "kernel", name: "ZIMAGE" });
    expect(readsFor("loadlin", f)[1].what).toBe("the kernel A:\\ZIMAGE is not on A:");
    expect(() => chainFacts(new Uint8Array(1474560), config)).toThrow(/FAT image/);
  });
});

describe("the same line twice", () => {
  it("a screen row cut at 80 columns and the serial line it came from are one line, the whole one", () => {
    const log = new ChainLog();
    const whole = "[    0.5] Memory: 61464K/65144K available (1503K kernel code, 216K rwdata, 272K rodata, 192K init)";
    log.line(10, whole.slice(0, 80));
    log.line(12, whole);
    log.line(13, whole.slice(0, 60));
    expect(log.evidence("kernel")).toEqual([{ atMs: 10, text: whole, role: "line" }]);
  });
});

describe("the lines before a failure", () => {
  it("are the ones up to the failure's own line, though the harness reports it after the rest of its batch", () => {
    const log = new ChainLog();
    log.line(1, "INITRD: Trying to mount /dev/sda1 as msdos");
    log.line(2, "mount: mounting /dev/sda1 on /mnt failed: Invalid argument");
    log.line(3, "INITRD: Mount failed");
    log.line(3, "EXT2-fs (loop0): error: unable to read superblock");
    log.fail({
      id: "linuxrc-mount",
      stage: "linuxrc-mount",
      title: "/linuxrc could not mount the DOS partition",
      atMs: 3,
      evidence: "INITRD: Mount failed",
    });
    log.line(4, "Kernel panic - not syncing: VFS: Unable to mount root fs");
    expect(log.evidence("linuxrc").map((l) => [l.role, l.text])).toEqual([
      ["line", "INITRD: Trying to mount /dev/sda1 as msdos"],
      ["line", "mount: mounting /dev/sda1 on /mnt failed: Invalid argument"],
      ["failure", "INITRD: Mount failed"],
    ]);
  });
});

describe("a kernel on another drive", () => {
  it("is named as written and not counted as read from A:", () => {
    const config = mergeConfig(defaultConfig(), { boot: { kernelPath: "C:\\LINUX\\ZIMAGE" } });
    const f = chainFacts(makeBootFloppy(defaultConfig(), parts), config);
    expect(f.loadlin.reads[0]).toEqual({ role: "kernel", name: "C:\\LINUX\\ZIMAGE" });
    expect(f.loadlin.totalBytes).toBe(f.loadlin.reads[1].bytes);
    expect(readsFor("loadlin", f)[1].what).toBe("the kernel C:\\LINUX\\ZIMAGE is not on A:");
  });
});

describe("the init box", () => {
  it("names what the kernel runs: the user's init= from the kernel arguments, else the root's own", () => {
    const floppy = buildImages({ config: defaultConfig(), ingredients: loadIngredients() }).floppy;
    const init = (p: unknown) => boxNote("init", chainFacts(floppy, mergeConfig(defaultConfig(), p)));
    expect(init({})).toBe("/sbin/init");
    expect(init({ root: { source: "tar" } })).toBe("/sbin/looproot-init");
    expect(init({ boot: { extraArgs: "console=ttyS0 init=/bin/false init=/bin/sh" } })).toBe("/bin/sh");
  });
});
