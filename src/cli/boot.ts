// `looproot boot` and `looproot run`: boot images headless and print the boot chain's timeline.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootAndVerify, type BootResult } from "../../emulator/harness.ts";
import type { Engine } from "../../emulator/engine.ts";
import { startEngine, writeBackDisk, writesInPlace, removeStaleWriteBacks } from "../../emulator/node-engines.ts";
import { shutdownGuest, type ShutdownResult } from "../../emulator/shutdown.ts";
import type { LooprootConfig } from "../config.ts";
import { loadBios } from "../node/ingredients.ts";
import { loadConfig, decimalNumber, type ParsedArgs } from "./args.ts";
import { safeText } from "../util/safe.ts";
import { runBuild } from "./build.ts";
import { UsageError, inputFileError } from "./errors.ts";
import { readInputFile } from "./files.ts";
import { FLOPPY_BPB } from "../fs/fat/index.ts";
import { fmt } from "../util/fmt.ts";
import { knownBuild, checkBootConfig } from "./buildinfo.ts";
import { checkLoopFiles } from "../howto/fromimages.ts";
import { bootResultJson } from "../bootjson.ts";
import { hintFor, type Hint } from "../../emulator/hints.ts";
import { readFat } from "../fs/fat/index.ts";
import { machineChoice } from "./machine.ts";
import { bochsDiskFileProblem } from "../../emulator/bochs-config.ts";
import { describePc, machineJson } from "../../emulator/pc.ts";
import { defaultConfig } from "../config.ts";

/** The largest floppy (2.88 MB) and the largest disk the BIOS and v86 take here (under 2 GiB). */
export const FLOPPY_MAX_BYTES = 2_949_120;
export const DISK_MAX_BYTES = 2 ** 31 - 1;

/**
 * The two images boot and shell take, read with their limits. A floppy must be one of the sizes a
 * PC's drive has (v86 and QEMU take its geometry from the size; another size reads as garbage and
 * DOS stops with "Disk read error"): refused here, naming --floppy and the file.
 */
export function readBootImages(floppyPath: string, diskPath: string): { floppy: Uint8Array; disk: Uint8Array } {
  const floppy = readInputFile("--floppy", floppyPath, FLOPPY_MAX_BYTES);
  const sizes = Object.entries(FLOPPY_BPB).map(([k, b]) => [k, b.totalSectors * 512] as const);
  if (!sizes.some(([, n]) => n === floppy.length)) {
    throw inputFileError(
      "--floppy",
      floppyPath,
      `is ${fmt(floppy.length)} bytes, not the size of a floppy disk (${sizes.map(([k, n]) => `${k} ${fmt(n)}`).join(", ")})`,
    );
  }
  return { floppy, disk: readInputFile("--disk", diskPath, DISK_MAX_BYTES) };
}

/** --persist on Bochs: the file must be whole ATA cylinders (emulator/bochs-config.ts), refused before booting. */
export function checkBochsDiskFile(path: string, bytes: number): void {
  const problem = bochsDiskFileProblem(bytes);
  if (problem) throw new UsageError(`--disk ${path} with --engine bochs --persist: ${problem}`);
}

/** Shuts the guest down cleanly, stops it, and keeps the disk in diskPath; one line for the user. */
export async function shutdownAndKeep(
  engine: Engine,
  config: LooprootConfig,
  diskPath: string,
  request = true,
): Promise<{ shutdown: ShutdownResult; kept: string; saveMs: number }> {
  const shutdown = await shutdownGuest(engine, config, { request });
  await engine.stop();
  const t0 = Date.now();
  const how = writeBackDisk(engine, diskPath);
  const saveMs = Date.now() - t0;
  const state =
    shutdown.status === "clean"
      ? "cleanly shut down"
      : shutdown.status === "halted"
        ? "halted by its own shutdown"
        : `NOT cleanly shut down (${shutdown.line})`;
  const kept = `${diskPath}: the guest's writes are kept (${how === "written" ? `written back in ${saveMs} ms` : "written in place"}); ${state} in ${(shutdown.ms / 1000).toFixed(1)} s`;
  return { shutdown, kept, saveMs };
}

/**
 * The verdict for a terminal: the milestones in time order, looproot's report checked against the
 * config (the HOWTO's loop root), then for a failure the guest's last lines and what to try.
 */
export function formatTimeline(r: BootResult, hint?: Hint): string {
  const rows = r.milestones.map(
    (m) => `  ${(m.atMs / 1000).toFixed(2).padStart(7)} s  ${m.title.padEnd(36)} ${m.evidence.slice(0, 90)}`,
  );
  if (r.failure)
    rows.push(
      `  ${(r.failure.atMs / 1000).toFixed(2).padStart(7)} s  FAILED: ${r.failure.title}  (${r.failure.evidence.slice(0, 120)})`,
    );
  if (r.checks.length) rows.push("  looproot's report (HOWTO's loop root):");
  for (const c of r.checks)
    rows.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.what}: ${c.ok ? c.got : `expected ${c.expected}, got ${c.got}`}`);
  if (r.lastLines?.length)
    rows.push(
      `  the guest's last lines${r.milestones.some((m) => m.id === "loop-root") ? " (the root's init)" : ""}:`,
      ...r.lastLines.map((l) => `  | ${l.slice(0, 120)}`),
    );
  if (hint)
    rows.push(`  what to try: ${hint.sentence}${hint.fields.length ? ` (look at ${hint.fields.join(", ")})` : ""}`);
  rows.push(`${r.ok ? "VERIFIED" : "NOT VERIFIED"} (${r.engine}): ${r.summary}`);
  return rows.join("\n");
}

