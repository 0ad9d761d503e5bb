// Nothing outlives looproot (issue 28): `looproot boot --engine qemu --persist` SIGKILLed mid-boot,
// and `looproot shell --engine qemu --persist` SIGKILLed mid-shutdown, leave no QEMU of theirs
// running within 2 s, the disk file stops changing, and the next run removes their run folders.
// A run's processes and folder are found by its own marker (looproot-qemu-PID-, PID being that
// looproot's), never by a process name: other QEMUs on this machine are none of our business.
import { describe, it, expect, beforeAll } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SHUTDOWN } from "../../src/howto/protocol.ts";
import { reportLine } from "../../src/howto/protocol.ts";
import { cleanStaleRunDirs } from "../../emulator/tied.ts";

const dir = mkdtempSync(join(tmpdir(), "lr-lifetime-"));
const floppy = join(dir, "floppy.img"),
  disk = join(dir, "disk.img");
// The runs here keep their folders in a temp folder of their own: a looproot started by another
// test file meanwhile cleans a killed run's folder from the shared one before this file looks.
const runTmp = join(dir, "tmp");
const runEnv = { ...process.env, TMPDIR: runTmp };
beforeAll(() => {
  const r = spawnSync("node", ["bin/looproot.mjs", "build", "--out", dir], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  mkdirSync(runTmp);
});

const marker = (pid: number, engine = "qemu") => `looproot-${engine}-${pid}-`;
/**
 * Processes holding this run's marker: in their command line (QEMU names its run folder in -L,
 * Bochs its bochsrc) or in their environment (LOOPROOT_RUN_DIR, which the helpers they start
 * inherit too).
 */
function processesOf(pid: number, engine = "qemu"): number[] {
  const found: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (["cmdline", "environ"].some((f) => readFileSync(`/proc/${p}/${f}`, "latin1").includes(marker(pid, engine))))
        found.push(Number(p));
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}
const runDirs = (pid: number, engine = "qemu") => readdirSync(runTmp).filter((n) => n.startsWith(marker(pid, engine)));
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the CLI; resolves once its output (stdout and stderr) matches `until`. */
function startCli(
  args: string[],
  until: RegExp,
  timeoutMs: number,
): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn("node", ["bin/looproot.mjs", ...args], { stdio: ["pipe", "pipe", "pipe"], env: runEnv });
  let out = "";
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`no ${until} within ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    const on = (b: Buffer) => {
      out += b.toString("latin1");
      if (until.test(out)) {
        clearTimeout(timer);
        res({ child, out: () => out });
      }
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
  });
}

/** SIGKILLs looproot; its engine's processes must be gone within 2 s and the disk must stop changing. */
async function killAndCheck(
  child: ChildProcess,
  engine = "qemu",
  atLeast = 1,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<number> {
  const pid = child.pid!;
  expect(processesOf(pid, engine).length, "the run's engine processes before the kill").toBeGreaterThanOrEqual(atLeast);
  const exited = new Promise((r) => child.on("exit", r));
  child.kill(signal);
  await exited;
  const t0 = Date.now();
  while (processesOf(pid, engine).length && Date.now() - t0 < 2000) await sleep(50);
  expect(processesOf(pid, engine), "engine processes of the killed run 2 s after the kill").toEqual([]);
  const before = sha(disk);
  await sleep(1500);
  expect(sha(disk), "the disk changed after the run's QEMU was gone").toBe(before);
  return pid;
}

describe("engine processes end with looproot (SIGKILL)", () => {
  const killed: number[] = [];

  it("boot --engine qemu --persist killed mid-boot (the DOS partition just mounted)", async () => {
    const { child } = await startCli(
      ["boot", "--engine", "qemu", "--persist", "--floppy", floppy, "--disk", disk],
      /mounted the DOS partition/,
      120_000,
    );
    killed.push(await killAndCheck(child));
    expect(runDirs(killed[0]).length, "a SIGKILLed run cannot remove its own folder").toBe(1);
  }, 150_000);

  it("shell --engine qemu --persist killed mid-shutdown (after poweroff began)", async () => {
    const { child, out } = await startCli(
      ["shell", "--engine", "qemu", "--persist", "--floppy", floppy, "--disk", disk],
      new RegExp(reportLine("report-end")),
      120_000,
    );
    // The next run has removed the killed run's folder.
    expect(runDirs(killed[0])).toEqual([]);
    // The root's shell answers, then powers off; the kill comes once its shutdown has begun.
    for (const t0 = Date.now(); !out().includes("ready-42") && Date.now() - t0 < 60_000; await sleep(500))
      child.stdin!.write("echo ready-$((6*7))\n");
    child.stdin!.write("poweroff\n");
    for (const t0 = Date.now(); !out().includes(SHUTDOWN.begin) && Date.now() - t0 < 60_000;) await sleep(20);
    expect(out()).toContain(SHUTDOWN.begin);
    killed.push(await killAndCheck(child));
  }, 150_000);

  it("the next run removes the killed runs' folders, and its own", () => {
    const r = spawnSync(
      "node",
      ["bin/looproot.mjs", "boot", "--engine", "qemu", "--floppy", floppy, "--disk", disk, "--timeout", "5"],
      { encoding: "utf8", timeout: 60_000, env: runEnv },
    );
    expect(r.status, r.stderr).not.toBe(2);
    for (const pid of [...killed, r.pid]) expect(runDirs(pid), `run folders of looproot ${pid}`).toEqual([]);
  }, 90_000);
});

describe.each(["SIGINT", "SIGTERM"] as const)("engine processes end with looproot (%s)", (signal) => {
  it("boot --engine qemu signalled once DOS is up", async () => {
    const { child } = await startCli(
      ["boot", "--engine", "qemu", "--floppy", floppy, "--disk", disk],
      /DOS is up/,
      120_000,
    );
    await killAndCheck(child, "qemu", 1, signal);
  }, 150_000);
});

describe("Bochs ends with looproot too", () => {
  it("boot --engine bochs killed once DOS is up: Bochs, its pty relay and the relay's shell are gone", async () => {
    const { child } = await startCli(
      ["boot", "--engine", "bochs", "--floppy", floppy, "--disk", disk],
      /DOS is up/,
      120_000,
    );
    // bochs-bin, script, and the sleep holding the pty open.
    const pid = await killAndCheck(child, "bochs", 3);
    expect(runDirs(pid, "bochs")).toHaveLength(1);
    cleanStaleRunDirs(runTmp);
    expect(runDirs(pid, "bochs")).toEqual([]);
  }, 150_000);
});

describe("cleanStaleRunDirs", () => {
  it("removes the folders of dead runs only", () => {
    const base = mkdtempSync(join(tmpdir(), "lr-stale-"));
    // A pid that cannot be running (above pid_max's largest value), ours, and a name not of ours.
    for (const n of ["looproot-qemu-4194305-abc", `looproot-bochs-${process.pid}-def`, "looproot-qemu-xyz"])
      mkdirSync(join(base, n));
    expect(cleanStaleRunDirs(base)).toEqual(["looproot-qemu-4194305-abc"]);
    expect(existsSync(join(base, `looproot-bochs-${process.pid}-def`))).toBe(true);
    expect(existsSync(join(base, "looproot-qemu-xyz"))).toBe(true);
  });
});
