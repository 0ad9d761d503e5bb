// The boot chain as the page draws it: one box per step from the BIOS to the shell, which
// milestones (milestones.ts, beside this file) prove each box, which failure (by its id) lands on
// which box, the guest's lines that are evidence for a box, and what each step reads, taken from
// the boot floppy's own bytes and the config. Pure: the page's diagram (src/app/diagram.ts) only
// draws what this says.

import type { LooprootConfig } from "../src/config.ts";
import { INIT_READY, type FailureId, type MilestoneId } from "./milestones.ts";
import {
  readFat,
  ATTR_DIRECTORY,
  ATTR_VOLUME_ID,
  ATTR_SYSTEM,
  DOS_SYSTEM_FILES,
  type FatEntry,
} from "../src/fs/fat/index.ts";
import { fmt } from "../src/util/fmt.ts";
import { gzipStatedSize } from "../src/fs/gzip.ts";
import { floppyName, programName, PARAMS_FILE, kernelArgs, userInitArg } from "../src/howto/bootfloppy.ts";
import { kernelDosPath } from "../src/howto/kernel.ts";
import { dosPathInLinux, dosPathInDos } from "../src/howto/names.ts";
import { INITRD_PATTERNS, reportLine } from "../src/howto/protocol.ts";
import { WRAPPER_INIT } from "../src/howto/rootdev.ts";

export type BoxId =
  | "bios"
  | "boot-sector"
  | "dos"
  | "command"
  | "autoexec"
  | "loadlin"
  | "kernel"
  | "initrd"
  | "linuxrc"
  | "loop0"
  | "loop1"
  | "pivot"
  | "init"
  | "loop-root"
  | "ready";

export interface ChainBox {
  id: BoxId;
  label: string;
  /** One sentence: what this step does in the HOWTO's chain. */
  does: string;
  /** The milestones whose lines prove this step; the box lights with the first of them reached. */
  proof: MilestoneId[];
  /** Other guest lines that are evidence for this step (kept with their times). */
  lines: (RegExp | string)[];
  /** Drawn beside the box before it (the two loop devices /linuxrc sets up together). */
  parallel?: boolean;
}

const starts = (key: Parameters<typeof reportLine>[0]) => reportLine(key) + " ";

