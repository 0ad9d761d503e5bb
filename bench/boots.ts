// The boot part of `npm run bench`: the default images (and any --variant configs) booted to a
// verified loop root in v86 in Node, v86 in Chromium (the production page, autostart link) and
// QEMU, round-robin so that a loaded machine slows every column alike; the median per stage,
// the step ratios and the issue's targets. `tsx bench/run.ts --boot-only` runs just this part.
//
//   --variant NAME=JSON   a partial config booted beside the defaults (e.g. a kernel argument)
//   --images NAME=DIR     the default config built from other guest binaries (e.g. a busybox build)
//   --v86-jit NAME=I=V[,I=V]  the default images, v86 with these JIT settings (set_jit_config), e.g.
//                         nolooplimit=2=0 (loop safety off: measuring only, see emulator/machine.ts)
//   --before DIR          the default config built by another checkout (its code, images and page),
//                         e.g. /work/main: a before/after table from one run
//   BENCH_BOOT_RUNS=N     rounds (default 3); BENCH_BROWSER=0 leaves Chromium out;
//   BENCH_ENGINES=LIST    only these columns (v86,chromium,qemu)

import { mkdtempSync, rmSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../src/config.ts";
import { buildImages } from "../src/build.ts";
import { loadIngredients, loadBios, REPO } from "../src/node/ingredients.ts";
import { MILESTONES, type MilestoneId } from "../emulator/milestones.ts";
import type { HarnessEvent } from "../emulator/harness.ts";
import { V86_INSTRUCTIONS_PER_MS } from "../emulator/machine.ts";

type Stages = Partial<Record<MilestoneId, number>> & {
  total?: number;
  cpu?: number;
  build?: number;
  buildAll?: number;
};
/** The build's own steps, in ms (what src/build.ts reports, in Node and in the page's worker alike). */
const stepsMs = (steps: { ms: number }[]) => steps.reduce((a, x) => a + x.ms, 0);

/** CPU seconds of this process and of its reaped children (QEMU), from /proc/self/stat. */
function cpuSelfAndChildren(): { self: number; children: number } {
  const st = readFileSync("/proc/self/stat", "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  // Fields 14-17 (utime, stime, cutime, cstime) are 11-14 after the state field.
  const tick = 100;
  return { self: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick };
}

/** The largest peak RSS (VmHWM, KiB) among the Chromium renderers below `root`: the page's process. */
function rendererPeakKiB(root: number): number {
  let best = 0;
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("--type=renderer")) continue;
      const m = readFileSync(`/proc/${pid}/status`, "latin1").match(/VmHWM:\s+(\d+)/);
      if (m) best = Math.max(best, Number(m[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return best;
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, pp] of parent) if (!out.has(pid) && out.has(pp)) (out.add(pid), (grew = true));
  }
  return [...out];
}

/** CPU seconds used so far by a process and every descendant of it (the Chromium processes). */
function cpuOfTree(root: number): number {
  let sum = 0;
  for (const pid of descendants(root)) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      sum += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // Gone meanwhile.
    }
  }
  return sum;
}
interface Case {
  name: string;
  config: LooprootConfig;
  partial: unknown;
  imagesDir?: string;
  repo?: string;
  jitConfig?: [number, number][];
}

/** The floppy and disk of a case: built by this checkout, or by the case's own (--before). */
async function caseImages(c: Case): Promise<{ floppy: Uint8Array; disk: Uint8Array; steps: { ms: number }[] }> {
  if (!c.repo) return buildImages({ config: c.config, ingredients: loadIngredients(c.imagesDir) });
  const { buildImages: build } = await import(join(c.repo, "src", "build.ts"));
  const { loadIngredients: load } = await import(join(c.repo, "src", "node", "ingredients.ts"));
  return build({ config: c.config, ingredients: load(join(c.repo, "images")) });
}