/** The hint for a failed boot, as the page gives it (whether the floppy carries LRDOS decides between causes). */
export function bootHint(r: BootResult, config: LooprootConfig, floppy: Uint8Array): Hint | undefined {
  if (r.ok || !r.failure) return undefined;
  let ownDos = false;
  try {
    ownDos = !readFat(floppy).entries.some((e) => e.path.toUpperCase() === "LRDOS.SYS");
  } catch {
    ownDos = true; // not a FAT floppy looproot made: the user's own
  }
  return hintFor(r.failure, { ownDos, ownRoot: config.root.source === "tar" });
}

export async function bootCommand(
  args: ParsedArgs,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  // Whole seconds in decimal digits, as every number looproot reads (no 0x10, 1e3, +60).
  const timeoutS = decimalNumber(args.opts.get("--timeout") ?? "120") ?? NaN;
  if (!(timeoutS >= 1 && timeoutS <= 3600))
    throw new UsageError(
      `--timeout ${safeText(args.opts.get("--timeout") ?? "", 40)}: expected whole seconds between 1 and 3600, in decimal digits`,
    );
  // The engine and PC are checked before anything is built or read.
  machineChoice(args, defaultConfig());
  let floppy: Uint8Array, disk: Uint8Array, diskPath: string;
  let config: LooprootConfig;
  const persist = args.flags.has("--persist");
  const json = args.flags.has("--json");
  const say = json ? () => {} : io.out;
  if (args.command === "run") {
    if (!args.opts.has("--out")) args.opts.set("--out", mkdtempSync(join(tmpdir(), "looproot-run-")));
    const built = runBuild(args, say);
    ({ config } = built);
    floppy = built.result.floppy;
    disk = built.result.disk;
    diskPath = join(args.opts.get("--out")!, "disk.img");
  } else {
    const f = args.opts.get("--floppy"),
      d = args.opts.get("--disk");
    if (!f || !d) throw new UsageError("boot needs --floppy FILE and --disk FILE");
    // Read with their limits checked while reading: a device or a FIFO named here cannot make us read forever.
    ({ floppy, disk } = readBootImages(f, d));
    diskPath = d;
    removeStaleWriteBacks(d, say);
    // Check the guest against what was built, not against the defaults.
    const known = knownBuild(f, d, floppy, disk);
    config = loadConfig(args, known.config);
    checkBootConfig(config, known);
    checkLoopFiles(disk, config, { floppy: `--floppy ${f}`, disk: `--disk ${d}` });
    say(
      `looproot boot: the config from ${known.from}${args.opts.has("--config") || args.sets.length ? ", with --config/--set on top" : ""}`,
    );
  }
  const choice = machineChoice(args, config);
  const engineName = choice.engine;
  config = choice.config;
  const diskFile = persist && writesInPlace(engineName) ? diskPath : undefined;
  if (diskFile && engineName === "bochs") checkBochsDiskFile(diskFile, disk.length);
  // The bytes are not used again here (run wrote its files already): no copy for v86.
  const engine = await startEngine(
    engineName,
    {
      floppy,
      disk,
      diskFile,
      memoryMiB: config.machine.memoryMiB,
      pc: choice.pc,
      net: args.flags.has("--net"),
      ...loadBios(),
    },
    { copy: false },
  );
  say(`looproot boot: ${describePc(engineName, choice.pc, config.machine.memoryMiB)}, timeout ${timeoutS} s`);
  const result = await bootAndVerify(engine, config, {
    timeoutS,
    onEvent: (e) => {
      if (e.type === "milestone") say(`  ${(e.milestone.atMs / 1000).toFixed(2).padStart(7)} s  ${e.milestone.title}`);
    },
    stopAtEnd: !persist,
  });
  // --persist: the guest powers off (the harness's own probes are all it wrote) and the disk is kept.
  const kept = persist && result.ok ? await shutdownAndKeep(engine, config, diskPath) : undefined;
  if (kept) say(kept.kept);
  else if (persist) {
    await engine.stop();
    say(
      `${diskPath}: ${writesInPlace(engineName) ? "the guest wrote into it as it booted" : "left as it was"}: the boot did not reach a shell to shut down`,
    );
  }
  if (json)
    io.out(
      JSON.stringify(
        bootResultJson(result, kept, machineJson(engineName, choice.pc, config.machine.memoryMiB)),
        null,
        2,
      ),
    );
  else io.out(formatTimeline(result, bootHint(result, config, floppy)));
  return result.ok && (!kept || kept.shutdown.status === "clean" || kept.shutdown.status === "halted") ? 0 : 1;
}
