// Child of bench/run.ts: one Node build of the config given as JSON in argv[2], then its peak RSS
// as JSON on stdout. A fresh process per config, so one build's peak does not hide another's.
import { defaultConfig, mergeConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients } from "../src/node/ingredients.ts";
import { peakKiB } from "./peak.ts";

const config = mergeConfig(defaultConfig(), JSON.parse(process.argv[2] ?? "{}"));
const ingredients = loadIngredients();
const baseKiB = peakKiB();
const t0 = performance.now();
const r = buildImages({ config, ingredients });
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, diskBytes: r.disk.length, baseKiB, peakKiB: peakKiB() }));