/** In boot order. Every milestone proves at least one box (the unit tests hold this). */
export const CHAIN: ChainBox[] = [
  {
    id: "bios",
    label: "BIOS",
    does: "SeaBIOS reads the floppy's first sector into memory and runs it.",
    proof: ["bios"],
    lines: [/Booting from Floppy/],
  },
  {
    id: "boot-sector",
    label: "Boot sector",
    does: "A:'s first sector finds the DOS's system files in the root directory and loads them; the DOS's first line proves it did.",
    proof: ["dos"],
    lines: [],
  },
  {
    id: "dos",
    label: "DOS system files",
    does: "The DOS kernel starts, mounts A: and runs its shell.",
    proof: ["dos"],
    lines: [],
  },
  {
    id: "command",
    label: "COMMAND.COM",
    does: "The DOS's shell runs AUTOEXEC.BAT line by line; its echo of the LOADLIN line proves it.",
    proof: ["autoexec"],
    lines: [],
  },
  {
    id: "autoexec",
    label: "AUTOEXEC.BAT",
    does: "Its one line (HOWTO 3.7) starts LOADLIN with the kernel, the initrd and root=.",
    proof: ["autoexec"],
    lines: [],
  },
  {
    id: "loadlin",
    label: "LOADLIN",
    does: "LOADLIN reads the kernel and the initrd from A: into memory and starts Linux.",
    proof: ["loadlin"],
    lines: [/^LOADLIN/, /Image file not found|not an Image file|IO Error during load|Linux not loaded/],
  },
  {
    id: "kernel",
    label: "Linux kernel",
    does: "The kernel starts with the command line LOADLIN passed on.",
    proof: ["kernel"],
    lines: [/Command line: /, /Memory: \d+K/],
  },
  {
    id: "initrd",
    label: "initrd",
    does: "The kernel unpacks the gzip'd ext2 initrd (HOWTO 3.3) into /dev/ram0 and runs its /linuxrc.",
    proof: ["initrd"],
    lines: [/RAMDISK: /, /deprecated initrd support/, /Freeing initrd memory/],
  },
  {
    id: "linuxrc",
    label: "/linuxrc",
    does: "/linuxrc mounts the DOS partition on /mnt.",
    proof: ["linuxrc-mount"],
    lines: [INITRD_PATTERNS.trying, INITRD_PATTERNS.mountFailed, /FAT-fs \((?!loop)/, /^mount: /],
  },
  {
    id: "loop0",
    label: "/dev/loop0",
    does: "/linuxrc attaches the root image on the DOS partition to /dev/loop0.",
    proof: ["loop-setup"],
    lines: [/losetup \/dev\/loop0 /, starts("loop0"), starts("rootdev"), starts("rootfs")],
  },
  {
    id: "loop1",
    label: "/dev/loop1",
    does: "/linuxrc attaches the swap file on the DOS partition to /dev/loop1; init turns swap on there.",
    proof: ["loop-setup", "swap"],
    lines: [/losetup \/dev\/loop1 /, starts("loop1"), reportLine("swapon-ok"), /swapon: /],
    parallel: true,
  },
  {
    id: "pivot",
    label: "Pivot to loop root",
    does: "The kernel mounts /dev/loop0 as / (root=) and moves the initrd to /initrd.",
    proof: ["root-mounted", "old-root-moved"],
    lines: [/VFS: /],
  },
  {
    id: "init",
    label: "init",
    does: "init runs the loop root's rc file: / read-write, swap on, the DOS partition under /initrd/mnt.",
    proof: ["init", "dos-readable"],
    lines: [/Run (?!\/linuxrc)\S+ as init process/, reportLine("root-rw"), starts("dosmount"), starts("dosfile")],
  },
  {
    id: "loop-root",
    label: "HOWTO's loop root up",
    does: "looproot's report, from the rc lines, proves / on /dev/loop0, swap on /dev/loop1 and the DOS partition mounted, as the config says.",
    proof: ["loop-root"],
    lines: [reportLine("report-begin"), starts("memtotal")],
  },
  {
    id: "ready",
    label: "Root's init ready",
    does: "The root's own init reaches its goal: a shell on the serial console, a login prompt, systemd's default target or a runlevel.",
    proof: ["init-ready"],
    lines: INIT_READY.map((r) => r.match),
  },
];

const BOX = new Map(CHAIN.map((b, i) => [b.id, { box: b, index: i }]));

/**
 * Failures that belong to a box other than the one of the stage that was running (the stage is
 * the first milestone not yet reached: a LOADLIN error comes while the kernel is awaited).
 */
export const FAILURE_BOX: Partial<Record<FailureId, BoxId | ((evidence: string) => BoxId)>> = {
  "dos-kernel": "boot-sector",
  "autoexec-command": "autoexec",
  loadlin: "loadlin",
  // The kernel's setup code runs before its first line: the kernel box, whatever stage was awaited.
  cpu: "kernel",
  "setup-stopped": "kernel",
  "video-mode": "kernel",
  "linuxrc-mount": "linuxrc",
  "dos-not-fat": "linuxrc",
  losetup: (evidence) => (/\/dev\/loop1\b/.test(evidence) ? "loop1" : "loop0"),
  "root-mount": "pivot",
  "init-not-started": "init",
  swapon: "loop1",
};

export interface ReachedMilestone {
  id: MilestoneId;
  atMs: number;
  evidence: string;
}
export interface ChainFailure {
  id: FailureId;
  stage: MilestoneId;
  title: string;
  atMs: number;
  evidence: string;
}

/** The box a failure is drawn on: its own if FAILURE_BOX names one, else the first box the running stage proves. */
export function failureBox(f: ChainFailure): BoxId {
  const own = FAILURE_BOX[f.id];
  if (own) return typeof own === "function" ? own(f.evidence) : own;
  return CHAIN.find((b) => b.proof.includes(f.stage))?.id ?? "ready";
}

export type BoxState = "pending" | "active" | "reached" | "failed" | "not-seen";

export interface ChainStatus {
  reached: ReachedMilestone[];
  failure?: ChainFailure;
  /** The milestone now awaited (the harness's stage); undefined once the boot ended. */
  stage?: MilestoneId;
}

/**
 * Each box's state: failed (the failure's box), reached (a proving milestone seen), not seen (no
 * line of its own, yet a later box is reached: this machine does not print it), active (the
 * stage now running), else pending.
 */
export function boxStates(s: ChainStatus): Record<BoxId, BoxState> {
  const seen = new Set(s.reached.map((m) => m.id));
  const failed = s.failure ? failureBox(s.failure) : undefined;
  const lit = CHAIN.map((b) => b.proof.some((m) => seen.has(m)));
  const lastLit = lit.lastIndexOf(true);
  const out = {} as Record<BoxId, BoxState>;
  let activeGiven = false;
  CHAIN.forEach((b, i) => {
    if (b.id === failed) out[b.id] = "failed";
    else if (lit[i]) out[b.id] = "reached";
    else if (i < lastLit) out[b.id] = "not-seen";
    else if (!failed && !activeGiven && s.stage && b.proof.includes(s.stage)) {
      out[b.id] = "active";
      activeGiven = true;
    } else out[b.id] = "pending";
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The guest's lines kept per box

export interface EvidenceLine {
  atMs: number;
  text: string;
  /** "milestone": the line that proves the box; "failure": the line that ended the boot; "line": other evidence. */
  role: "milestone" | "failure" | "line" | "context";
}

/** Lines kept per box and before a failure: enough to read, bounded whatever the guest prints. */
export const LINES_PER_BOX = 8;
export const CONTEXT_LINES = 6;

/**
 * Collects the evidence of one boot as its events arrive: the milestones, the failure, and the
 * guest's lines that belong to a box (at most LINES_PER_BOX each), plus the last lines before a
 * failure. Memory is bounded by the box count, not by how much the guest prints.
 */
export class ChainLog {
  readonly reached: ReachedMilestone[] = [];
  failure: ChainFailure | undefined;
  private readonly extra = new Map<BoxId, EvidenceLine[]>();
  private recent: EvidenceLine[] = [];
  private context: EvidenceLine[] = [];
  private readonly seenText = new Set<string>();

  line(atMs: number, text: string): void {
    const t = text.trim();
    // After the failure the kernel goes on talking (trying the root on every filesystem): not evidence.
    if (!t || this.failure) return;
    if (!merged(this.recent, t)) this.recent.push({ atMs, text: t, role: "context" });
    if (this.recent.length > CONTEXT_LINES) this.recent.shift();
    // The same line from the serial console and from the screen counts once.
    if (this.seenText.has(t)) return;
    for (const b of CHAIN) {
      if (!b.lines.some((p) => (typeof p === "string" ? t.includes(p) : p.test(t)))) continue;
      const list = this.extra.get(b.id) ?? [];
      if (merged(list, t) || list.length >= LINES_PER_BOX) continue;
      list.push({ atMs, text: t, role: "line" });
      this.extra.set(b.id, list);
      this.seenText.add(t); // bounded: only lines kept for a box are remembered
    }
  }

  milestone(m: ReachedMilestone): void {
    if (!this.reached.some((r) => r.id === m.id)) this.reached.push(m);
  }

  fail(f: ChainFailure): void {
    if (this.failure) return;
    this.failure = f;
    // The lines up to the failure's own: the harness reports it after the rest of that batch.
    const at = this.recent.map((r) => r.text).lastIndexOf(f.evidence);
    this.context = this.recent.slice(0, at < 0 ? undefined : at + 1);
  }

  /** The box's lines in time order: its milestones, its other lines, and for the failed box the failure and the lines before it. */
  evidence(id: BoxId): EvidenceLine[] {
    const box = BOX.get(id)!.box;
    const out: EvidenceLine[] = [
      ...this.reached
        .filter((m) => box.proof.includes(m.id))
        .map((m): EvidenceLine => ({ atMs: m.atMs, text: m.evidence, role: "milestone" })),
      ...(this.extra.get(id) ?? []),
    ];
    if (this.failure && failureBox(this.failure) === id) {
      const f = this.failure;
      out.push(...this.context, { atMs: f.atMs, text: f.evidence, role: "failure" });
    }
    // A line can be a milestone, a box line, the failure and context at once: show it once, in its first role.
    const rank = { milestone: 0, failure: 1, line: 2, context: 3 };
    const best = new Map<string, EvidenceLine>();
    for (const l of out) if (!best.has(l.text) || rank[l.role] < rank[best.get(l.text)!.role]) best.set(l.text, l);
    return [...best.values()].sort((a, b) => a.atMs - b.atMs);
  }
}

/**
 * The screen cuts a line at 80 columns that the serial console has whole: a line that begins
 * another is the same line. Keeps the longer one; true when `t` was one already kept.
 */
function merged(list: EvidenceLine[], t: string): boolean {
  const i = list.findIndex((l) => l.text.startsWith(t) || t.startsWith(l.text));
  if (i < 0) return false;
  if (t.length > list[i].text.length) list[i] = { ...list[i], text: t };
  return true;
}

// ---------------------------------------------------------------------------------------------
// What each step reads: from the boot floppy and the config

export interface FloppyFile {
  /** The FAT path on A: ("ZIMAGE", "BOOT\\ZIMAGE"). */
  name: string;
  bytes: number;
}

export interface ChainFacts {
  floppy: { bytes: number; fatType: 12 | 16; oemName: string; label?: string };
  /** The DOS's system files the boot sector loads, in root-directory order (the DOS may be a user's own). */
  system: FloppyFile[];
  /** The DOS's shell, if the floppy has one. */
  shell?: FloppyFile;
  autoexec?: FloppyFile & { line: string };
  loadlin: {
    /** The program AUTOEXEC.BAT runs. */
    program: string;
    programFile?: FloppyFile;
    /** The files LOADLIN itself reads from A:, in the order it reads them; missing ones have no bytes. */
    reads: { role: "params" | "kernel" | "initrd"; name: string; bytes?: number }[];
    /** Bytes of those files together. */
    totalBytes: number;
  };
  kernel: { cmdline: string };
  /** The initrd's size once unpacked (gzip's ISIZE), when it is on the floppy and gzip'd. */
  initrdUnpackedBytes?: number;
  linuxrc: {
    device: string;
    fsType: string;
    mountPoint: string;
    loop0: { dos: string; linux: string; bytes: number };
    loop1: { dos: string; linux: string; bytes: number };
  };
  root: { device: string; readOnly: boolean; init: string };
}

const rootFile = (e: FatEntry) => !(e.attributes & (ATTR_DIRECTORY | ATTR_VOLUME_ID)) && !e.path.includes("\\");

/**
 * Reads what each step reads from the boot floppy (hostile input: the FAT reader bounds it) and
 * the config the boot is checked against (built, or read back from opened images). Throws the
 * FAT reader's LooprootError for a floppy it cannot read.
 */
export function chainFacts(floppy: Uint8Array, config: LooprootConfig): ChainFacts {
  const vol = readFat(floppy);
  const byName = new Map(
    vol.entries
      .filter((e) => !(e.attributes & (ATTR_DIRECTORY | ATTR_VOLUME_ID)))
      .map((e) => [e.path.toUpperCase(), e]),
  );
  const file = (name: string): FloppyFile | undefined => {
    const e = byName.get(name.toUpperCase());
    return e && { name: e.path, bytes: e.size };
  };
  const SHELL = "COMMAND.COM";
  // What "format /s" put there: the System-marked root files and the known system file names.
  const system = vol.entries
    .filter(
      (e) =>
        rootFile(e) &&
        e.path.toUpperCase() !== SHELL &&
        (e.attributes & ATTR_SYSTEM || DOS_SYSTEM_FILES.includes(e.path.toUpperCase())),
    )
    .map((e) => ({ name: e.path, bytes: e.size }));
  const auto = byName.get("AUTOEXEC.BAT");
  const line = auto
    ? (new TextDecoder()
        .decode(auto.data(4096))
        .split(/\r?\n/)
        .map((l) => l.trim())
        .find((l) => /loadlin/i.test(l)) ?? "")
    : "";
  const reads: ChainFacts["loadlin"]["reads"] = [];
  const read = (role: "params" | "kernel" | "initrd", dosPath: string) => {
    // A path on another drive (C:\...) is not on the floppy: named as written, with no bytes.
    if (/^[B-Zb-z]:/.test(dosPath)) return void reads.push({ role, name: dosPath.toUpperCase() });
    const name = floppyName(dosPath);
    reads.push({ role, name, ...(byName.has(name) ? { bytes: byName.get(name)!.size } : {}) });
  };
  if (config.boot.paramsFile) read("params", PARAMS_FILE);
  read("kernel", kernelDosPath(config));
  read("initrd", config.boot.initrdPath);
  const initrd = byName.get(floppyName(config.boot.initrdPath));
  const initrdUnpackedBytes = initrd ? gzipStatedSize(initrd.data()) : undefined;
  const program = programName(config.boot.loadlinPath);
  const backing = (f: string, bytes: number) => ({
    dos: `C:\\${dosPathInDos(config, f)}`,
    linux: "/mnt" + dosPathInLinux(config, f),
    bytes,
  });
  return {
    floppy: {
      bytes: floppy.length,
      fatType: vol.fatType,
      oemName: vol.oemName,
      ...(vol.label ? { label: vol.label } : {}),
    },
    system,
    ...(file(SHELL) ? { shell: file(SHELL)! } : {}),
    ...(auto ? { autoexec: { name: auto.path, bytes: auto.size, line } } : {}),
    loadlin: {
      program,
      ...(file(program) ? { programFile: file(program)! } : {}),
      reads,
      totalBytes: reads.reduce((n, r) => n + (r.bytes ?? 0), 0),
    },
    kernel: { cmdline: kernelArgs(config).join(" ") },
    ...(initrdUnpackedBytes !== undefined ? { initrdUnpackedBytes } : {}),
    linuxrc: {
      device: config.dos.device,
      fsType: config.dos.fsType,
      mountPoint: "/mnt",
      loop0: backing(config.dos.rootFile, Math.round(config.root.sizeMiB * 1048576)),
      loop1: backing(config.dos.swapFile, Math.round(config.swap.sizeMiB * 1048576)),
    },
    // The kernel runs the last init= on its command line: the user's, when boot.extraArgs has one.
    root: {
      device: config.boot.root,
      readOnly: config.boot.readOnly,
      init: userInitArg(config)?.slice("init=".length) || (config.root.source === "tar" ? WRAPPER_INIT : "/sbin/init"),
    },
  };
}

export interface Read {
  /** What was read or used, in words. */
  what: string;
  /** Where it lives ("A:\\ZIMAGE", "/dev/sda1"). */
  where?: string;
  bytes?: number;
}

const a = (name: string) => (/^[A-Z]:/.test(name) ? name : `A:\\${name}`);

/** What a step reads or uses, for the box's details. */
export function readsFor(id: BoxId, f: ChainFacts): Read[] {
  switch (id) {
    case "bios":
      return [
        {
          what: `the boot sector of the ${fmt(f.floppy.bytes)}-byte FAT${f.floppy.fatType} floppy`,
          where: "A: sector 0",
          bytes: 512,
        },
      ];
    case "boot-sector":
    case "dos":
      return f.system.length
        ? f.system.map((s) => ({
            what: id === "dos" ? "the DOS's system file" : "loads",
            where: a(s.name),
            bytes: s.bytes,
          }))
        : [{ what: "no system file on A: (the boot sector has nothing to load)" }];
    case "command":
      return f.shell
        ? [{ what: "the DOS's shell", where: a(f.shell.name), bytes: f.shell.bytes }]
        : [{ what: "no COMMAND.COM on A:" }];
    case "autoexec":
      return f.autoexec
        ? [
            { what: "runs", where: a(f.autoexec.name), bytes: f.autoexec.bytes },
            { what: f.autoexec.line ? `its LOADLIN line: ${f.autoexec.line}` : "it has no LOADLIN line" },
          ]
        : [{ what: "no AUTOEXEC.BAT on A:" }];
    case "loadlin":
      return [
        f.loadlin.programFile
          ? { what: "the program", where: a(f.loadlin.programFile.name), bytes: f.loadlin.programFile.bytes }
          : { what: `no ${f.loadlin.program} on A:` },
        ...f.loadlin.reads.map((r) =>
          r.bytes !== undefined
            ? { what: `reads the ${r.role === "params" ? "params file" : r.role}`, where: a(r.name), bytes: r.bytes }
            : { what: `the ${r.role} ${a(r.name)} is not on A:` },
        ),
        { what: `${f.loadlin.reads.length} files from A: in all`, bytes: f.loadlin.totalBytes },
      ];
    case "kernel": {
      const k = f.loadlin.reads.find((r) => r.role === "kernel")!;
      return [
        { what: "the kernel image", where: a(k.name), ...(k.bytes !== undefined ? { bytes: k.bytes } : {}) },
        { what: `command line: ${f.kernel.cmdline}` },
      ];
    }
    case "initrd": {
      const i = f.loadlin.reads.find((r) => r.role === "initrd")!;
      return [
        {
          what: "the gzip'd initrd LOADLIN put in memory",
          where: a(i.name),
          ...(i.bytes !== undefined ? { bytes: i.bytes } : {}),
        },
        ...(f.initrdUnpackedBytes !== undefined
          ? [{ what: "unpacked into /dev/ram0", where: "/dev/ram0", bytes: f.initrdUnpackedBytes }]
          : []),
      ];
    }
    case "linuxrc":
      return [
        { what: `mounts the DOS partition as ${f.linuxrc.fsType} on ${f.linuxrc.mountPoint}`, where: f.linuxrc.device },
        {
          what: "the root image, for /dev/loop0",
          where: `${f.linuxrc.loop0.dos} (${f.linuxrc.loop0.linux})`,
          bytes: f.linuxrc.loop0.bytes,
        },
        {
          what: "the swap file, for /dev/loop1",
          where: `${f.linuxrc.loop1.dos} (${f.linuxrc.loop1.linux})`,
          bytes: f.linuxrc.loop1.bytes,
        },
      ];
    case "loop0":
      return [
        {
          what: "backed by the root image",
          where: `${f.linuxrc.loop0.dos} (${f.linuxrc.loop0.linux})`,
          bytes: f.linuxrc.loop0.bytes,
        },
      ];
    case "loop1":
      return [
        {
          what: "backed by the swap file",
          where: `${f.linuxrc.loop1.dos} (${f.linuxrc.loop1.linux})`,
          bytes: f.linuxrc.loop1.bytes,
        },
      ];
    case "pivot":
      return [
        {
          what: `mounts root=${f.root.device} ${f.root.readOnly ? "read-only" : "read-write"} as /; the initrd moves to /initrd`,
          where: f.root.device,
        },
      ];
    case "init":
      return [{ what: "runs init from the loop root", where: f.root.init }];
    case "loop-root":
      return [{ what: "looproot's report, checked against the config", where: "/dev/ttyS0" }];
    case "ready":
      return [
        { what: "the root's own init: a shell, a getty, systemd or sysvinit", where: "/dev/ttyS0 and the screen" },
      ];
  }
}

/** A short line for the box itself ("ZIMAGE, 983,552 bytes"), from the facts. */
export function boxNote(id: BoxId, f: ChainFacts): string {
  const k = f.loadlin.reads.find((r) => r.role === "kernel");
  switch (id) {
    case "bios":
      return "A: sector 0";
    case "boot-sector":
      return f.floppy.oemName || "A: sector 0";
    case "dos":
      return f.system.map((s) => s.name).join(", ") || "none on A:";
    case "command":
      return f.shell ? `${fmt(f.shell.bytes)} bytes` : "not on A:";
    case "autoexec":
      return f.autoexec ? `${fmt(f.autoexec.bytes)} bytes` : "not on A:";
    case "loadlin":
      return `${fmt(f.loadlin.totalBytes)} bytes`;
    case "kernel":
      return k ? k.name : "";
    case "initrd":
      return f.initrdUnpackedBytes !== undefined ? `ram0: ${fmt(Math.ceil(f.initrdUnpackedBytes / 1024))} KiB` : "";
    case "linuxrc":
      return f.linuxrc.device;
    case "loop0":
      return f.linuxrc.loop0.dos.replace(/^.*\\/, "");
    case "loop1":
      return f.linuxrc.loop1.dos.replace(/^.*\\/, "");
    case "pivot":
      return `/ on ${f.root.device}`;
    case "init":
      return f.root.init;
    case "loop-root":
      return "the report";
    case "ready":
      return "ttyS0, tty1";
  }
}
