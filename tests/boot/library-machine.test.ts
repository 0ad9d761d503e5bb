// The library's bootHowto with `stopAtEnd: false` returns its machine, and once the caller stops
// it the process ends by itself (issue 26: the machine used to run on in a local variable, so Node
// never exited). Run as a child process, as a user's script would be; the same boot checks that
// runShellCommand gives only what a command printed, and its exit status, and that Linux's vfat
// reads a long file name editFatDisk added to the built disk.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";

const CHILD = join(import.meta.dirname, "child/running-machine.ts");
/** From machine.stop() to the process's end: Node has only its own shutdown left to do. */
const EXIT_BOUND_MS = 10_000;

describe("looproot/emulator bootHowto({ stopAtEnd: false })", () => {
  it("returns the running machine; runShellCommand answers; after stop() the process exits", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exited = await new Promise<{ code: number | null; at: number }>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 280_000);
      child.on("exit", (code) => {
        clearTimeout(kill);
        resolve({ code, at: Date.now() });
      });
    });
    const lines = out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(exited.code, err.slice(-2000)).toBe(0);
    expect(lines[0], JSON.stringify(lines[0])).toMatchObject({ ok: true, machine: "function" });
    const answers = Object.fromEntries(
      lines.filter((l) => l.command).map((l) => [l.command, { output: l.output, status: l.status }]),
    );
    expect(answers["echo hello"]).toEqual({ output: "hello\n", status: 0 });
    expect(answers["printf 'no newline'"]).toEqual({ output: "no newline", status: 0 });
    expect(answers["printf '\\033[1;31mred\\033[0m\\n'"]).toEqual({ output: "red\n", status: 0 });
    expect(answers["(exit 3)"]).toEqual({ output: "", status: 3 });
    expect(answers["ls /nonexistent 2>&1; true"].output).toMatch(/^ls: \/nonexistent: No such file or directory\n$/);
    expect(answers["cat /proc/swaps | tail -n 1"].output).toMatch(/^\/dev\/loop1\s+partition\s+\d+\s+\d+\s+-?\d+\n$/);
    // Linux's vfat reads the long name editFatDisk wrote into the built disk.
    expect(answers["cat '/DOS/Long Name From The Host.txt'"]).toEqual({
      output: "written by editFatDisk\n",
      status: 0,
    });
    const stopped = lines.at(-1).stopped as number;
    expect(exited.at - stopped, "ms from machine.stop() to the process's exit").toBeLessThan(EXIT_BOUND_MS);
  }, 300_000);
});
