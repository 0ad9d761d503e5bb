// Recognises the stages of the boot chain in what the machine prints (serial console and VGA
// text), each with its time and the line that proves it, and names a failure with its stage.
// Pure: fed text, returns events; the harness decides when to stop. The lines of our own scripts
// are matched with the patterns of src/howto/protocol.ts, which also writes them.
//
// Not every machine shows every milestone (a DOS that writes only to the screen, a kernel that
// dropped its first printk lines at low memory), so milestones are recorded in whatever order they
// arrive; the stage is the one after the furthest milestone reached, and the ones before it that
// never showed are "not seen", which is not a failure.

import {
  INITRD_PATTERNS,
  INITRD_PREFIX,
  REPORT_PATTERNS,
  REPORT_PREFIX,
  SHELL_PROBE,
  literal,
} from "../src/howto/protocol.ts";

export type MilestoneId =
  | "bios"
  | "dos"
  | "autoexec"
  | "loadlin"
  | "kernel"
  | "initrd"
  | "linuxrc-mount"
  | "loop-setup"
  | "root-mounted"
  | "old-root-moved"
  | "init"
  | "swap"
  | "dos-readable"
  | "loop-root"
  | "init-ready";

export interface MilestoneDef {
  id: MilestoneId;
  title: string;
  /** Seconds allowed from the previous milestone before the boot is declared stuck here. */
  limitS: number;
  match: RegExp;
  /** Also matched against the unfinished serial line: a prompt waits for input without its newline. */
  prompt?: RegExp;
  /** Any line the guest prints counts as progress here, not only this milestone (an init boots in many steps). */
  anyLineIsProgress?: boolean;
}

/**
 * What the root's own init prints when it has reached its goal, whichever init it is: the verdict's
 * last stage. One line of any of these proves it (README, "How a boot is judged").
 */
export const INIT_READY: { what: string; match: RegExp }[] = [
  // The built-in root's inittab starts a shell on ttyS0; any root's shell answers the harness's probe.
  { what: "a shell answers on the serial console", match: REPORT_PATTERNS.shell },
  // Any getty (agetty, busybox getty, mingetty), on the serial console or the screen.
  { what: "a login prompt", match: /(?:^|\S )login: *$/ },
  // systemd's console status line for the target default.target leads to (Debian: graphical, which
  // pulls in multi-user; a server's default is multi-user). Either is reached only after every unit
  // it wants started.
  {
    what: "systemd reached its default target",
    match: /Reached target (?:graphical\.target|multi-user\.target|Graphical Interface|Multi-User System)\b/,
  },
  // sysvinit (and Debian's OpenRC, which runs under sysvinit) once its inittab's runlevel begins.
  { what: "sysvinit entered its runlevel", match: /INIT: Entering runlevel: [1-5]\b/ },
  // runit's stage 2 runs the services (runsvdir) after stage 1's one-time tasks.
  { what: "runit entered stage 2", match: /runit: .*enter stage: 2\b/ },
];

const anyOf = (list: { match: RegExp }[]) => new RegExp(list.map((x) => `(?:${x.match.source})`).join("|"));

