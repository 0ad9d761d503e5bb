// npm run bench: the default images built by looproot and by the native pipeline the HOWTO uses
// (dd, mke2fs -d, gzip -9, mkswap, sfdisk, mkfs.fat, mcopy) from the same content, side by side in
// one run, best of N each. Then, if --boot is given, boots the images in v86 in Node, v86 in
// Chromium and QEMU and prints the time per stage, the ratios and the totals (bench/boots.ts). With --boot or --keep: keeping the Linux you booted (benchKeep
// below): clean shutdown, disk write-back, snapshot size and restore to a working shell beside a
// full boot, in v86 in Node. Peak memory of builds and v86 starts (up to a 2047 MiB disk) always;
// with --boot also of a boot to the verdict; with --page (opt-in, minutes) the page's peaks for
// the 2047 MiB disk: `npm run bench -- --page`. The distribution kernel's size and a Debian
// root's boot to its login prompt (bench/distro.ts) with --boot, or alone with --distro-only.

import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  symlinkSync,
  linkSync,
  chmodSync,
  lchownSync,
  rmSync,
  existsSync,
} from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { defaultConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients, loadBios } from "../src/node/ingredients.ts";
import { diskLayout } from "../src/howto/dosdir.ts";
import { floppyFiles } from "../src/howto/bootfloppy.ts";
import type { Tree } from "../src/fs/tree.ts";
import { benchBoots } from "./boots.ts";
import { benchDistro } from "./distro.ts";

// --boot-only: just the boots (bench/boots.ts), for measuring a change to the guest side by side.
if (process.argv.includes("--boot-only")) {
  await benchBoots(process.argv.slice(2));
  process.exit(0);
}
// --distro-only: just the distribution kernel's part (bench/distro.ts).
if (process.argv.includes("--distro-only")) {
  await benchDistro();
  process.exit(0);
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const base = existsSync("/dev/shm") ? "/dev/shm" : "/tmp";

function materialise(tree: Tree, dir: string) {
  for (const e of tree) {
    const p = join(dir, e.path);
    switch (e.kind) {
      case "dir":
        if (e.path !== "/") mkdirSync(p);
        break;
      case "file":
        writeFileSync(p, e.data!);
        break;
      case "symlink":
        symlinkSync(e.target!, p);
        break;
      case "hardlink":
        linkSync(join(dir, e.target!), p);
        break;
      case "chardev":
      case "blockdev":
        execFileSync("mknod", [p, e.kind === "chardev" ? "c" : "b", String(e.major), String(e.minor)]);
        break;
      case "fifo":
        execFileSync("mkfifo", [p]);
        break;
    }
    if (e.kind !== "symlink" && e.kind !== "hardlink") chmodSync(p, e.mode);
    if (e.kind !== "hardlink") lchownSync(p, e.uid, e.gid);
  }
}

function sh(cmd: string, args: string[]) {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, MTOOLS_SKIP_CHECK: "1" } });
}

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const config = defaultConfig();
const ingredients = loadIngredients();
const result = buildImages({ config, ingredients });
const work = mkdtempSync(join(base, "looproot-bench-"));
const initrdDir = join(work, "initrd"),
  rootDir = join(work, "root");
mkdirSync(initrdDir);
mkdirSync(rootDir);
materialise(result.initrdTree, initrdDir);
materialise(result.rootTree, rootDir);
const layout = diskLayout(config);
const fdir = join(work, "floppy-files");
mkdirSync(fdir);
const ffiles = floppyFiles(config, {
  kernel: ingredients.kernel,
  initrdGz: result.initrdGz,
  loadlin: ingredients.loadlin,
  dos: ingredients.dos,
});
for (const f of ffiles) writeFileSync(join(fdir, f.path), f.data);

