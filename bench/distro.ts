// The distribution kernel in `npm run bench` (issue 24): its size beside the HOWTO's kernel and the
// floppy, and a Debian 12 root (scripts/debian-root.sh, the tests' cached tarball) booted with it
// to its getty's login prompt in v86 in Node and in QEMU, side by side, round-robin: seconds from
// power-on to looproot's verdict and to the "login:" prompt. The boots need the Debian tarball: it
// is made (debootstrap: root and Debian's mirror) when LOOPROOT_DEBIAN_ROOT=1 or CI=true, and used
// when it is there already; otherwise the boots are skipped with a line saying so.
//
//   BENCH_DISTRO_INITS=LIST  the roots booted (default sysvinit; systemd,sysvinit,openrc,runit)
//   BENCH_DISTRO_RUNS=N      rounds (default 1: a v86 boot of a Debian root takes minutes)

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig, mergeConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients, loadBios, REPO } from "../src/node/ingredients.ts";
import { DISTRO_KERNEL_FILE } from "../src/ingredients.ts";
import {
  debianRootEnabled,
  debianRootPath,
  debianRootTarball,
  DEBIAN_INITS,
  DEBIAN_SETS,
  type DebianInit,
} from "../tests/helpers/debian-root.ts";
import { waitSerial } from "../tests/helpers/guest-login.ts";

const FLOPPY_BYTES = 1_474_560;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

export async function benchDistro(): Promise<void> {
  const howto = statSync(join(REPO, "images", "kernel", "bzImage")).size;
  const distroPath = join(REPO, "images", DISTRO_KERNEL_FILE);
  console.log('\nThe distribution kernel (images/kernel/bzImage-distro, boot.kernel "distro")');
  if (!existsSync(distroPath)) return console.log(`  not built (images/kernel/build.sh): skipped`);
  const distro = statSync(distroPath).size;
  console.log(
    `  size ${distro} bytes (${kib(distro)}), ${(distro / howto).toFixed(2)}x the HOWTO's kernel (${howto} bytes); a 1.44 MB floppy holds ${FLOPPY_BYTES} bytes, so it goes to C:\\LINUX`,
  );

  const inits = (process.env.BENCH_DISTRO_INITS ?? "sysvinit").split(",") as DebianInit[];
  const bad = inits.filter((i) => !DEBIAN_INITS.includes(i));
  if (bad.length) throw new Error(`BENCH_DISTRO_INITS: ${bad.join(", ")} is not one of ${DEBIAN_INITS.join(", ")}`);
  const rounds = Number(process.env.BENCH_DISTRO_RUNS ?? 1);
  const { startEngine } = await import("../emulator/node-engines.ts");
  const { bootAndVerify } = await import("../emulator/harness.ts");
  for (const init of inits) {
    if (!debianRootEnabled && !existsSync(debianRootPath(init))) {
      console.log(
        `  Debian 12 ${init} root: no tarball at ${debianRootPath(init)} (LOOPROOT_DEBIAN_ROOT=1 makes it, with root and Debian's mirror): boots skipped`,
      );
      continue;
    }
    const tar = debianRootTarball(init).path;
    const sets = Object.fromEntries(DEBIAN_SETS.map((s) => s.split("=")));
    const config = mergeConfig(defaultConfig(), {
      root: { source: "tar", sizeMiB: Number(sets["root.sizeMiB"]) },
      disk: { sizeMiB: Number(sets["disk.sizeMiB"]) },
      machine: { memoryMiB: Number(sets["machine.memoryMiB"]) },
    });
    const t0 = performance.now();
    const built = buildImages({
      config,
      ingredients: loadIngredients(),
      rootArchive: new Uint8Array(readFileSync(tar)),
    });
    console.log(`  Debian 12 ${init} root (${tar}): built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rows: Record<string, { verdict: number[]; login: number[] }> = {
      v86: { verdict: [], login: [] },
      qemu: { verdict: [], login: [] },
    };
    for (let round = 0; round < rounds; round++) {
      for (const engineName of ["v86", "qemu"] as const) {
        const engine = await startEngine(
          engineName,
          { floppy: built.floppy, disk: built.disk, memoryMiB: config.machine.memoryMiB, ...loadBios() },
          { copy: true },
        );
        let serial = "";
        engine.onSerial((t) => (serial += t));
        const start = performance.now();
        try {
          const r = await bootAndVerify(engine, config, { timeoutS: 900, stopAtEnd: false });
          if (!r.ok) {
            console.log(`  ${engineName} ${init}: ${r.summary}`);
            continue;
          }
          rows[engineName].verdict.push(r.totalMs / 1000);
          await waitSerial(() => serial, new RegExp(`debian-${init} login: `), 900_000);
          rows[engineName].login.push((performance.now() - start) / 1000);
        } finally {
          await engine.stop();
        }
      }
    }
    const med = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : NaN);
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-").padStart(8);
    console.log(`  ${"seconds since power-on".padEnd(34)}      v86     qemu  v86/qemu`);
    for (const k of ["verdict", "login"] as const) {
      const v = med(rows.v86[k]),
        q = med(rows.qemu[k]);
      console.log(
        `  ${(k === "verdict" ? "looproot's verdict (init ready)" : "the getty's login: prompt").padEnd(34)} ${f(v)} ${f(q)} ${f(
          v / q,
        )
          .trimStart()
          .padStart(9)}`,
      );
    }
  }
}
