// Recognises the stages of the boot chain in what the machine prints (serial console and VGA
// text), each with its time and the line that proves it, and names a failure with its stage.
// Pure: fed text, returns events; the harness decides when to stop. The lines of our own scripts
// are matched with the patterns of src/howto/protocol.ts, which also writes them.
//
// Not every machine shows every milestone (a DOS that writes only to the screen, a kernel that
// dropped its first printk lines at low memory), so milestones are recorded in whatever order they
// arrive; the stage is the one after the furthest milestone reached, and the ones before it that
// never showed are "not seen", which is not a failure.

import { INITRD_PATTERNS, REPORT_PATTERNS } from "../src/howto/protocol.ts";

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
  | "shell";

export interface MilestoneDef {
  id: MilestoneId;
  title: string;
  /** Seconds allowed from the previous milestone before the boot is declared stuck here. */
  limitS: number;
  match: RegExp;
}

/** In boot order. Every pattern is a line the guest itself prints. */
export const MILESTONES: MilestoneDef[] = [
  { id: "bios", title: "BIOS boots the floppy", limitS: 20, match: /Booting from Floppy|SeaBIOS \(version/ },
  { id: "dos", title: "DOS is up", limitS: 20, match: /^LRDOS\b|(?:MS-DOS|FreeDOS|PC DOS)\b.*(?:version|kernel)/i },
  { id: "autoexec", title: "AUTOEXEC.BAT runs", limitS: 20, match: /^[A-Z]:\\>.*loadlin|^\\?loadlin(\.exe)?\s+(?!v?\d\.\d)/i },
  { id: "loadlin", title: "LOADLIN starts", limitS: 20, match: /LOADLIN v?\d\.\d/ },
  { id: "kernel", title: "Linux kernel starts", limitS: 60, match: /Linux version \d+\.\d+/ },
  { id: "initrd", title: "initrd found", limitS: 60, match: /RAMDISK: (?:gzip image found|Compressed image found|ext2 filesystem found)/ },
  { id: "linuxrc-mount", title: "/linuxrc mounted the DOS partition", limitS: 60, match: INITRD_PATTERNS.mounted },
  { id: "loop-setup", title: "loop devices set up", limitS: 30, match: INITRD_PATTERNS.loopsSetUp },
  { id: "root-mounted", title: "root mounted from 7:0", limitS: 30, match: /VFS: Mounted root \((?:ext2|ext4) filesystem\).* on device 7:0/ },
  { id: "old-root-moved", title: "old root moved to /initrd", limitS: 30, match: /Trying to move old root to \/initrd \.\.\. ?okay/ },
  { id: "init", title: "init started on the loop root", limitS: 60, match: REPORT_PATTERNS.rcStarted },
  { id: "swap", title: "swap active on /dev/loop1", limitS: 30, match: REPORT_PATTERNS.swap },
  { id: "dos-readable", title: "/DOS readable", limitS: 30, match: REPORT_PATTERNS.dosfile },
  { id: "shell", title: "shell ready", limitS: 60, match: REPORT_PATTERNS.shell },
];

export interface FailureDef {
  title: string;
  match: RegExp;
  /** Counts only while this milestone is not yet reached (later, the line is the user's system talking). */
  before?: MilestoneId;
}

/** Lines that end a boot, and the stage they belong to. */
export const FAILURES: FailureDef[] = [
  { title: "DOS could not load its kernel", match: /LRDOS\.SYS (?:missing|not found)|Disk read error|Non-System disk|Missing operating system/i },
  { title: "AUTOEXEC.BAT: a command was not found", match: /Bad command or file name/ },
  // LOADLIN 1.6f's own messages (the strings in LOADLIN.EXE): each ends the load or leaves it
  // waiting. An option of 80 characters or more in its @params file gives "can't open image file
  // for initrd" (validation refuses those; a floppy made elsewhere may still have one).
  { title: "LOADLIN failed", match: /ERROR detected, Linux not loaded|Image file not found|IO Error during load|not an Image file|Out of memory \(may be low or extended\)|Cannot lock XMS memory|LOADLIN holding in idle loop|Please enter name of kernel image file|error on reading command line response file|Option -t set, Linux not loaded|can't open image file for initrd|no place after kernel for initrd|IO-error while reading initrd|no support in setup for reading initrd|not enough memory below 90000h|Not enough free memory between 90000h|LOADLIN aborted by user|You need a 386 CPU|You need pure 386\/486 real mode/ },
  { title: "/linuxrc could not mount the DOS partition", match: INITRD_PATTERNS.mountFailed },
  { title: "the DOS partition is not a readable FAT filesystem", match: /FAT-fs \([^)]*\): (?:Directory bread|bogus number of|Can't find a valid FAT|invalid media value)/ },
  { title: "/linuxrc could not set up a loop device", match: INITRD_PATTERNS.losetupFailed },
  { title: "the kernel could not mount the root filesystem", match: /VFS: Unable to mount root fs|VFS: Cannot open root device/ },
  { title: "kernel panic", match: /Kernel panic - not syncing/ },
  // busybox init says "can't run '/etc/init.d/rcS'" for a user's root that has none: after our
  // wrapper has run the report that is the user's system, not a failure of the loop root.
  { title: "init could not start", match: /No working init found|Failed to execute \/sbin\/init|can't run '\/etc\/init\.d\/rcS'/, before: "init" },
  { title: "swapon failed", match: /swapon: \/dev\/loop1: / },
];

export interface MilestoneEvent {
  id: MilestoneId;
  title: string;
  /** Milliseconds since the machine started. */
  atMs: number;
  evidence: string;
}

export interface FailureEvent {
  /** The stage that was running: the first milestone not yet reached. */
  stage: MilestoneId;
  title: string;
  atMs: number;
  evidence: string;
}

/** Strips ANSI escapes and carriage returns the guest's console emits. */
export function cleanLine(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
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
    this.defs.forEach((d, k) => { if (this.reached.has(d.id)) i = k; });
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
    return this.defs.slice(0, Math.max(0, this.furthest)).filter((d) => !this.reached.has(d.id)).map((d) => d.id);
  }

  /** Feeds serial output; complete lines are matched, the rest waits for its newline. */
  feedSerial(text: string, atMs: number): (MilestoneEvent | FailureEvent)[] {
    const buf = this.partial.serial + text;
    const parts = buf.split("\n");
    this.partial.serial = parts.pop()!;
    return parts.flatMap((l) => this.line(cleanLine(l), atMs, "serial"));
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

  private line(text: string, atMs: number, source: "serial" | "screen"): (MilestoneEvent | FailureEvent)[] {
    if (!text.trim()) return [];
    this.lines.push({ atMs, source, text });
    // The kernel prints "Trying to move old root to /initrd ... " and its "okay" as two serial
    // lines (a printk continuation): match each line joined to the one before it as well.
    const joined = source === "serial" ? this.prevSerial + text : text;
    if (source === "serial") this.prevSerial = text;
    const events: (MilestoneEvent | FailureEvent)[] = [];
    for (const d of this.defs) {
      if (!this.reached.has(d.id) && (d.match.test(text) || d.match.test(joined))) {
        const e: MilestoneEvent = { id: d.id, title: d.title, atMs, evidence: (d.match.test(text) ? text : joined).trim() };
        this.reached.set(d.id, e);
        events.push(e);
      }
    }
    if (!this.failure) {
      for (const f of FAILURES) {
        if (f.before && this.reached.has(f.before)) continue;
        if (f.match.test(text) || f.match.test(joined)) {
          this.failure = { stage: this.stage ?? "shell", title: f.title, atMs, evidence: (f.match.test(text) ? text : joined).trim() };
          events.push(this.failure);
          break;
        }
      }
    }
    return events;
  }

  /** Milliseconds since the last milestone reached (or since startMs, if that is later). */
  sinceProgress(nowMs: number, startMs = 0): number {
    return nowMs - Math.max(startMs, ...[...this.reached.values()].map((e) => e.atMs));
  }

  /** The stage whose time limit, counted from the last milestone reached, has run out, if any. */
  overdue(nowMs: number, startMs = 0): MilestoneDef | undefined {
    const next = this.defs[this.furthest + 1];
    if (!next) return undefined;
    return this.sinceProgress(nowMs, startMs) > next.limitS * 1000 ? next : undefined;
  }
}