const native: Record<string, number> = {};
const step = (name: string, fn: () => void) => (native[name] = (native[name] ?? 0) + timeIt(fn));
function nativeOnce() {
  const o = (n: string) => join(work, n);
  for (const n of ["initrd.img", "linuxdsk.img", "linuxswp.img", "disk.img", "part.img", "floppy.img", "initrdgz.img"])
    rmSync(o(n), { force: true });
  step("3.3 initrd", () => {
    sh("dd", ["if=/dev/zero", `of=${o("initrd.img")}`, "bs=1k", `count=${config.initrd.sizeKiB}`]);
    sh("mke2fs", ["-q", "-t", "ext2", "-i", "1024", "-b", "1024", "-m", "5", "-F", "-d", initrdDir, o("initrd.img")]);
    execFileSync("sh", ["-c", `gzip -c -9 ${o("initrd.img")} > ${o("initrdgz.img")}`]);
  });
  step("3.7 floppy", () => {
    sh("mkfs.fat", ["-C", o("floppy.img"), "1440"]);
    sh("mcopy", ["-i", o("floppy.img"), ...ffiles.map((f) => join(fdir, f.path)), "::"]);
  });
  step("3.4 root", () => {
    sh("dd", ["if=/dev/zero", `of=${o("linuxdsk.img")}`, "bs=1M", `count=${config.root.sizeMiB}`]);
    sh("mke2fs", [
      "-q",
      "-t",
      "ext2",
      "-b",
      String(config.root.blockSize),
      "-i",
      String(config.root.bytesPerInode),
      "-m",
      "5",
      "-L",
      config.root.label,
      "-F",
      "-d",
      rootDir,
      o("linuxdsk.img"),
    ]);
  });
  step("3.5 swap", () => {
    sh("dd", ["if=/dev/zero", `of=${o("linuxswp.img")}`, "bs=1M", `count=${config.swap.sizeMiB}`]);
    sh("mkswap", ["-L", config.swap.label, o("linuxswp.img")]);
  });
  step("3.6 disk", () => {
    sh("dd", ["if=/dev/zero", `of=${o("disk.img")}`, "bs=1M", `count=${config.disk.sizeMiB}`]);
    execFileSync("sfdisk", ["-q", o("disk.img")], {
      input: `${layout.partitionStart},${layout.partitionSectors},6,*\n`,
    });
    sh(
      "mkfs.fat",
      [
        "-F",
        "16",
        "-h",
        String(layout.partitionStart),
        "--offset",
        String(layout.partitionStart),
        o("disk.img"),
        String(Math.floor(layout.partitionSectors / 2)),
      ] /* mkfs.fat counts 1 KiB blocks */,
    );
    const img = `${o("disk.img")}@@${layout.partitionStart * 512}`;
    sh("mmd", ["-i", img, "::LINUX"]);
    sh("mcopy", ["-i", img, o("linuxdsk.img"), o("linuxswp.img"), "::LINUX"]);
  });
}

const ours: Record<string, number> = {};
function oursOnce() {
  buildImages({ config, ingredients }, (s) => (ours[s.id] = (ours[s.id] ?? 0) + s.ms));
}

let nativeBest = Infinity,
  oursBest = Infinity;
for (let i = 0; i < RUNS; i++) {
  // Alternate so that neither side always runs on a warmer machine.
  oursBest = Math.min(oursBest, timeIt(oursOnce));
  nativeBest = Math.min(nativeBest, timeIt(nativeOnce));
}
rmSync(work, { recursive: true, force: true });
console.log(`Build of the default images (totals: best of ${RUNS}; steps: average over the runs)`);
console.log("  looproot (in-process, pure TypeScript):");
for (const [k, v] of Object.entries(ours))
  console.log(`    ${k.padEnd(12)} ${(v / RUNS).toFixed(1).padStart(8)} ms avg`);
console.log("  native pipeline (dd, mke2fs -d, gzip -9, mkswap, sfdisk, mkfs.fat, mcopy):");
for (const [k, v] of Object.entries(native))
  console.log(`    ${k.padEnd(12)} ${(v / RUNS).toFixed(1).padStart(8)} ms avg`);
console.log(
  `  looproot ${oursBest.toFixed(0)} ms, native ${nativeBest.toFixed(0)} ms: looproot takes ${(oursBest / nativeBest).toFixed(2)}x the native time (target: at most 0.25x)`,
);

// Peak memory: each build (and each v86 start) in a child process of its own, so one run's peak
// cannot hide another's. The peak (bench/peak.ts) counts only pages touched: the disk's untouched zeros cost nothing.
const MEMORY_CASES: [string, unknown][] = [
  ["default images (48 MiB disk)", {}],
  [
    "512 MiB disk (400 MiB root, 64 MiB swap)",
    { disk: { sizeMiB: 512 }, root: { sizeMiB: 400 }, swap: { sizeMiB: 64 } },
  ],
  [
    "2 GiB disk (1800 MiB root, 200 MiB swap)",
    { disk: { sizeMiB: 2047 }, root: { sizeMiB: 1800 }, swap: { sizeMiB: 200 } },
  ],
];
const child = (script: string, args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, script), ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .pop()!,
  );
const MB = (kib: number) => `${(kib / 1024).toFixed(0).padStart(6)} MB`;
console.log("\nPeak RSS of a Node build, and of starting v86 on its images (one child process each):");
console.log(
  `  ${"config".padEnd(44)} ${"build".padStart(9)} ${"RSS".padStart(9)}   ${"v86 start, copy".padStart(22)}   ${"v86 start, copy: false".padStart(22)}`,
);
// With --boot, one more column: a boot on to the verified loop root (copy: false, as `looproot boot`
// does), in a child of its own: its peak is the boot's, the guest's writes and v86's caches included.
const toVerdict = process.argv.includes("--boot");
if (toVerdict)
  console.log(
    `  ${"".padEnd(44)} ${"".padStart(9)} ${"".padStart(9)}   ${"".padStart(22)}   ${"".padStart(22)}   ${"boot to verdict, copy: false".padStart(30)}`,
  );
