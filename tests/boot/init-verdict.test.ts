// The verdict is about the user's system: after looproot's report (the HOWTO's loop root up), the
// root's own init must reach its goal. Roots made here from the busybox system, each with an
// /sbin/init script that behaves like a failing or a working init, built with `looproot build
// --rootfs` and booted with `looproot boot --engine qemu`: the exit code and the words checked.
// Then init= in the kernel arguments, and a kernel whose setup code refuses the CPU.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTar } from "../../src/fs/tar.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import type { Tree } from "../../src/fs/tree.ts";
import { busyboxTree, textEntry } from "../helpers/busybox-tree.ts";
import { loadBios } from "../../src/node/ingredients.ts";
import { startQemu } from "../../emulator/qemu.ts";
import { bootAndVerify } from "../../emulator/harness.ts";
import { config, build, boot, timeline } from "./chain.ts";

const cli = (args: string[], timeout = 170_000) =>
  spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout });
const dir = mkdtempSync(join(tmpdir(), "verdict-init-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The busybox system with `init` as its /sbin/init (a #! script run by the root's busybox). */
function rootWithInit(init: string): Tree {
  return busyboxTree((a) => (a === "/sbin/init" ? textEntry(a, 0o755, `#!/bin/sh\n${init}\n`) : undefined));
}

/** `looproot build --rootfs` of that root, then `looproot boot --engine qemu`: exit code and output. */
function buildAndBoot(name: string, init: string, timeoutS = 90) {
  const tar = join(dir, `${name}.tar.gz`);
  writeFileSync(tar, gzip9(writeTar(rootWithInit(init))));
  const out = join(dir, name);
  const b = cli(["build", "--out", out, "--rootfs", tar]);
  expect(b.status, b.stderr).toBe(0);
  const t0 = performance.now();
  const r = cli([
    "boot",
    "--engine",
    "qemu",
    "--floppy",
    join(out, "floppy.img"),
    "--disk",
    join(out, "disk.img"),
    "--timeout",
    String(timeoutS),
  ]);
  return { status: r.status, out: r.stdout, err: r.stderr, secs: (performance.now() - t0) / 1000 };
}

describe("the root's own init decides the verdict (QEMU)", () => {
  it("an init that prints systemd's freeze lines and sleeps: NOT VERIFIED at the init's stage, its lines and the kernel hint", () => {
    const r = buildAndBoot(
      "freeze",
      [
        'echo "systemd[1]: Failed to mount tmpfs at /sys/fs/cgroup: No such file or directory"',
        'echo "[!!!!!!] Failed to mount API filesystems."',
        'echo "systemd[1]: Freezing execution."',
        "exec sleep 100000",
      ].join("\n"),
    );
    expect(r.status, r.out + r.err).toBe(1);
    // looproot's own stage stays proved, apart from the init's.
    expect(r.out).toMatch(/HOWTO's loop root up/);
    expect(r.out).toContain("ok   root device: 7:0");
    expect(r.out).toMatch(
      /the guest's last lines \(the root's init\):\n(?:.*\n)*  \| \[!!!!!!\] Failed to mount API filesystems\./,
    );
    expect(r.out).toMatch(/what to try: systemd could not mount its API filesystems .*boot\.kernel = "distro"/);
    expect(r.out).toMatch(
      /NOT VERIFIED \(qemu\): failed at "the root's init ready": the root's init froze \(systemd\[1\]: Freezing execution\.\); the HOWTO's loop root was up/,
    );
    console.log(`freeze: ${r.secs.toFixed(1)} s`);
  }, 240_000);

  it("an init that exits: NOT VERIFIED, init exited, with its own last line", () => {
    const r = buildAndBoot("exits", 'echo "my init: nothing to do, bye"\nexit 0');
    expect(r.status, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/failed at "the root's init ready": init exited \(.*Attempted to kill init!/);
    expect(r.out).toContain("| my init: nothing to do, bye");
    expect(r.out).toMatch(/what to try: The root's own \/sbin\/init ended after looproot's report/);
    console.log(`exits: ${r.secs.toFixed(1)} s`);
  }, 240_000);

  it("an init that prints nothing and sleeps: NOT VERIFIED when the time runs out, at the init's stage", () => {
    const r = buildAndBoot("silent", "exec sleep 100000", 40);
    expect(r.status, r.out + r.err).toBe(1);
    // The guest's last line is the report's end, unless the kernel's clocksource watchdog spoke
    // later (it does on a loaded host: "clocksource: Switched to clocksource pit").
    expect(r.out).toMatch(
      /NOT VERIFIED \(qemu\): failed at "the root's init ready": overall time limit within 40 s \(last line: (LOOPROOT: report-end|clocksource: [^)]+)\)/,
    );
    // The harness's probes, echoed by the console, are not the init talking.
    expect(r.out).not.toMatch(/\| echo "LOOPROOT: shell ready/);
    console.log(`silent: ${r.secs.toFixed(1)} s`);
  }, 240_000);

  it("an init that prints a login prompt: VERIFIED, exit 0", () => {
    const r = buildAndBoot("login", "printf '\\nlooptest login: '\nexec sleep 100000");
    expect(r.status, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/the root's init ready +looptest login:/);
    expect(r.out).toMatch(
      /VERIFIED \(qemu\): loop root verified: .*HOWTO's loop root up at [\d.]+ s\); the root's init ready: a login prompt/,
    );
    console.log(`login: ${r.secs.toFixed(1)} s`);
  }, 240_000);
});

describe("init= in the kernel arguments (built-in root, QEMU)", () => {
  const run = (name: string, init: string) => {
    const t0 = performance.now();
    const r = cli([
      "run",
      "--engine",
      "qemu",
      "--out",
      join(dir, name),
      "--set",
      `boot.extraArgs=console=tty0 console=ttyS0 init=${init}`,
    ]);
    return { ...r, secs: (performance.now() - t0) / 1000 };
  };

  it("init=/bin/sh: a shell runs as init, found in seconds and the argument named", () => {
    const r = run("sh", "/bin/sh");
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /failed at "init started on the loop root": a shell runs as init instead of the loop root's init \(the kernel ran \/bin\/sh as init; looproot's rc never ran/,
    );
    expect(r.stdout).toMatch(/what to try: The kernel arguments say init=\/bin\/sh \(boot\.extraArgs\)/);
    // The build, tsx's start and the boot together: the verdict itself comes seconds after the shell.
    expect(r.secs).toBeLessThan(30);
    console.log(`init=/bin/sh: ${r.secs.toFixed(1)} s`);
  }, 120_000);

  it("init=/bin/false: init exited, the argument named", () => {
    const r = run("false", "/bin/false");
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/failed at "init started on the loop root": init exited/);
    expect(r.stdout).toMatch(/what to try: The kernel arguments say init=\/bin\/false \(boot\.extraArgs\)/);
    console.log(`init=/bin/false: ${r.secs.toFixed(1)} s`);
  }, 120_000);
});

describe("init=/bin/sh in v86 (the page's engine)", () => {
  it("the shell is found and the argument named within 30 s of the shell's start", async () => {
    const c = config({ boot: { extraArgs: "console=tty0 console=ttyS0,115200 init=/bin/sh" } });
    const images = build(c);
    const { result } = await boot("v86", c, images.floppy, images.disk);
    expect(result.failure, timeline(result)).toMatchObject({
      stage: "init",
      title: "a shell runs as init instead of the loop root's init",
    });
    expect(result.failure!.hint?.sentence).toMatch(/init=\/bin\/sh \(boot\.extraArgs\)/);
    const shellAt = result.lines.find((l) => /Run \/bin\/sh as init process/.test(l.text))!.atMs;
    expect(result.failure!.atMs - shellAt).toBeLessThan(30_000);
    console.log(
      `v86 init=/bin/sh: shell run at ${(shellAt / 1000).toFixed(1)} s, named at ${(result.failure!.atMs / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});

describe("a kernel whose setup code refuses the CPU", () => {
  // The kernel is built for a 486 with its FPU (no math emulation): a 486 without one (QEMU's 486
  // with fpu=off, a 486SX) is refused by the setup code, on the screen only, as an i686-only
  // kernel on a 486 is ("This kernel requires an i686 CPU", tests/unit/milestones.test.ts).
  it("QEMU -cpu 486,fpu=off: the refusal read from the screen, named within seconds", async () => {
    const c = config();
    const images = build(c);
    const engine = startQemu({
      floppy: images.floppy,
      disk: images.disk,
      memoryMiB: c.machine.memoryMiB,
      qemuArgs: ["-cpu", "486,fpu=off"],
      ...loadBios(),
    });
    const result = await bootAndVerify(engine, c, { timeoutS: 60 });
    expect(result.ok).toBe(false);
    expect(result.failure, timeline(result)).toMatchObject({ stage: "kernel", title: "the kernel refused this CPU" });
    expect(result.failure!.evidence).toMatch(/This kernel requires the following features not present on the CPU/);
    expect(
      result.lines.some(
        (l) => l.source === "screen" && /Unable to boot - please use a kernel appropriate for your CPU/.test(l.text),
      ),
      timeline(result),
    ).toBe(true);
    expect(result.failure!.atMs).toBeLessThan(15_000);
    console.log(`-cpu 486,fpu=off: refused at ${(result.failure!.atMs / 1000).toFixed(1)} s`);
  }, 120_000);
});
