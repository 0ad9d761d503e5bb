// Issue 24: a Debian root keeps its disk clean however it is shut down (QEMU, the guest writing
// into the disk file as with --persist). Two ways per init:
// - the root's own `poweroff`, typed by root logged in at its getty: sysvinit, OpenRC and runit
//   end in Debian's halt script, which runs looproot's hook through /etc/default/halt (systemd's
//   own hook is tests/boot/debian-systemd.test.ts);
// - from a getty's login prompt, as a user who does not log in: `looproot boot --persist`
//   (sysvinit, systemd) or leaving `looproot shell --persist` with Ctrl-] q (OpenRC, runit). The
//   typed poweroff only reaches the prompt, so the harness presses Ctrl-Alt-Del and the init's own
//   reboot runs the hook; the machine is stopped at the kernel's restart line.
// Each time fsck.fat -n and e2fsck -fn are clean and the file root wrote is in the kept root image.
// Runs when LOOPROOT_DEBIAN_ROOT=1 or CI=true (debootstrap needs root and the mirror).
import { describe, it, expect, afterAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { knownBuild } from "../../src/cli/buildinfo.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { loadBios } from "../../src/node/ingredients.ts";
import { bootAndVerify, runShellCommand } from "../../emulator/harness.ts";
import { shutdownGuest } from "../../emulator/shutdown.ts";
import { SHUTDOWN } from "../../src/howto/protocol.ts";
import {
  debianRootEnabled as enabled,
  debianRootTarball,
  DEBIAN_SETS,
  type DebianInit,
} from "../helpers/debian-root.ts";
import { loginAsRoot, waitSerial } from "../helpers/guest-login.ts";
import { checkDisk } from "./diskcheck.ts";
import { timeline } from "./chain.ts";

const cli = (args: string[], timeout = 600_000) =>
  spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout });
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
const INITS: DebianInit[] = ["sysvinit", "openrc", "runit", "systemd"];
/** Where the login prompt is left through `looproot shell --persist` rather than `looproot boot --persist`. */
const BY_SHELL: DebianInit[] = ["openrc", "runit"];

/** `looproot shell --persist` (QEMU) left with Ctrl-] q at the login prompt; its exit code and output. */
async function leaveShellAtLogin(f: string, d: string, host: string): Promise<{ status: number | null; text: string }> {
  // util-linux script gives looproot a pty for stdin and stdout, fed from our pipe.
  const child = spawn(
    "script",
    ["-qfec", `node bin/looproot.mjs shell --engine qemu --persist --floppy ${f} --disk ${d}`, "/dev/null"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout.setEncoding("latin1").on("data", (t: string) => (text += t));
  child.stderr.setEncoding("latin1").on("data", (t: string) => (text += t));
  const exit = new Promise<number | null>((res) => child.on("close", res));
  try {
    await waitSerial(() => text, new RegExp(`${host} login: `), 400_000);
    child.stdin.write("\x1dq");
    return { status: await exit, text };
  } finally {
    child.kill();
  }
}

/** Both filesystems of the kept disk clean, and root's file in the root image. */
function expectClean(dir: string, file: string, want: string) {
  const k = checkDisk(new Uint8Array(readFileSync(join(dir, "disk.img"))), dir);
  expect(k.fat.status, k.fat.out).toBe(0);
  expect(k.ext2.status, k.ext2.out).toBe(0);
  expect(spawnSync("debugfs", ["-R", `cat ${file}`, join(dir, "root.img")], { encoding: "utf8" }).stdout).toBe(want);
}

describe.skipIf(!enabled)(
  "Debian 12 roots shut down clean: their own poweroff, and Ctrl-Alt-Del at a login prompt",
  () => {
    const out = mkdtempSync(join(tmpdir(), "lr-debian-shutdown-"));
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    for (const init of INITS) {
      it(`${init}: root's poweroff, then ${BY_SHELL.includes(init) ? "`looproot shell --persist` left" : "`looproot boot --persist`"} at the login prompt: both clean, the file kept`, async () => {
        const made = debianRootTarball(init);
        const dir = join(out, init);
        const b = cli(["build", "--out", dir, "--rootfs", made.path, ...DEBIAN_SETS.flatMap((s) => ["--set", s])]);
        expect(b.status, b.stderr).toBe(0);
        const f = join(dir, "floppy.img"),
          d = join(dir, "disk.img");
        const floppy = new Uint8Array(readFileSync(f));
        const c = knownBuild(f, d, floppy, new Uint8Array(readFileSync(d))).config;

        // The root's own poweroff (systemd's is tests/boot/debian-systemd.test.ts).
        if (init !== "systemd") {
          const t0 = performance.now();
          const machine = await startEngine(
            "qemu",
            { floppy, diskFile: d, memoryMiB: c.machine.memoryMiB, ...loadBios() },
            { copy: false },
          );
          let serial = "";
          machine.onSerial((t) => (serial += t));
          try {
            const r = await bootAndVerify(machine, c, { timeoutS: 240, stopAtEnd: false });
            expect(r.ok, timeline(r)).toBe(true);
            await loginAsRoot(machine, () => serial, `debian-${init}`, 300_000);
            await runShellCommand(machine, `echo own-${init} > /root/kept; sync`, 60_000);
            const t1 = performance.now();
            machine.sendSerial("poweroff\n");
            const s = await shutdownGuest(machine, c, { request: false, timeoutMs: 180_000 });
            console.log(`${init} in QEMU: poweroff typed by root: ${s.status} in ${secs(t1)} s (${secs(t0)} s in all)`);
            expect(s.status, serial.slice(-2500)).toBe("clean");
            expect(serial).toContain(SHUTDOWN.done);
          } finally {
            await machine.stop();
          }
          expectClean(dir, "/root/kept", `own-${init}\n`);
        }

        // From the login prompt: `looproot boot --persist` (verified there, then shut down), or a shell session left there.
        const t2 = performance.now();
        if (BY_SHELL.includes(init)) {
          const r = await leaveShellAtLogin(f, d, `debian-${init}`);
          console.log(
            `${init}: looproot shell --persist left at the login prompt: exit ${r.status} after ${secs(t2)} s`,
          );
          expect(r.status, r.text.slice(-2500)).toBe(0);
          expect(r.text).toContain(SHUTDOWN.done);
          expect(r.text).toContain("the guest's writes are kept (written in place).");
        } else {
          const r = cli(["boot", "--engine", "qemu", "--floppy", f, "--disk", d, "--persist", "--timeout", "300"]);
          console.log(
            `${init}: looproot boot --persist: exit ${r.status} in ${secs(t2)} s; ${/the guest's writes are kept[^\n]*/.exec(r.stdout + r.stderr)?.[0]}`,
          );
          expect(r.status, r.stdout.slice(-2000) + r.stderr.slice(-2000)).toBe(0);
          expect(r.stdout + r.stderr).toMatch(/the guest's writes are kept \(written in place\); cleanly shut down in/);
        }
        expectClean(dir, "/etc/hostname", `debian-${init}\n`);
        if (init !== "systemd") expectClean(dir, "/root/kept", `own-${init}\n`);
      }, 1_500_000);
    }
  },
);
