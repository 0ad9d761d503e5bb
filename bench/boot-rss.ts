// Child of bench/run.ts: builds the config given as JSON in argv[2], starts v86 on the images
// with copy = argv[3] ("copy" or "nocopy"), and either stops it as soon as it runs or, with
// argv[4] = "verify", boots on to the harness's verdict (the loop root verified) first. Prints how
// long the start (and the boot) took and the process's peak RSS as JSON. A fresh process, so no
// other run's peak hides it.
import { defaultConfig, mergeConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients, loadBios } from "../src/node/ingredients.ts";
import { startEngine } from "../emulator/node-engines.ts";
import { bootAndVerify } from "../emulator/harness.ts";
import { peakKiB } from "./peak.ts";

const config = mergeConfig(defaultConfig(), JSON.parse(process.argv[2] ?? "{}"));
const copy = process.argv[3] !== "nocopy";
const r = buildImages({ config, ingredients: loadIngredients() });
const builtKiB = peakKiB();
const t0 = performance.now();
const engine = await startEngine(
  "v86",
  { floppy: r.floppy, disk: r.disk, memoryMiB: config.machine.memoryMiB, ...loadBios() },
  { copy },
);
const startMs = performance.now() - t0;
let verdict: { ok: boolean; summary: string; ms: number } | undefined;
if (process.argv[4] === "verify") {
  const result = await bootAndVerify(engine, config, { timeoutS: 300 });
  verdict = { ok: result.ok, summary: result.summary, ms: performance.now() - t0 };
}
await engine.stop();
console.log(JSON.stringify({ startMs, builtKiB, peakKiB: peakKiB(), verdict }));
