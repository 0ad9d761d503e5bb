// `looproot boot` and `looproot run`: boot images headless and print the boot chain's timeline.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootAndVerify, type BootResult } from "../../emulator/harness.ts";
import type { Engine, MachineImages } from "../../emulator/engine.ts";
import { loadBios } from "./ingredients.ts";
import { loadConfig, runBuild, type ParsedArgs } from "./main.ts";
import { UsageError } from "./errors.ts";
import { readInputFile } from "./files.ts";
import { knownBuild } from "./buildinfo.ts";
import type { LooprootConfig } from "../config.ts";

/** The largest floppy (2.88 MB) and the largest disk the BIOS and v86 take here (under 2 GiB). */
const FLOPPY_MAX_BYTES = 2_949_120;
const DISK_MAX_BYTES = 2 ** 31 - 1;

export async function startEngine(name: string, images: MachineImages): Promise<Engine> {
  if (name === "qemu") return (await import("../../emulator/qemu.ts")).startQemu(images);
  if (name === "v86") return (await import("../../emulator/v86-node.ts")).startV86Node(images);
  throw new UsageError(`--engine ${name}: expected v86 or qemu`);
}

export function formatTimeline(r: BootResult): string {
  const rows = r.milestones.map((m) => `  ${(m.atMs / 1000).toFixed(2).padStart(7)} s  ${m.title.padEnd(36)} ${m.evidence.slice(0, 90)}`);
  if (r.failure) rows.push(`  ${(r.failure.atMs / 1000).toFixed(2).padStart(7)} s  FAILED: ${r.failure.title}  (${r.failure.evidence.slice(0, 120)})`);
  for (const c of r.checks) rows.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.what}: ${c.ok ? c.got : `expected ${c.expected}, got ${c.got}`}`);
  rows.push(`${r.ok ? "VERIFIED" : "NOT VERIFIED"} (${r.engine}): ${r.summary}`);
  return rows.join("\n");
}

export async function bootCommand(args: ParsedArgs, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const timeoutS = Number(args.opts.get("--timeout") ?? 120);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 3600) throw new UsageError(`--timeout ${args.opts.get("--timeout")}: expected seconds between 1 and 3600`);
  const engineName = args.opts.get("--engine") ?? "v86";
  let floppy: Uint8Array, disk: Uint8Array;
  let config: LooprootConfig;
  const json = args.flags.has("--json");
  const say = json ? () => {} : io.out;
  if (args.command === "run") {
    if (!args.opts.has("--out")) args.opts.set("--out", mkdtempSync(join(tmpdir(), "looproot-run-")));
    const built = runBuild(args, say);
    ({ config } = built);
    floppy = built.result.floppy;
    disk = built.result.disk;
  } else {
    const f = args.opts.get("--floppy"), d = args.opts.get("--disk");
    if (!f || !d) throw new UsageError("boot needs --floppy FILE and --disk FILE");
    // Read with their limits checked while reading: a device or a FIFO named here cannot make us read forever.
    floppy = readInputFile("--floppy", f, FLOPPY_MAX_BYTES);
    disk = readInputFile("--disk", d, DISK_MAX_BYTES);
    // Check the guest against what was built, not against the defaults.
    const known = knownBuild(f, d, floppy, disk);
    config = loadConfig(args, known.config);
    say(`looproot boot: the config from ${known.from}${args.opts.has("--config") || args.sets.length ? ", with --config/--set on top" : ""}`);
  }
  const engine = await startEngine(engineName, { floppy, disk, memoryMiB: config.machine.memoryMiB, ...loadBios() });
  say(`looproot boot: ${engineName}, ${config.machine.memoryMiB} MiB, timeout ${timeoutS} s`);
  const result = await bootAndVerify(engine, config, {
    timeoutS,
    onEvent: (e) => {
      if (e.type === "milestone") say(`  ${(e.milestone.atMs / 1000).toFixed(2).padStart(7)} s  ${e.milestone.title}`);
    },
  });
  if (json) io.out(JSON.stringify({ ok: result.ok, engine: result.engine, totalMs: result.totalMs, summary: result.summary, milestones: result.milestones, failure: result.failure, checks: result.checks, report: result.report }, null, 2));
  else io.out(formatTimeline(result));
  return result.ok ? 0 : 1;
}