/** In boot order. Every pattern is a line the guest itself prints. */
export const MILESTONES: MilestoneDef[] = [
  { id: "bios", title: "BIOS boots the floppy", limitS: 20, match: /Booting from Floppy|SeaBIOS \(version/ },
  { id: "dos", title: "DOS is up", limitS: 20, match: /^LRDOS\b|(?:MS-DOS|FreeDOS|PC DOS)\b.*(?:version|kernel)/i },
  {
    id: "autoexec",
    title: "AUTOEXEC.BAT runs",
    limitS: 20,
    match: /^[A-Z]:\\>.*loadlin|^\\?loadlin(\.exe)?\s+(?!v?\d\.\d)/i,
  },
  { id: "loadlin", title: "LOADLIN starts", limitS: 20, match: /LOADLIN v?\d\.\d/ },
  { id: "kernel", title: "Linux kernel starts", limitS: 60, match: /Linux version \d+\.\d+/ },
  {
    id: "initrd",
    title: "initrd found",
    limitS: 60,
    match: /RAMDISK: (?:gzip image found|Compressed image found|ext2 filesystem found)/,
  },
  { id: "linuxrc-mount", title: "/linuxrc mounted the DOS partition", limitS: 60, match: INITRD_PATTERNS.mounted },
  { id: "loop-setup", title: "loop devices set up", limitS: 30, match: INITRD_PATTERNS.loopsSetUp },
  {
    id: "root-mounted",
    title: "root mounted from 7:0",
    limitS: 30,
    match: /VFS: Mounted root \((?:ext2|ext4) filesystem\).* on device 7:0/,
  },
  {
    id: "old-root-moved",
    title: "old root moved to /initrd",
    limitS: 30,
    match: /Trying to move old root to \/initrd \.\.\. ?okay/,
  },
  { id: "init", title: "init started on the loop root", limitS: 60, match: REPORT_PATTERNS.rcStarted },
  { id: "swap", title: "swap active on /dev/loop1", limitS: 30, match: REPORT_PATTERNS.swap },
  { id: "dos-readable", title: "/DOS readable", limitS: 30, match: REPORT_PATTERNS.dosfile },
  // looproot's own report is complete: everything above is the HOWTO's doing.
  { id: "loop-root", title: "HOWTO's loop root up", limitS: 30, match: REPORT_PATTERNS.reportEnd },
  // Then the root's own init, which may take long but talks while it works: silence is the stall.
  // Debian's sysvinit rcS is silent for 24 s of QEMU's time in one step (17 s in another), which
  // v86 runs several times slower: three minutes of the machine's time without a line.
  {
    id: "init-ready",
    title: "the root's init ready",
    limitS: 180,
    match: anyOf(INIT_READY),
    prompt: /(?:^|\S )login: *$/,
    anyLineIsProgress: true,
  },
];

/**
 * What ended a boot, as code keys it (hints, the diagram's boxes): the guest's failure lines of
 * FAILURES, and the harness's own findings. The titles are for people and may be reworded.
 */
export type FailureId =
  | "dos-kernel"
  | "autoexec-command"
  | "loadlin"
  | "linuxrc-mount"
  | "dos-not-fat"
  | "losetup"
  | "root-mount"
  | "cpu"
  | "video-mode"
  | "setup-stopped"
  | "init-exited"
  | "panic"
  | "init-froze"
  | "init-not-started"
  | "swapon"
  // The harness's: the emulator crashed, a shell runs as PID 1, no progress within a stage's time limit.
  | "emulator-crashed"
  | "shell-as-init"
  | "stalled";

export interface FailureDef {
  id: FailureId;
  title: string;
  match: RegExp;
  /** Counts only while this milestone is not yet reached (later, the line is the user's system talking). */
  before?: MilestoneId;
}

/** Lines that end a boot, and the stage they belong to. */
export const FAILURES: FailureDef[] = [
  {
    id: "dos-kernel",
    title: "DOS could not load its kernel",
    match: /LRDOS\.SYS (?:missing|not found)|Disk read error|Non-System disk|Missing operating system/i,
  },
  { id: "autoexec-command", title: "AUTOEXEC.BAT: a command was not found", match: /Bad command or file name/ },
  // LOADLIN 1.6f's own messages (the strings in LOADLIN.EXE): each ends the load or leaves it
  // waiting. An option of 80 characters or more in its @params file gives "can't open image file
  // for initrd" (validation refuses those; a floppy made elsewhere may still have one).
  {
    id: "loadlin",
    title: "LOADLIN failed",
    match:
      /ERROR detected, Linux not loaded|Image file not found|IO Error during load|not an Image file|Out of memory \(may be low or extended\)|Cannot lock XMS memory|LOADLIN holding in idle loop|Please enter name of kernel image file|error on reading command line response file|Option -t set, Linux not loaded|can't open image file for initrd|no place after kernel for initrd|IO-error while reading initrd|no support in setup for reading initrd|not enough memory below 90000h|Not enough free memory between 90000h|LOADLIN aborted by user|You need a 386 CPU|You need pure 386\/486 real mode/,
  },
  { id: "linuxrc-mount", title: "/linuxrc could not mount the DOS partition", match: INITRD_PATTERNS.mountFailed },
  {
    id: "dos-not-fat",
    title: "the DOS partition is not a readable FAT filesystem",
    match: /FAT-fs \([^)]*\): (?:Directory bread|bogus number of|Can't find a valid FAT|invalid media value)/,
  },
  { id: "losetup", title: "/linuxrc could not set up a loop device", match: INITRD_PATTERNS.losetupFailed },
  {
    id: "root-mount",
    title: "the kernel could not mount the root filesystem",
    match: /VFS: Unable to mount root fs|VFS: Cannot open root device/,
  },
  // The kernel's real-mode setup code and its decompressor write these on the VGA screen only,
  // then halt (arch/x86/boot/cpu.c, main.c, a20.c; compressed/misc.c's error()).
  {
    id: "cpu",
    title: "the kernel refused this CPU",
    match:
      /This kernel requires an? \S+ CPU|requires the following features not present on the CPU|Unable to boot - please use a kernel appropriate for your CPU|kernel can not run on this Xeon Phi/,
  },
  // vga= a mode the card lacks: the setup code then waits at its mode menu for good (vga=ask's own
  // prompt goes on after 30 s, so it is no failure).
  { id: "video-mode", title: "the kernel's setup code asks for a video mode", match: /Undefined video mode number/ },
  {
    id: "setup-stopped",
    title: "the kernel's setup code stopped",
    match: /A20 gate not responding, unable to boot|-- System halted/,
  },
  // PID 1 ended: the kernel panics with this before the generic line below.
  { id: "init-exited", title: "init exited", match: /Attempted to kill init!/ },
  { id: "panic", title: "kernel panic", match: /Kernel panic - not syncing/ },
  // systemd stops itself when it cannot set up what it needs (for example "Failed to mount API filesystems").
  { id: "init-froze", title: "the root's init froze", match: /Freezing execution\./ },
  // busybox init says "can't run '/etc/init.d/rcS'" for a user's root that has none: after our
  // wrapper has run the report that is the user's system, not a failure of the loop root.
  {
    id: "init-not-started",
    title: "init could not start",
    match: /No working init found|Failed to execute \/sbin\/init|can't run '\/etc\/init\.d\/rcS'/,
    before: "init",
  },
  { id: "swapon", title: "swapon failed", match: /swapon: \/dev\/loop1: / },
];

export interface MilestoneEvent {
  id: MilestoneId;
  title: string;
  /** Milliseconds since the machine started. */
  atMs: number;
  evidence: string;
}

export interface FailureEvent {
  /** What ended the boot (the key for hints and the diagram; the title is its words). */
  id: FailureId;
  /** The stage that was running: the first milestone not yet reached. */
  stage: MilestoneId;
  title: string;
  atMs: number;
  evidence: string;
  /** What to do, when the guest's lines or the kernel arguments name the cause (emulator/hints.ts); given with the verdict. */
  hint?: { sentence: string; fields: string[] };
}

/** Strips ANSI escapes and carriage returns the guest's console emits. */
export function cleanLine(s: string): string {
  return s
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
    .replace(/\r/g, "")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/** The harness's shell probe as the console echoes it back (not the guest's own output). */
const PROBE_TEXT = SHELL_PROBE.trim();

/**
 * Where a line written into the middle of another one can begin: a kernel line (its printk time
 * stamp) or a line of our own scripts (their prefix). Other programs' lines are not told apart.
 */
const LINE_STARTS = new RegExp(`\\[\\s*\\d+\\.\\d+\\]|${literal(INITRD_PREFIX)}|${literal(REPORT_PREFIX)}`, "g");

/**
 * `prev` read as the head of a line that another line cut in two, joined to `tail` (the cut line's
 * rest): one candidate for each place in `prev` where the other line may have begun.
 */
function splices(prev: string, tail: string): string[] {
  if (!tail) return [];
  return [...prev.matchAll(LINE_STARTS)].filter((m) => m.index! > 0).map((m) => prev.slice(0, m.index) + tail);
}

export class MilestoneTracker {
  readonly reached = new Map<MilestoneId, MilestoneEvent>();
  failure: FailureEvent | undefined;
  private partial = { serial: "", screen: "" };
  private seenScreen = new Set<string>();
  readonly lines: { atMs: number; source: "serial" | "screen"; text: string }[] = [];

  constructor(private readonly defs: MilestoneDef[] = MILESTONES) {}

  /** Index of the furthest milestone reached, in boot order (-1 for none). */
  private get furthest(): number {
    let i = -1;
    this.defs.forEach((d, k) => {
      if (this.reached.has(d.id)) i = k;
    });
    return i;
  }

  /** The stage now running: the milestone after the furthest one reached (where a failure or a timeout belongs). */
  get stage(): MilestoneId | undefined {
    return this.defs[this.furthest + 1]?.id;
  }

  /** Every milestone reached, the last one included. */
  get done(): boolean {
    return this.stage === undefined;
  }

  /** Milestones before the furthest one reached that never showed: this machine does not print them. */
  get notSeen(): MilestoneId[] {
    return this.defs
      .slice(0, Math.max(0, this.furthest))
      .filter((d) => !this.reached.has(d.id))
      .map((d) => d.id);
  }

  /**
   * Feeds serial output as it arrives, in pieces of any size: a line is matched when its newline
   * comes; the unfinished rest waits for it, and is only looked at for a prompt (which has none).
   */
  feedSerial(text: string, atMs: number): (MilestoneEvent | FailureEvent)[] {
    const buf = this.partial.serial + text;
    const parts = buf.split("\n");
    this.partial.serial = parts.pop()!;
    const events = parts.flatMap((l) => this.line(cleanLine(l), atMs, "serial"));
    const rest = cleanLine(this.partial.serial);
    for (const d of this.defs) {
      if (d.prompt && !this.reached.has(d.id) && this.stageAt(d.id) && d.prompt.test(rest))
        events.push(this.reach(d, rest.trim(), atMs));
    }
    return events;
  }

  /** True once every milestone before `id` that this boot can still show is behind it (a prompt counts only at its stage). */
  private stageAt(id: MilestoneId): boolean {
    return this.defs.findIndex((d) => d.id === id) >= this.furthest;
  }

  private reach(d: MilestoneDef, evidence: string, atMs: number): MilestoneEvent {
    const e: MilestoneEvent = { id: d.id, title: d.title, atMs, evidence };
    this.reached.set(d.id, e);
    return e;
  }

  /** Feeds the rows of the VGA text screen; each distinct row is matched once. */
  feedScreen(rows: string[], atMs: number): (MilestoneEvent | FailureEvent)[] {
    const out: (MilestoneEvent | FailureEvent)[] = [];
    for (const raw of rows) {
      const row = raw.trimEnd();
      if (!row || this.seenScreen.has(row)) continue;
      this.seenScreen.add(row);
      out.push(...this.line(row, atMs, "screen"));
    }
    return out;
  }

  /** Flushes a last line without newline (for example a prompt). */
  flush(atMs: number): (MilestoneEvent | FailureEvent)[] {
    const rest = this.partial.serial;
    this.partial.serial = "";
    return rest ? this.line(cleanLine(rest), atMs, "serial") : [];
  }

  private prevSerial = "";
  /** When the guest last printed a line of its own (the harness's probe echoed back is not one). */
  private lastLineAt = -Infinity;

  private line(text: string, atMs: number, source: "serial" | "screen"): (MilestoneEvent | FailureEvent)[] {
    if (!text.trim()) return [];
    this.lines.push({ atMs, source, text });
    if (!text.includes(PROBE_TEXT)) this.lastLineAt = atMs;
    // The kernel prints "Trying to move old root to /initrd ... " and its "okay" as two serial
    // lines (a printk continuation): match each line joined to the one before it as well. And a
    // line can arrive cut in two by another one written meanwhile (a user program's "INITRD: Loop
    // dev", a kernel line, then "ices set up"): the head of the line before, at each place the
    // other line may have begun, joined to this one.
    const candidates = source === "serial" ? [text, this.prevSerial + text, ...splices(this.prevSerial, text)] : [text];
    if (source === "serial") this.prevSerial = text;
    const first = (re: RegExp) => candidates.find((c) => re.test(c));
    const events: (MilestoneEvent | FailureEvent)[] = [];
    for (const d of this.defs) {
      if (this.reached.has(d.id)) continue;
      const hit = first(d.match);
      if (hit !== undefined) events.push(this.reach(d, hit.trim(), atMs));
    }
    if (!this.failure) {
      for (const f of FAILURES) {
        if (f.before && this.reached.has(f.before)) continue;
        const hit = first(f.match);
        if (hit !== undefined) {
          this.failure = { id: f.id, stage: this.stage ?? "init-ready", title: f.title, atMs, evidence: hit.trim() };
          events.push(this.failure);
          break;
        }
      }
    }
    return events;
  }

  /**
   * Milliseconds since the last milestone reached (or since startMs, if that is later); at a stage
   * where any line is progress, since the guest's last line.
   */
  sinceProgress(nowMs: number, startMs = 0): number {
    return nowMs - this.progressAt(startMs);
  }

  /** When the boot last made progress: its last milestone, or at a stage where any line is progress, its last line. */
  progressAt(startMs = 0): number {
    const last = Math.max(startMs, ...[...this.reached.values()].map((e) => e.atMs));
    return this.defs[this.furthest + 1]?.anyLineIsProgress ? Math.max(last, this.lastLineAt) : last;
  }

  /** The stage whose time limit, counted from the last milestone reached, has run out, if any. */
  overdue(nowMs: number, startMs = 0): MilestoneDef | undefined {
    const next = this.defs[this.furthest + 1];
    if (!next) return undefined;
    return this.sinceProgress(nowMs, startMs) > next.limitS * 1000 ? next : undefined;
  }
}
