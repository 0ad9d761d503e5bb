// The guest protocol: every line the generated scripts print for the harness (/linuxrc's
// "INITRD: ..." lines, the loop root's "LOOPROOT: ..." report and its shutdown lines), and the
// patterns that recognise them, built from those lines. The scripts (initrd.ts, rootdev.ts) build
// their echo lines from here and the harness (emulator/milestones.ts, harness.ts, verify.ts,
// shutdown.ts) matches with the same module, so the two sides cannot drift apart. Pure: no Node, no DOM.

export const INITRD_PREFIX = "INITRD:";
/** Prefix of every line of the loop root's report on the console. */
export const REPORT_PREFIX = "LOOPROOT:";

/** The text after the prefix of each line /linuxrc prints; `$1`-style holes are filled by the script. */
export const INITRD_LINES = {
  trying: (device: string, fsType: string) => `${INITRD_PREFIX} Trying to mount ${device} as ${fsType}`,
  mounted: `${INITRD_PREFIX} Mounted OK`,
  loopsSetUp: `${INITRD_PREFIX} Loop devices set up`,
  mountFailed: `${INITRD_PREFIX} Mount failed`,
  losetupFailed: (loop: string, file: string) => `${INITRD_PREFIX} losetup ${loop} ${file} failed`,
} as const;

/** `text` as a pattern that matches it literally. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Stands for a hole of a line (a device, a file name) while its pattern is built. */
const HOLE = "\u0000";

/** A pattern for a line with holes: the line's own text, each hole a word (`(\S+)`), captured. */
function linePattern(line: string | ((...holes: string[]) => string)): RegExp {
  const text = typeof line === "string" ? line : line(HOLE, HOLE);
  return new RegExp(literal(text).split(HOLE).join("(\\S+)"));
}

export const INITRD_PATTERNS = {
  trying: linePattern(INITRD_LINES.trying),
  mounted: linePattern(INITRD_LINES.mounted),
  loopsSetUp: linePattern(INITRD_LINES.loopsSetUp),
  mountFailed: linePattern(INITRD_LINES.mountFailed),
  losetupFailed: linePattern(INITRD_LINES.losetupFailed),
} as const;

/** Keys of the report lines, in the order the rc lines print them. */
export type ReportKey =
  | "rc-started"
  | "root-rw"
  | "swapon-ok"
  | "report-begin"
  | "kernel"
  | "rootdev"
  | "rootfs"
  | "loop0"
  | "loop1"
  | "swap"
  | "dosmount"
  | "dosfile"
  | "memtotal"
  | "report-end"
  | "shell";

/** A report line as the script writes it: the prefix, the key's words, then shell-expanded values. */
export const REPORT_WORDS: Record<ReportKey, string> = {
  "rc-started": "rc started",
  "root-rw": "root remounted rw",
  "swapon-ok": "swapon /dev/loop1 ok",
  "report-begin": "report-begin",
  kernel: "kernel",
  rootdev: "rootdev",
  rootfs: "rootfs",
  loop0: "loop0",
  loop1: "loop1",
  swap: "swap",
  dosmount: "dosmount",
  dosfile: "dosfile",
  memtotal: "memtotal",
  "report-end": "report-end",
  shell: "shell ready on",
};

/** The start of a report line for `key`, before any value: `LOOPROOT: rootdev`. */
export const reportLine = (key: ReportKey) => `${REPORT_PREFIX} ${REPORT_WORDS[key]}`;

export const REPORT_PATTERNS = {
  rcStarted: new RegExp(literal(reportLine("rc-started"))),
  // Swap on the loop device, not just any line of /proc/swaps.
  swap: new RegExp(literal(`${reportLine("swap")} /dev/loop1 `)),
  dosfile: new RegExp(literal(reportLine("dosfile") + " ")),
  reportEnd: new RegExp(literal(reportLine("report-end")) + "\\b"),
  // A shell's answer: a device, or nothing where /proc is not mounted (init=/bin/sh); never the
  // "$(" of the typed command echoed back.
  shell: new RegExp(literal(reportLine("shell")) + "(?: /dev/\\S*| *$)"),
} as const;

/**
 * Typed at the serial console once the report is in (or when the kernel's init never ran our rc).
 * Only a shell's answer ends after "on" with a device or nothing: the echo of the typed line shows
 * the `$(...)` unexpanded, so an answer proves a shell reads the console.
 */
export const SHELL_PROBE = `echo "${reportLine("shell")} $(readlink /proc/self/fd/0)"\n`;

/** The shell's own answer line, as /etc/profile of the built-in root also prints it. */
export const shellReadyLine = (busybox?: string) =>
  `echo "${reportLine("shell")} $(${busybox ? busybox + " " : ""}readlink /proc/self/fd/0)"`;

/** Splits a report line into its key and values; undefined for a line that is not one. */
export function parseReportLine(line: string): { key: ReportKey; values: string[] } | undefined {
  const at = line.indexOf(REPORT_PREFIX);
  if (at < 0) return undefined;
  const rest = line.slice(at + REPORT_PREFIX.length).trim();
  let best: ReportKey | undefined;
  for (const k of Object.keys(REPORT_WORDS) as ReportKey[]) {
    const w = REPORT_WORDS[k];
    if ((rest === w || rest.startsWith(w + " ")) && (!best || w.length > REPORT_WORDS[best].length)) best = k;
  }
  if (!best) return undefined;
  const tail = rest.slice(REPORT_WORDS[best].length).trim();
  return { key: best, values: tail ? tail.split(/\s+/) : [] };
}

/**
 * The guest's shutdown lines (poweroff, halt, reboot, or typed at the console): each step's line,
 * then `done` or `unclean: <why>`; the harness waits for one of those two before it takes the disk.
 */
export const SHUTDOWN = {
  begin: `${REPORT_PREFIX} shutdown begins`,
  swapOff: `${REPORT_PREFIX} swapoff /dev/loop1 ok`,
  rootRo: `${REPORT_PREFIX} root remounted ro`,
  dosUnmounted: `${REPORT_PREFIX} dos unmounted`,
  dosMarkedClean: `${REPORT_PREFIX} dos marked clean`,
  done: `${REPORT_PREFIX} shutdown complete`,
  unclean: `${REPORT_PREFIX} shutdown unclean:`,
} as const;

const SHUTDOWN_END = new RegExp(`${literal(SHUTDOWN.done)}|${literal(SHUTDOWN.unclean)}[^\\r\\n]*`);

/** The end of the shutdown in the console text, clean or not: the line and where it starts. */
export function shutdownEnd(text: string): { clean: boolean; line: string; index: number } | undefined {
  const m = SHUTDOWN_END.exec(text);
  return m ? { clean: m[0] === SHUTDOWN.done, line: m[0], index: m.index } : undefined;
}
