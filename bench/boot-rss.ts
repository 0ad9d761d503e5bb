// Child of bench/run.ts: builds the config given as JSON in argv[2], starts v86 on the images
// with copy = argv[3] ("copy" or "nocopy"), stops it as soon as it runs, and prints how long the
// start took and the process's peak RSS as JSON. A fresh process, so no other run's peak hides it.
import { defaultConfig, mergeConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients, loadBios } from "../src/node/ingredients.ts";
import { startEngine } from "../src/cli/boot.ts";
import { peakKiB } from "./peak.ts";

const config = mergeConfig(defaultConfig(), JSON.parse(process.argv[2] ?? "{}"));
const copy = process.argv[3] !== "nocopy";
const r = buildImages({ config, ingredients: loadIngredients() });
const builtKiB = peakKiB();
const t0 = performance.now();
const engine = await startEngine("v86", { floppy: r.floppy, disk: r.disk, memoryMiB: config.machine.memoryMiB, ...loadBios() }, { copy });
const startMs = performance.now() - t0;
await engine.stop();
console.log(JSON.stringify({ startMs, builtKiB, peakKiB: peakKiB() }));