/** The issue's stages, in its table's order (the other milestones are printed too). */
const TARGET_TOTAL = 1.8;
const TARGET_LOADLIN_S = 0.35;
const TARGET_PAGE = 1.15;

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function bootNode(engineName: "v86" | "qemu", c: Case): Promise<Stages> {
  const { startEngine } = await import("../emulator/node-engines.ts");
  const { bootAndVerify } = await import("../emulator/harness.ts");
  const r0 = await caseImages(c);
  const cpu0 = cpuSelfAndChildren();
  const engine = await startEngine(
    engineName,
    { floppy: r0.floppy, disk: r0.disk, memoryMiB: c.config.machine.memoryMiB, ...loadBios() },
    { copy: false, jitConfig: c.jitConfig },
  );
  // v86 runs in this process: its CPU time at each milestone too (what a loaded machine distorts least).
  const cpuAt: Partial<Record<MilestoneId, number>> = {};
  // And the guest instructions v86 has run (its own counter): the same on a loaded machine as on a quiet one.
  const insnAt: Partial<Record<MilestoneId, number>> = {};
  const onEvent =
    engineName === "v86"
      ? (e: HarnessEvent) => {
          if (e.type !== "milestone") return;
          cpuAt[e.milestone.id] = (cpuSelfAndChildren().self - cpu0.self) * 1000;
          insnAt[e.milestone.id] = (engine.ranMs?.() ?? NaN) * V86_INSTRUCTIONS_PER_MS;
        }
      : undefined;
  const r = await bootAndVerify(engine, c.config, { timeoutS: 180, onEvent });
  const cpu1 = cpuSelfAndChildren();
  // v86 runs in this process; QEMU is a child, reaped by stop() (bootAndVerify stops the engine).
  const cpu = engineName === "v86" ? cpu1.self - cpu0.self : cpu1.children - cpu0.children;
  if (!r.ok) {
    console.log(`  ${engineName} ${c.name}: ${r.summary}`);
    return {};
  }
  const s: Stages = { total: r.totalMs, cpu: cpu * 1000, build: stepsMs(r0.steps) };
  for (const m of r.milestones) s[m.id] = m.atMs;
  for (const [id, ms] of Object.entries(cpuAt)) (s as Record<string, number>)[`cpu:${id}`] = ms;
  // Stored as "ms" so med() gives thousands: printed as millions below.
  for (const [id, n] of Object.entries(insnAt)) (s as Record<string, number>)[`insn:${id}`] = n / 1000;
  return s;
}

interface Page {
  boot(c: Case): Promise<Stages>;
  close(): Promise<void>;
}

/** The production build (vite build + vite preview) in Debian's Chromium, driven by the autostart link. */
async function startPage(repo = REPO): Promise<Page> {
  const { build, preview } = await import("vite");
  const { chromium } = await import("playwright-core");
  // @ts-expect-error: the example is plain JavaScript.
  const { autostartLink } = await import("../examples/playwright/verify-config.mjs");
  const outDir = mkdtempSync(join(tmpdir(), "looproot-bench-dist-"));
  // vite.config.ts reads images/ relative to the working folder.
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    await build({
      configFile: join(repo, "vite.config.ts"),
      root: repo,
      logLevel: "error",
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.chdir(cwd);
  }
  const server = await preview({
    configFile: join(repo, "vite.config.ts"),
    root: repo,
    logLevel: "error",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0 },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === "string") throw new Error("vite preview: no address");
  const url = `http://127.0.0.1:${addr.port}/`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
  });
  return {
    async boot(c) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await ctx.newPage();
        // The page's peak JS heap, sampled (Chromium gives exact figures with --enable-precise-memory-info).
        await page.addInitScript(() => {
          const w = window as unknown as { __peakHeap: number; performance: { memory?: { usedJSHeapSize: number } } };
          w.__peakHeap = 0;
          setInterval(() => (w.__peakHeap = Math.max(w.__peakHeap, w.performance.memory?.usedJSHeapSize ?? 0)), 100);
        });
        // Chromium is a child of this process (which only serves files meanwhile): the tree is the page.
        const pid = process.pid;
        const c0 = pid ? cpuOfTree(pid) : NaN;
        const t0 = Date.now();
        await page.goto(autostartLink(url, c.partial));
        const el = await page.waitForSelector("#looproot-result", { state: "attached", timeout: 300_000 });
        const wall = Date.now() - t0;
        const v = JSON.parse((await el.textContent()) ?? "{}") as {
          ok: boolean;
          summary: string;
          totalMs: number;
          milestones: { id: MilestoneId; atMs: number }[];
        };
        if (!v.ok) {
          console.log(`  chromium ${c.name}: ${v.summary}`);
          return {};
        }
        const heap = await page.evaluate(() => (window as unknown as { __peakHeap: number }).__peakHeap);
        // The build in the page's worker: its steps, and the whole request (listings and maps too).
        const built = await page.evaluate(() => {
          const o = (
            window as unknown as { looproot: { state: { output?: { steps: { ms: number }[]; totalMs: number } } } }
          ).looproot.state.output;
          return o ? { steps: o.steps.map((x) => ({ ms: x.ms })), totalMs: o.totalMs } : undefined;
        });
        const s: Stages & { wall?: number } = {
          total: v.totalMs,
          wall,
          cpu: pid ? (cpuOfTree(pid) - c0) * 1000 : NaN,
          heapMiB: heap / 1048576,
          rssMiB: rendererPeakKiB(process.pid) / 1024,
          build: built ? stepsMs(built.steps) : NaN,
          buildAll: built?.totalMs ?? NaN,
        } as Stages;
        for (const m of v.milestones) s[m.id] = m.atMs;
        return s;
      } finally {
        await ctx.close();
      }
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.httpServer.close(() => r()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

function parseCases(argv: string[]): Case[] {
  const cases: Case[] = [{ name: "default", config: defaultConfig(), partial: {} }];
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--before" && value) {
      cases.unshift({ name: "before", config: defaultConfig(), partial: {}, repo: value });
      continue;
    }
    if (flag !== "--variant" && flag !== "--images" && flag !== "--v86-jit") continue;
    const eq = value?.indexOf("=") ?? -1;
    if (eq < 1) throw new Error(`${flag} NAME=VALUE expected`);
    const name = value.slice(0, eq),
      rest = value.slice(eq + 1);
    if (flag === "--v86-jit") {
      const pairs = rest.split(",").map((kv) => kv.split("=").map(Number) as [number, number]);
      if (pairs.some((p) => p.length !== 2 || !p.every(Number.isInteger)))
        throw new Error(`--v86-jit ${value}: NAME=INDEX=VALUE[,INDEX=VALUE] expected`);
      cases.push({ name, config: defaultConfig(), partial: {}, jitConfig: pairs });
    } else if (flag === "--variant") {
      const partial = JSON.parse(rest);
      cases.push({ name, config: mergeConfig(defaultConfig(), partial), partial });
    } else {
      if (!existsSync(rest)) throw new Error(`--images ${name}: ${rest} does not exist`);
      cases.push({ name, config: defaultConfig(), partial: {}, imagesDir: rest });
    }
  }
  return cases;
}

