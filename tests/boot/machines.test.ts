// The hardware matrix (issue 23): the default images verified on QEMU's pc, isapc and q35 with a
// 486, a Pentium, a Pentium II and qemu32, at the least RAM the chain needs and at 64 MiB, one boot
// a cell, two QEMUs at a time; and once on Bochs (slow: with CI=true or LOOPROOT_SLOW=1). Cells the
// committed images cannot boot are skipped with the reason the images give (helpers/image-pcs.ts).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { config, build, timeline } from "./chain.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { loadBios } from "../../src/node/ingredients.ts";
import { bootAndVerify } from "../../emulator/harness.ts";
import { mergeConfig } from "../../src/config.ts";
import type { MachineName, CpuName, PcChoice } from "../../emulator/pc.ts";
import { imagesCannot, minimumMiB } from "../helpers/image-pcs.ts";

const c = config();
let floppy: Uint8Array, disk: Uint8Array;
beforeAll(() => ({ floppy, disk } = build(c)));

/** At most `n` boots at once (2 cores). */
function limiter(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await job();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
const slot = limiter(2);

async function verify(engine: "qemu" | "bochs", pc: PcChoice, memoryMiB: number, timeoutS: number) {
  const cfg = mergeConfig(c, { machine: { memoryMiB } });
  const e = await startEngine(engine, { floppy, disk, memoryMiB, pc, ...loadBios() });
  const t0 = Date.now();
  const result = await bootAndVerify(e, cfg, { timeoutS });
  return { result, ms: Date.now() - t0 };
}

const MACHINES: MachineName[] = ["pc", "isapc", "q35"];
const CPUS: CpuName[] = ["486", "pentium", "pentium2", "qemu32"];
const min = minimumMiB(c);
const walls: string[] = [];
const started = Date.now();
afterAll(() =>
  console.log(
    `matrix: ${walls.length} boots in ${((Date.now() - started) / 1000).toFixed(1)} s wall\n${walls.join("\n")}`,
  ),
);

describe.concurrent("QEMU hardware matrix (default images)", () => {
  for (const machine of MACHINES) {
    for (const cpu of CPUS) {
      for (const ram of [min, 64]) {
        const why = imagesCannot(machine, cpu);
        const name = `-M ${machine} -cpu ${cpu} -m ${ram}${why ? ` (skipped: ${why})` : ""}`;
        it.skipIf(why !== undefined)(
          name,
          async () => {
            const { result, ms } = await slot(() => verify("qemu", { machine, cpu }, ram, 90));
            walls.push(`  ${name}: ${result.ok ? "verified" : "NOT verified"} in ${(ms / 1000).toFixed(1)} s`);
            expect(result.ok, timeline(result)).toBe(true);
          },
          200_000,
        );
      }
    }
  }
});

const slow = process.env.CI === "true" || process.env.LOOPROOT_SLOW === "1";
// Bochs 2.7 has no i486 model: its Pentium, the oldest CPU it has (the images run on a 486).
const bochsCpu: CpuName = "pentium";
describe("Bochs (its own BIOS, a timed UART)", () => {
  it.skipIf(!slow)(
    `cpu ${bochsCpu}, ${c.machine.memoryMiB} MiB: the loop root verified (slow; CI=true or LOOPROOT_SLOW=1)`,
    async () => {
      const { result, ms } = await verify("bochs", { cpu: bochsCpu }, c.machine.memoryMiB, 400);
      console.log(`bochs ${bochsCpu}: ${result.ok ? "verified" : "NOT verified"} in ${(ms / 1000).toFixed(1)} s`);
      expect(result.ok, timeline(result)).toBe(true);
    },
    480_000,
  );
});
