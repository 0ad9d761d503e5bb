// The emulators a Node program starts by name (the CLI, the bench, the tests), and a --persist
// boot's disk on its way back into its file: v86 keeps it in memory, QEMU and Bochs write the file.
// Node only (files, processes); the page starts v86 itself (emulator/v86-browser.ts).

import { writeFileSync, renameSync, rmSync, readdirSync, readFileSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import type { Engine, MachineImages } from "./engine.ts";
import type { V86NodeOptions } from "./v86-node.ts";
import { LooprootError, ErrorCode } from "../src/errors.ts";

export const ENGINES = ["v86", "qemu", "bochs"] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * `copy: false` when the caller does not use the images' bytes again (the CLI: the files stay on
 * disk): v86 then works on them, the guest's writes included, instead of on a copy of each.
 */
export async function startEngine(name: EngineName, images: MachineImages, opts: V86NodeOptions = {}): Promise<Engine> {
  if (name === "qemu") return (await import("./qemu.ts")).startQemu(images);
  if (name === "bochs") return (await import("./bochs.ts")).startBochs(images);
  if (name === "v86") return (await import("./v86-node.ts")).startV86Node(images, opts);
  throw new LooprootError(ErrorCode.Usage, `engine ${String(name)}: expected one of ${ENGINES.join(", ")}`, {
    field: "engine",
  });
}

/** QEMU and Bochs run on the disk file itself under --persist; v86 keeps the disk in memory and writes it back. */
export const writesInPlace = (engine: string) => engine === "qemu" || engine === "bochs";

/**
 * --persist, after the guest has halted: v86's disk (kept in memory) goes back into its file whole
 * or not at all (a temporary file beside it, then rename); QEMU wrote into the file itself.
 */
export function writeBackDisk(engine: Engine, diskPath: string): "written" | "in place" {
  const bytes = engine.diskImage?.();
  if (!bytes) return "in place";
  const tmp = writeBackName(diskPath, process.pid);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, diskPath);
  } finally {
    rmSync(tmp, { force: true });
  }
  return "written";
}

/** The write-back copy's name: beside the disk, hidden, with the writer's PID. */
const writeBackName = (diskPath: string, pid: number) =>
  join(dirname(diskPath), `.${basename(diskPath)}.looproot-${pid}`);

/**
 * Write-back copies a killed looproot left beside the disk (SIGKILL between the write and the
 * rename runs no cleanup): removed when their writer is gone, so none stays for ever. A copy whose
 * PID is alive and still a looproot (or node) is another run's, in progress, and is left alone.
 */
export function removeStaleWriteBacks(diskPath: string, say: (s: string) => void): void {
  const dir = dirname(diskPath),
    prefix = `.${basename(diskPath)}.looproot-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the disk was read from there; a folder that cannot be listed holds nothing we could remove
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !/^\d+$/.test(n.slice(prefix.length))) continue;
    const pid = Number(n.slice(prefix.length));
    if (pid !== process.pid && writerAlive(pid)) continue;
    try {
      rmSync(join(dir, n), { force: true });
      say(`${join(dir, n)}: removed, a write-back copy left by a looproot that was killed (PID ${pid})`);
    } catch (e) {
      say(
        `${join(dir, n)}: a write-back copy left by a killed looproot (PID ${pid}) could not be removed (${(e as Error).message}); remove it by hand`,
      );
    }
  }
}

function writerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A recycled PID belongs to some other program: then the copy is stale all the same.
  try {
    return /looproot|node|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, "latin1"));
  } catch {
    return true; // no /proc: alive is all we know
  }
}
