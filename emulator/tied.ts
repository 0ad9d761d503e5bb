// Engine processes (QEMU, Bochs) that end when looproot ends, however it ends, and the run folder
// each one works in. A SIGKILLed Node runs no handler, so the kernel must do it: the engine is
// started through util-linux's `setpriv --pdeathsig KILL`, which sets PR_SET_PDEATHSIG and execs
// it (the setting survives execve). A run's folder is named with looproot's pid
// (looproot-qemu-PID-XXXXXX), so the next run can tell a killed run's folder from a live one's.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starts `cmd` so that the kernel SIGKILLs it when this process dies (no -daemonize, no double
 * fork). It and whatever it starts carry LOOPROOT_RUN_DIR=runDir in their environment, the run's
 * mark by which its processes can be told from any other's.
 */
export function spawnTied(cmd: string, args: string[], runDir: string, opts: SpawnOptions): ChildProcess {
  return spawn("setpriv", ["--pdeathsig", "KILL", "--", cmd, ...args], {
    ...opts,
    env: { ...(opts.env ?? process.env), LOOPROOT_RUN_DIR: runDir },
  });
}

const RUN_DIR = /^looproot-(qemu|bochs)-(\d+)-/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // someone else's live process
  }
}

/**
 * Removes the run folders of looproot processes that no longer exist (a SIGKILLed run cannot
 * remove its own); returns their names. Folders of live runs, ours included, are left alone.
 */
export function cleanStaleRunDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = RUN_DIR.exec(name);
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
    rmSync(join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

const live = new Set<string>();
let hooked = false;

/**
 * A fresh folder for one engine run, marked with this process's pid; stale ones are cleaned first.
 * It is removed by `removeRunDir`, or at the latest when this process exits normally; a killed
 * run's is removed by the next run.
 */
export function makeRunDir(engine: "qemu" | "bochs"): string {
  cleanStaleRunDirs();
  const dir = mkdtempSync(join(tmpdir(), `looproot-${engine}-${process.pid}-`));
  live.add(dir);
  if (!hooked) {
    hooked = true;
    process.on("exit", () => live.forEach((d) => rmSync(d, { recursive: true, force: true })));
  }
  return dir;
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Linux's clock ticks per second in /proc (USER_HZ), 100 on every architecture Node runs on. */
const USER_HZ = 100;
/** The CPU time (user + system) of a process so far, from /proc/PID/stat; the last reading once it is gone. */
export function cpuTime(pid: number | undefined): () => number {
  let last = 0;
  return () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // Fields after the command name (which may hold spaces and parentheses): utime and stime are 14 and 15.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      last = ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
    } catch {
      // Exited: the harness hears of the exit through onCrash.
    }
    return last;
  };
}
