// Keeping the Linux you booted: --persist puts the guest's writes back into the disk file after a
// clean shutdown, and the disk then passes fsck.fat and e2fsck with the user's files in it.
// Without --persist the files are left byte for byte as they were.
import { describe, it, expect, beforeAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { config, build, timeline } from "./chain.ts";
import { bootAndVerify, runShellCommand } from "../../emulator/harness.ts";
import { shutdownAndKeep } from "../../src/cli/boot.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { loadBios } from "../../src/node/ingredients.ts";
import { SHUTDOWN } from "../../src/howto/protocol.ts";
import { checkDisk, expectKeptWork } from "./diskcheck.ts";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

const c = config();
let floppy: Uint8Array, disk: Uint8Array;
beforeAll(() => ({ floppy, disk } = build(c)));

describe.each(["qemu", "v86"] as const)("--persist in %s", (engine) => {
  it("boot, write /root/x and /DOS/NOTE.TXT, poweroff: the disk file is clean and holds both", async () => {
    const dir = mkdtempSync(join(tmpdir(), `lr-persist-${engine}-`));
    const path = join(dir, "disk.img");
    writeFileSync(path, disk);
    // QEMU runs on the file itself; v86 on the bytes, written back after the halt.
    // As the CLI does: v86 on the bytes themselves, not a copy (v86 runs last, nothing reuses them).
    const e = await startEngine(
      engine,
      { floppy, disk, diskFile: engine === "qemu" ? path : undefined, memoryMiB: c.machine.memoryMiB, ...loadBios() },
      { copy: false },
    );
    const result = await bootAndVerify(e, c, { timeoutS: engine === "v86" ? 240 : 90, stopAtEnd: false });
    try {
      expect(result.ok, timeline(result)).toBe(true);
      const out = await runShellCommand(
        e,
        "echo hello > /root/x; echo note > /DOS/NOTE.TXT; sync; cat /root/x /DOS/NOTE.TXT",
        60_000,
      );
      expect(out).toContain("hello\nnote");
      // The control: the same disk before the shutdown is mounted and marked so by Linux.
      const running = e.diskImage?.()?.slice();
      if (running) {
        const before = checkDisk(running, dir);
        expect(before.fat.status, before.fat.out).toBe(1);
        expect(before.fat.out).toContain("Dirty bit is set");
      }
      const kept = await shutdownAndKeep(e, c, path);
      expect(kept.shutdown.status, kept.shutdown.line).toBe("clean");
      expect(kept.shutdown.line).toBe(SHUTDOWN.done);
      console.log(`${engine}: clean shutdown ${kept.shutdown.ms} ms, save ${kept.saveMs} ms`);
    } finally {
      await e.stop();
    }
    expectKeptWork(path, dir);
  }, 420_000);
});

describe("looproot boot with and without --persist (qemu)", () => {
  const cli = (args: string[]) =>
    spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout: 200_000 });
  const dir = mkdtempSync(join(tmpdir(), "lr-persist-cli-"));
  const f = join(dir, "floppy.img"),
    d = join(dir, "disk.img");
  beforeAll(() => {
    writeFileSync(f, floppy);
    writeFileSync(d, disk);
  });

  it("without --persist, both files are byte for byte as before", () => {
    const before = [sha(f), sha(d)];
    const r = cli(["boot", "--engine", "qemu", "--floppy", f, "--disk", d, "--timeout", "150"]);
    expect(r.status, r.stderr + r.stdout.slice(-1500)).toBe(0);
    expect([sha(f), sha(d)]).toEqual(before);
  }, 210_000);

  it("--persist boots, shuts down cleanly and leaves a clean disk the guest has written to", () => {
    const before = sha(d);
    const r = cli(["boot", "--engine", "qemu", "--floppy", f, "--disk", d, "--timeout", "150", "--persist"]);
    expect(r.status, r.stderr + r.stdout.slice(-1500)).toBe(0);
    expect(r.stdout).toContain("cleanly shut down");
    expect(sha(d)).not.toBe(before);
    const k = checkDisk(new Uint8Array(readFileSync(d)), dir);
    expect(k.fat.status, k.fat.out).toBe(0);
    expect(k.ext2.status, k.ext2.out).toBe(0);
  }, 210_000);
});

describe.each(["qemu", "v86"] as const)("looproot shell --persist in %s, through a pseudo-terminal", (engine) => {
  it("a user writes both files, Ctrl-C stops a command in the guest, poweroff ends the session; the disk keeps both", async () => {
    const dir = mkdtempSync(join(tmpdir(), `lr-shell-${engine}-`));
    const f = join(dir, "floppy.img"),
      d = join(dir, "disk.img");
    writeFileSync(f, floppy);
    writeFileSync(d, disk);
    // util-linux script gives looproot a pty for stdin and stdout, fed from our pipe.
    const cmd = `node bin/looproot.mjs shell --engine ${engine} --persist --floppy ${f} --disk ${d}`;
    const child = spawn("script", ["-qfec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("latin1").on("data", (t: string) => (out += t));
    child.stderr.setEncoding("latin1").on("data", (t: string) => (out += t));
    const exit = new Promise<number | null>((res) => child.on("close", res));
    const until = async (what: string | RegExp, ms: number) => {
      const t0 = Date.now();
      while (!(typeof what === "string" ? out.includes(what) : what.test(out))) {
        if (Date.now() - t0 > ms)
          throw new Error(`${String(what)} not seen within ${ms} ms; output:\n${out.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until("Ctrl-] then q leaves", 30_000);
      await until("shell ready on /dev/ttyS0", 300_000);
      child.stdin.write("echo hello > /root/x; echo note > /DOS/NOTE.TXT; sync; echo wr$((1+1))ote\r");
      await until("wr2ote", 60_000);
      // Ctrl-C reaches the guest's shell (a 300 s sleep ends at once) and not looproot.
      child.stdin.write("sleep 300\r");
      await new Promise((r) => setTimeout(r, 1500));
      child.stdin.write("\x03");
      child.stdin.write("echo int$((2+3))rupted\r");
      await until("int5rupted", 30_000);
      child.stdin.write("poweroff\r");
      await until(SHUTDOWN.done, 60_000);
      expect(await exit, out.slice(-1500)).toBe(0);
    } finally {
      child.kill();
    }
    expect(out).toContain("the guest's writes are kept");
    expectKeptWork(d, dir);
  }, 420_000);
});
