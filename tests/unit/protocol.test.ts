// The guest protocol (src/howto/protocol.ts): each pattern is built from the line it matches, so
// it matches that line as the scripts print it (with real values in its holes) and nothing that
// differs from it, and the report's lines parse back to their keys.
import { describe, it, expect } from "vitest";
import {
  INITRD_LINES,
  INITRD_PATTERNS,
  REPORT_PATTERNS,
  REPORT_WORDS,
  SHUTDOWN,
  literal,
  parseReportLine,
  reportLine,
  shutdownEnd,
  type ReportKey,
} from "../../src/howto/protocol.ts";

describe("the guest protocol", () => {
  it("each /linuxrc pattern matches its own line, captures its holes, and no other line", () => {
    const lines: Record<keyof typeof INITRD_LINES, string> = {
      trying: INITRD_LINES.trying("/dev/sda1", "msdos"),
      mounted: INITRD_LINES.mounted,
      loopsSetUp: INITRD_LINES.loopsSetUp,
      mountFailed: INITRD_LINES.mountFailed,
      losetupFailed: INITRD_LINES.losetupFailed("/dev/loop1", "/mnt/linux/linuxswp.img"),
    };
    for (const [key, re] of Object.entries(INITRD_PATTERNS) as [keyof typeof INITRD_LINES, RegExp][]) {
      for (const [other, line] of Object.entries(lines))
        expect(re.test(line), `${key} on ${other}`).toBe(other === key);
    }
    expect(INITRD_PATTERNS.trying.exec(lines.trying)?.slice(1)).toEqual(["/dev/sda1", "msdos"]);
    expect(INITRD_PATTERNS.losetupFailed.exec(lines.losetupFailed)?.slice(1)).toEqual([
      "/dev/loop1",
      "/mnt/linux/linuxswp.img",
    ]);
    // A reworded line is no longer matched: the pattern is the line, not a copy of it.
    expect(INITRD_PATTERNS.mounted.test(INITRD_LINES.mounted.replace("OK", "ok"))).toBe(false);
  });

  it("the report's patterns match the lines the rc prints, and each line parses back to its key", () => {
    expect(REPORT_PATTERNS.rcStarted.test(reportLine("rc-started"))).toBe(true);
    expect(REPORT_PATTERNS.swap.test(`${reportLine("swap")} /dev/loop1 partition 8188`)).toBe(true);
    expect(REPORT_PATTERNS.swap.test(`${reportLine("swap")} /dev/sda2 partition 8188`)).toBe(false);
    expect(REPORT_PATTERNS.dosfile.test(`${reportLine("dosfile")} linuxdsk.img 8388608`)).toBe(true);
    expect(REPORT_PATTERNS.reportEnd.test(reportLine("report-end"))).toBe(true);
    expect(REPORT_PATTERNS.reportEnd.test(reportLine("report-end") + "x")).toBe(false);
    expect(REPORT_PATTERNS.shell.test(`${reportLine("shell")} /dev/ttyS0`)).toBe(true);
    expect(REPORT_PATTERNS.shell.test(`${reportLine("shell")} $(readlink /proc/self/fd/0)`)).toBe(false);
    for (const key of Object.keys(REPORT_WORDS) as ReportKey[])
      expect(parseReportLine(`${reportLine(key)} a b`), key).toEqual({ key, values: ["a", "b"] });
  });

  it("the shutdown's end is told clean or unclean; literal escapes every special character", () => {
    expect(shutdownEnd(`${SHUTDOWN.rootRo}\r\n${SHUTDOWN.done}\r\n`)?.clean).toBe(true);
    expect(shutdownEnd(`${SHUTDOWN.unclean} root ro=no, dos=dirty\r\nmore`)).toMatchObject({
      clean: false,
      line: `${SHUTDOWN.unclean} root ro=no, dos=dirty`,
    });
    const odd = "a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p";
    expect(new RegExp(`^${literal(odd)}$`).test(odd)).toBe(true);
  });
});
