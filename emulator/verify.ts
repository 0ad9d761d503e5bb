// Checks the guest's own report (printed by the loop root's rc script) against the config that
// built the images. The loop root counts as up only when every check passes.

import type { LooprootConfig } from "../src/config.ts";
import { dosPathInLinux } from "../src/howto/names.ts";
import { parseReportLine } from "../src/howto/protocol.ts";
import { cleanLine } from "./milestones.ts";

export interface GuestReport {
  complete: boolean;
  /** The loop root's init ran our rc lines ("rc started", printed before the report). */
  initStarted: boolean;
  kernel?: string;
  rootdev?: string;
  rootfs?: { type: string; options: string[] };
  loop: Record<string, string>;
  swaps: { name: string; type: string; sizeKiB: number }[];
  dosMounts: { source: string; mountpoint: string; type: string }[];
  dosFiles: { name: string; size: number }[];
  memTotalKiB?: number;
}

export function parseReport(lines: string[]): GuestReport {
  const r: GuestReport = { complete: false, initStarted: false, loop: {}, swaps: [], dosMounts: [], dosFiles: [] };
  let inside = false;
  // The same line read twice (from the serial console and from the screen) counts once.
  const seen = new Set<string>();
  for (const raw of lines) {
    const line = cleanLine(raw).trim();
    const p = parseReportLine(line);
    if (!p || seen.has(line)) continue;
    seen.add(line);
    const rest = p.values;
    if (p.key === "rc-started") r.initStarted = true;
    if (p.key === "report-begin") inside = true;
    if (p.key === "report-end" && inside) r.complete = true;
    if (!inside) continue;
    switch (p.key) {
      case "kernel":
        r.kernel = rest[0];
        break;
      case "rootdev":
        r.rootdev = rest[0];
        break;
      case "rootfs":
        r.rootfs = { type: rest[0], options: (rest[1] ?? "").split(",") };
        break;
      case "loop0":
      case "loop1":
        r.loop[p.key] = rest.join(" ");
        break;
      case "swap":
        r.swaps.push({ name: rest[0], type: rest[1], sizeKiB: Number(rest[2]) });
        break;
      case "dosmount":
        r.dosMounts.push({ source: rest[0], mountpoint: rest[1], type: rest[2] });
        break;
      case "dosfile":
        r.dosFiles.push({ name: rest[0], size: Number(rest[1]) });
        break;
      case "memtotal":
        r.memTotalKiB = Number(rest[0]);
        break;
    }
  }
  return r;
}

export interface Check {
  what: string;
  ok: boolean;
  expected: string;
  got: string;
}

/** What the config says the guest must report, compared with what it did. */
export function verifyReport(config: LooprootConfig, r: GuestReport): Check[] {
  const checks: Check[] = [];
  const check = (what: string, ok: boolean, expected: string, got: string | undefined) =>
    checks.push({ what, ok, expected, got: got ?? "(not reported)" });
  const rootPath = dosPathInLinux(config, config.dos.rootFile);
  const swapPath = dosPathInLinux(config, config.dos.swapFile);
  const swapBytes = config.swap.sizeMiB * 1048576;
  const rootBytes = config.root.sizeMiB * 1048576;
  // /proc/swaps counts the usable pages: all but the header page.
  const swapKiB = (swapBytes / 4096 - 1) * 4;

  check("init started on the loop root", r.initStarted, "rc started", r.initStarted ? "rc started" : undefined);
  check("report complete", r.complete, "report-begin ... report-end", r.complete ? "complete" : "incomplete");
  check("root device", r.rootdev === "7:0", "7:0 (/dev/loop0)", r.rootdev);
  check("root filesystem", r.rootfs?.type === "ext2", "ext2", r.rootfs?.type);
  check("root writable after the rc remount", !!r.rootfs?.options.includes("rw"), "rw", r.rootfs?.options.join(","));
  check("loop0 backing file", !!r.loop.loop0?.toLowerCase().endsWith(rootPath), `…${rootPath}`, r.loop.loop0);
  check("loop1 backing file", !!r.loop.loop1?.toLowerCase().endsWith(swapPath), `…${swapPath}`, r.loop.loop1);
  const swap = r.swaps.find((s) => s.name === "/dev/loop1");
  check(
    "swap on /dev/loop1",
    !!swap && swap.sizeKiB === swapKiB,
    `/dev/loop1, ${swapKiB} KiB`,
    swap ? `${swap.name}, ${swap.sizeKiB} KiB` : r.swaps.map((s) => s.name).join(", ") || undefined,
  );
  const dos = r.dosMounts.find((m) => m.mountpoint === "/initrd/mnt");
  if (config.root.initrdDir) {
    check(
      "DOS partition on /initrd/mnt",
      !!dos && dos.source === config.dos.device && dos.type === config.dos.fsType,
      `${config.dos.device} ${config.dos.fsType}`,
      dos ? `${dos.source} ${dos.type}` : undefined,
    );
    const want = [
      { name: config.dos.rootFile, size: rootBytes },
      { name: config.dos.swapFile, size: swapBytes },
    ];
    for (const w of want) {
      const f = r.dosFiles.find((x) => x.name.toUpperCase() === w.name.toUpperCase());
      check(
        `${config.root.dosLink ? "/DOS" : "/initrd/mnt"} lists ${w.name}`,
        !!f && f.size === w.size,
        `${w.size} bytes`,
        f ? `${f.size} bytes` : undefined,
      );
    }
  }
  return checks;
}