export async function benchBoots(argv: string[]): Promise<void> {
  const rounds = Number(process.env.BENCH_BOOT_RUNS ?? 3);
  const cases = parseCases(argv);
  const withBrowser = process.env.BENCH_BROWSER !== "0" && existsSync("/usr/bin/chromium");
  // BENCH_ENGINES=v86,chromium,qemu (default: all three) picks the columns.
  const wanted = (process.env.BENCH_ENGINES ?? "v86,chromium,qemu").split(",");
  const engines = (["v86", ...(withBrowser ? ["chromium"] : []), "qemu"] as const).filter((e) => wanted.includes(e));
  const runs = new Map<string, Stages[]>();
  const page = withBrowser ? await startPage() : undefined;
  const before = cases.find((c) => c.repo);
  const pageBefore = withBrowser && before ? await startPage(before.repo) : undefined;
  try {
    // One boot thrown away: the first v86 in a process also pays V8's optimising compile of v86.wasm.
    if (engines.includes("v86" as never)) await bootNode("v86", cases[cases.length - 1]);
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        for (const e of engines) {
          // The page builds from the images it serves and runs v86 as shipped: an --images or
          // --v86-jit case has no page column.
          if (e === "chromium" && (c.imagesDir || c.jitConfig)) continue;
          const s =
            e === "chromium" ? await (c.repo ? pageBefore! : page!).boot(c) : await bootNode(e as "v86" | "qemu", c);
          const key = `${c.name}/${e}`;
          runs.set(key, [...(runs.get(key) ?? []), s]);
        }
      }
    }
  } finally {
    await page?.close();
    await pageBefore?.close();
  }
  const med = (key: string, id: string) =>
    median((runs.get(key) ?? []).map((s) => (s as Record<string, number>)[id] ?? NaN)) / 1000;
  const spread = (key: string) => {
    const t = (runs.get(key) ?? []).map((s) => (s.total ?? NaN) / 1000).filter(Number.isFinite);
    return t.length ? `${Math.min(...t).toFixed(2)}-${Math.max(...t).toFixed(2)}` : "-";
  };
  const f = (x: number, w = 7) => (Number.isFinite(x) ? x.toFixed(2) : "-").padStart(w);
  for (const c of cases) {
    const k = (e: string) => `${c.name}/${e}`;
    const cols = engines.filter((e) => !(e === "chromium" && (c.imagesDir || c.jitConfig)));
    console.log(
      `\nBoot to a verified loop root, ${c.name}${c.name === "default" ? "" : ` (${c.repo ? `built by ${c.repo}` : c.imagesDir ? `images from ${c.imagesDir}` : c.jitConfig ? `v86 set_jit_config ${c.jitConfig.map(([i, v]) => `${i}=${v}`).join(",")}` : JSON.stringify(c.partial)})`}: seconds since power-on, median of ${rounds}; step = time since the stage before`,
    );
    const v86cpu = cols.includes("v86");
    console.log(
      `  ${"stage".padEnd(36)} ${cols.map((e) => e.padStart(7)).join(" ")}   ${"v86/qemu step".padStart(13)}${cols.includes("chromium") ? "  chromium/v86 step" : ""}${v86cpu ? "   v86 CPU s  v86 M insn" : ""}`,
    );
    let prev: Record<string, number> = Object.fromEntries(cols.map((e) => [e, 0]));
    for (const m of MILESTONES) {
      const t = Object.fromEntries(cols.map((e) => [e, med(k(e), m.id)]));
      if (cols.every((e) => !Number.isFinite(t[e]))) continue;
      const step = (a: string, b: string) => (t[a] - prev[a]) / (t[b] - prev[b]);
      console.log(
        `  ${m.title.padEnd(36)} ${cols.map((e) => f(t[e])).join(" ")}   ${f(step("v86", "qemu"), 13)}${cols.includes("chromium") ? f(step("chromium", "v86"), 20) : ""}${v86cpu ? f(med(k("v86"), `cpu:${m.id}`), 12) + f(med(k("v86"), `insn:${m.id}`), 12) : ""}`,
      );
      prev = Object.fromEntries(cols.map((e) => [e, Number.isFinite(t[e]) ? t[e] : prev[e]]));
    }
    const tot = Object.fromEntries(cols.map((e) => [e, med(k(e), "total")]));
    console.log(
      `  ${"total (verdict)".padEnd(36)} ${cols.map((e) => f(tot[e])).join(" ")}   ${f(tot.v86 / tot.qemu, 13)}${cols.includes("chromium") ? f(tot.chromium / tot.v86, 20) : ""}`,
    );
    const cpu = Object.fromEntries(cols.map((e) => [e, med(k(e), "cpu")]));
    console.log(
      `  ${"CPU seconds used (less load-bound)".padEnd(36)} ${cols.map((e) => f(cpu[e])).join(" ")}   ${f(cpu.v86 / cpu.qemu, 13)}${cols.includes("chromium") ? f(cpu.chromium / cpu.v86, 20) : ""}`,
    );
    // med() gives seconds from milliseconds: these two are MiB already.
    if (cols.includes("chromium"))
      console.log(
        `  page memory (median): peak JS heap ${(med(k("chromium"), "heapMiB") * 1000).toFixed(0)} MiB, renderer peak RSS ${(med(k("chromium"), "rssMiB") * 1000).toFixed(0)} MiB (the images, v86's memory and the disk included)`,
      );
    console.log(
      `  spread of the totals: ${cols.map((e) => `${e} ${spread(k(e))} s`).join(", ")}${cols.includes("chromium") ? `; page link to verdict (build + boot) ${f(med(k("chromium"), "wall"), 0)} s` : ""}`,
    );
    const buildNode = med(k("v86"), "build") * 1000,
      buildPage = med(k("chromium"), "build") * 1000;
    if (Number.isFinite(buildNode))
      console.log(
        `  build of these images (its steps, median): Node ${buildNode.toFixed(0)} ms` +
          (cols.includes("chromium")
            ? `, the page's worker ${buildPage.toFixed(0)} ms (${(buildPage / buildNode).toFixed(2)}x; with the listings and maps it sends back ${(med(k("chromium"), "buildAll") * 1000).toFixed(0)} ms)`
            : ""),
      );
    const loadlin = med(k("v86"), "loadlin");
    console.log(
      `  targets: v86/QEMU ${f(tot.v86 / tot.qemu, 0)} (<= ${TARGET_TOTAL}), power-on to LOADLIN in v86 ${f(loadlin, 0)} s (<= ${TARGET_LOADLIN_S})` +
        (cols.includes("chromium") ? `, page/Node ${f(tot.chromium / tot.v86, 0)} (<= ${TARGET_PAGE})` : ""),
    );
  }
}
