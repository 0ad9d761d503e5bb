// Child of bench/run.ts: a build from a root tarball (argv[2]: its path; argv[3]: the config as
// JSON), as `looproot build --rootfs` does it (read, parse, build), then with argv[4] = "boot" a
// v86 start on the images (copy: false, as the CLI boots). Prints the peak RSS after each phase
// as JSON: the peak only grows, so each figure is the peak so far and the steps show what adds to it.
import { defaultConfig, mergeConfig } from "../src/config.ts";
import { buildImages, parseRootArchive, rootArchiveReadLimit } from "../src/build.ts";
import { readInputFile } from "../src/cli/files.ts";
import { loadIngredients, loadBios } from "../src/node/ingredients.ts";
import { startEngine } from "../emulator/node-engines.ts";
import type { Tree } from "../src/fs/tree.ts";
import { peakKiB } from "./peak.ts";

const config = mergeConfig(defaultConfig(), {
  ...JSON.parse(process.argv[3] ?? "{}"),
  root: { ...JSON.parse(process.argv[3] ?? "{}").root, source: "tar" },
});
const ingredients = loadIngredients();
const peak = peakKiB;
const rss = () => Math.round(process.memoryUsage().rss / 1024);
const phases: Record<string, number> = { start: peak() };
const t0 = performance.now();
let tarBytes = 0;
let tree: Tree | undefined = (() => {
  const archive = readInputFile("--rootfs", process.argv[2], rootArchiveReadLimit(config));
  tarBytes = archive.length;
  phases.read = peak();
  return parseRootArchive(config, archive, ingredients.busyboxRoot);
})();
phases.parsed = peak();
const dataBytes = tree.reduce((n, e) => n + (e.kind === "file" ? e.data!.length : 0), 0);
const r = buildImages({ config, ingredients, rootTree: tree });
tree = undefined;
const ms = performance.now() - t0;
phases.built = peak();
const afterBuild = rss();
let startMs = 0;
if (process.argv[4] === "boot") {
  const t1 = performance.now();
  const engine = await startEngine(
    "v86",
    { floppy: r.floppy, disk: r.disk, memoryMiB: config.machine.memoryMiB, ...loadBios() },
    { copy: false },
  );
  startMs = performance.now() - t1;
  await engine.stop();
  phases.started = peak();
}
console.log(
  JSON.stringify({
    ms,
    startMs,
    tarBytes,
    dataBytes,
    diskBytes: r.disk.length,
    afterBuildRssKiB: afterBuild,
    phases,
    peakKiB: peak(),
  }),
);