for (const [name, partial] of MEMORY_CASES) {
  const b = child("build-rss.ts", [JSON.stringify(partial)]);
  const boots = ["copy", "nocopy"].map((c) => child("boot-rss.ts", [JSON.stringify(partial), c]));
  const bootCol = (x: { startMs: number; peakKiB: number }) =>
    `${(x.startMs / 1000).toFixed(2).padStart(6)} s ${MB(x.peakKiB)}`.padStart(22);
  let verdictCol = "";
  if (toVerdict) {
    const v = child("boot-rss.ts", [JSON.stringify(partial), "nocopy", "verify"]);
    verdictCol = `   ${`${v.verdict.ok ? "verified" : "NOT verified"} ${(v.verdict.ms / 1000).toFixed(1)} s ${MB(v.peakKiB)}`.padStart(30)}`;
  }
  console.log(
    `  ${name.padEnd(44)} ${`${b.ms.toFixed(0)} ms`.padStart(9)} ${MB(b.peakKiB)}   ${bootCol(boots[0])}   ${bootCol(boots[1])}${verdictCol}`,
  );
}

// A 300 MiB root from a tarball on a 2 GiB disk: the CLI's way (read, gunzip + parse, build), and
// a v86 start on it. The tarball: LOOPROOT_BENCH_ROOT, else the Debian root of
// scripts/debian-root.sh if cached; and always a synthetic one of 300 MiB of incompressible data
// (the worst case: the .tar.gz is as big as what it unpacks to).
{
  const { writeSyntheticRoot } = await import("./synthetic-root.ts");
  const { readdirSync } = await import("node:fs");
  // scripts/debian-root.sh's own cache, or the temp folder the tests make it in (tests/helpers/debian-root.ts).
  const caches = [join(import.meta.dirname, "..", ".cache", "debian-root"), join(tmpdir(), "looproot-debian-root")];
  const given =
    process.env.LOOPROOT_BENCH_ROOT ??
    caches.flatMap((c) =>
      existsSync(c)
        ? readdirSync(c)
            .filter((f) => f.endsWith(".tar.gz"))
            .map((f) => join(c, f))
        : [],
    )[0];
  const dir = mkdtempSync(join(base, "looproot-bench-root-"));
  const synthetic = join(dir, "root300.tar.gz");
  writeSyntheticRoot(synthetic, 300, ingredients);
  const big = { disk: { sizeMiB: 2047 }, root: { sizeMiB: 400 }, swap: { sizeMiB: 64 } };
  console.log(
    "\nA root tarball on a 2 GiB disk (400 MiB root, 64 MiB swap), as `looproot build --rootfs` and `boot` do it:",
  );
  console.log("  peak RSS (VmHWM) after each step (base = the process before reading; the peak only grows)");
  try {
    for (const [name, tar] of [
      ...(given ? [[`given (${given.split("/").pop()})`, given]] : []),
      ["synthetic 300 MiB", synthetic],
    ]) {
      const b = child("root-rss.ts", [tar, JSON.stringify(big), "build"]);
      const v = child("root-rss.ts", [tar, JSON.stringify(big), "boot"]);
      const p = v.phases;
      console.log(
        `  ${name}: .tar.gz ${MB(b.tarBytes / 1024).trim()}, file data ${MB(b.dataBytes / 1024).trim()}; build ${(b.ms / 1000).toFixed(1)} s, peak ${MB(b.peakKiB).trim()}; build + v86 start (${(v.startMs / 1000).toFixed(2)} s) peak ${MB(v.peakKiB).trim()}`,
      );
      console.log(
        `    base ${MB(p.start).trim()}, read ${MB(p.read).trim()}, gunzip + parse ${MB(p.parsed).trim()}, images ${MB(p.built).trim()}, v86 started ${MB(p.started).trim()}; (peak - base) / data = ${(((v.peakKiB - p.start) * 1024) / b.dataBytes).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--boot")) await benchBoots(process.argv.slice(2));

/**
 * Keeping the guest, in v86 in Node: a full boot to a verified shell; a machine snapshot (as the
 * page saves it, gzip'd with its header) and its restore into a fresh machine up to a shell that
 * answers; the clean shutdown and the disk write-back of --persist.
 */
async function benchKeep(): Promise<void> {
  const { bootAndVerify, runShellCommand } = await import("../emulator/harness.ts");
  const { startV86Node } = await import("../emulator/v86-node.ts");
  const { shutdownGuest } = await import("../emulator/shutdown.ts");
  const { writeBackDisk } = await import("../emulator/node-engines.ts");
  const { encodeSnapshot, readSnapshotHeader, snapshotState, imageId } = await import("../emulator/snapshot.ts");
  type Saving = { saveState(): Promise<ArrayBuffer>; restoreState(s: ArrayBuffer): Promise<void> };
  const images = { floppy: result.floppy, disk: result.disk, memoryMiB: config.machine.memoryMiB, ...loadBios() };
  const dir = mkdtempSync(join(base, "looproot-bench-keep-"));
  const rows: [string, string][] = [];
  try {
    const t0 = performance.now();
    const engine = await startV86Node(images);
    const r = await bootAndVerify(engine, config, { timeoutS: 240, stopAtEnd: false });
    if (!r.ok) throw new Error(`v86 boot not verified: ${r.summary}`);
    const bootMs = performance.now() - t0;
    await runShellCommand(engine, "echo hello > /root/x; echo note > /DOS/NOTE.TXT; sync", 60_000);

    const s0 = performance.now();
    const state = await (engine as unknown as Saving).saveState();
    const stateMs = performance.now() - s0;
    const header = {
      memoryMiB: config.machine.memoryMiB,
      floppy: imageId(result.floppy),
      disk: imageId(result.disk),
      diskSize: result.disk.length,
      config,
      takenAt: Date.now(),
    };
    const file = await encodeSnapshot(state, header);
    const snapMs = performance.now() - s0;

    const sd = await shutdownGuest(engine, config);
    await engine.stop();
    const w0 = performance.now();
    writeBackDisk(engine, join(dir, "disk.img"));
    const saveMs = performance.now() - w0;

    // The restore: the file unpacked first (a running v86 in Node starves the stream's ticks: 13 s
    // instead of 0.4 s), then a fresh machine on the same images put into the state, until its shell answers.
    const q0 = performance.now();
    const { header: h, body } = readSnapshotHeader(file);
    const unpacked = await snapshotState(h, body);
    const unpackMs = performance.now() - q0;
    const restored = await startV86Node(images);
    const started = performance.now();
    await (restored as unknown as Saving).restoreState(unpacked);
    const put = performance.now();
    const answer = await runShellCommand(restored, "cat /root/x", 30_000);
    const restoreMs = performance.now() - q0;
    const phases = `unpack ${(unpackMs / 1000).toFixed(2)} s, start ${((started - q0 - unpackMs) / 1000).toFixed(2)} s, v86 restore ${((put - started) / 1000).toFixed(2)} s, first answer ${((performance.now() - put) / 1000).toFixed(2)} s`;
    await restored.stop();
    if (!answer.includes("hello")) throw new Error(`the restored shell answered ${JSON.stringify(answer)}`);

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    rows.push(
      ["full boot to a verified shell (start to verdict)", s(bootMs)],
      [
        "restore a snapshot to a shell that answers",
        `${s(restoreMs)} (${(bootMs / restoreMs).toFixed(1)}x faster than the boot; ${phases})`,
      ],
      [
        "snapshot: save and compress (machine running)",
        `${s(snapMs)} (v86 save_state ${s(stateMs)}), ${(file.length / 1048576).toFixed(1)} MiB (state ${(state.byteLength / 1048576).toFixed(1)} MiB)`,
      ],
      ["clean shutdown (poweroff to confirmation)", `${s(sd.ms)} (${sd.status})`],
      [`save: write the ${config.disk.sizeMiB} MiB disk back`, s(saveMs)],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\nKeeping the Linux you booted (v86 in Node, default images, 64 MiB):");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(50)} ${v}`);
}

if (process.argv.includes("--boot") || process.argv.includes("--keep")) await benchKeep();

// The distribution kernel: its size, and a Debian root's boot to its login prompt in v86 and QEMU.
if (process.argv.includes("--boot")) await benchDistro();

// --page (opt-in: Vite, Chromium and a 2 GiB build and two boots in the page, a few minutes): the
// page's peaks for the 2047 MiB disk, measured by tests/browser/big-disk.test.ts (built, booted
// to the verdict, shut down and kept, downloaded, resumed): `npm run bench -- --page`.
if (process.argv.includes("--page")) {
  console.log("\nThe 2047 MiB disk in the page (Chromium; tests/browser/big-disk.test.ts):");
  const r = spawnSync("npx", ["vitest", "run", "tests/browser/big-disk.test.ts"], {
    cwd: join(import.meta.dirname, ".."),
    encoding: "utf8",
    timeout: 1_500_000,
  });
  const line = (r.stdout ?? "").split("\n").find((l) => l.includes("big disk 2047 MiB:"));
  console.log(
    line
      ? `  ${line
          .replace(/^.*big disk/, "big disk")
          .split("; ")
          .join("\n    ")}`
      : `  the page test did not report (exit ${r.status}):\n${(r.stdout ?? "").slice(-2000)}`,
  );
}
