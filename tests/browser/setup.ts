// Shared by the browser tests: Vite on a free port, Debian's Chromium through playwright-core,
// screenshots, and stand-ins for guest images that are not built yet (so the build, the
// downloads and the form can be tested before the kernel exists; the boots need the real ones).

import { beforeAll, afterAll } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  copyFileSync,
  writeFileSync,
  readFileSync,
  readdirSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_IMAGE_FILES, SEABIOS_FALLBACK } from "../../src/app/assets.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SHOTS = join(REPO, "test-results", "screenshots");

/** The guest images the page is served: images/, or the folder LOOPROOT_IMAGES names. */
export function imagesDir(): string {
  return process.env.LOOPROOT_IMAGES ? resolve(process.env.LOOPROOT_IMAGES) : join(REPO, "images");
}

/** True when every guest image the page needs is really there (the boot tests need them). */
export function realImagesPresent(): boolean {
  return APP_IMAGE_FILES.every(
    (rel) => existsSync(join(imagesDir(), rel)) || (SEABIOS_FALLBACK[rel] && existsSync(SEABIOS_FALLBACK[rel])),
  );
}

/**
 * A folder with the real images where they exist and stand-ins where not: random bytes for the
 * kernel, the busybox applet lists from the binaries (or a few names), a boot sector for DOS.
 * A floppy built from these cannot boot Linux, but every build step runs on them.
 */
export function standInImages(): string {
  const dir = mkdtempSync(join(tmpdir(), "looproot-app-images-"));
  let seed = 12345;
  const rand = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  for (const rel of APP_IMAGE_FILES) {
    const to = join(dir, rel);
    mkdirSync(dirname(to), { recursive: true });
    const real = join(REPO, "images", rel);
    if (existsSync(real)) {
      copyFileSync(real, to);
      continue;
    }
    if (SEABIOS_FALLBACK[rel] && existsSync(SEABIOS_FALLBACK[rel])) {
      copyFileSync(SEABIOS_FALLBACK[rel], to);
      continue;
    }
    if (rel.endsWith(".applets")) {
      const bin = join(REPO, "images", rel.replace(/\.applets$/, ""));
      let list = "/bin/sh\n/bin/ash\n/bin/mount\n/sbin/losetup\n/sbin/init\n/bin/echo\n";
      try {
        if (existsSync(bin)) list = execFileSync(bin, ["--list-full"], { encoding: "utf8" });
      } catch {
        // Not runnable here: the short list will do.
      }
      writeFileSync(to, list);
    } else if (rel === "kernel/bzImage") writeFileSync(to, rand(700_000));
    else if (rel.endsWith("boot12.bin")) {
      const b = new Uint8Array(512);
      b.set([0xeb, 0x3c, 0x90]);
      b[510] = 0x55;
      b[511] = 0xaa;
      writeFileSync(to, b);
    } else writeFileSync(to, rand(rel.includes("busybox") ? 150_000 : 8_000));
  }
  return dir;
}

export interface AppSession {
  server: ViteDevServer;
  /** Where the page's images/ come from. */
  images: string;
  browser: Browser;
  page: Page;
  url: string;
  real: boolean;
  /** A switch on this Chromium's command line, to tell its processes from other sessions'. */
  marker: string;
  close(): Promise<void>;
}

export async function startApp(): Promise<AppSession> {
  const real = realImagesPresent();
  const saved = process.env.LOOPROOT_IMAGES;
  if (!real) process.env.LOOPROOT_IMAGES = standInImages();
  const images = imagesDir();
  // No HMR and no watcher: other people editing src/ must not reload the page under a test.
  const server = await createServer({
    configFile: join(REPO, "vite.config.ts"),
    root: REPO,
    logLevel: "error",
    server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const addr = server.httpServer!.address();
  if (!addr || typeof addr === "string") throw new Error("vite: no TCP address");
  const url = `http://127.0.0.1:${addr.port}/`;
  const marker = `--looproot-test-session=${process.pid}-${Date.now()}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      marker,
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  mkdirSync(SHOTS, { recursive: true });
  return {
    server,
    images,
    browser,
    page,
    url,
    real,
    marker,
    close: async () => {
      await browser.close();
      await server.close();
      if (saved === undefined) delete process.env.LOOPROOT_IMAGES;
      else process.env.LOOPROOT_IMAGES = saved;
    },
  };
}

export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = join(SHOTS, name + ".png");
  await page.screenshot({ path, fullPage });
  return path;
}

export async function downloadBytes(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; bytes: Uint8Array }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(readFileSync(path!)) };
}

/** A started app with its page loaded and the choices drawn: every browser test file's beginning. */
export async function openApp(): Promise<AppSession> {
  const app = await startApp();
  await app.page.goto(app.url);
  await app.page.waitForSelector("#choices");
  return app;
}

/**
 * One app for a test file's tests: opened before them (ready gets it, and a scratch folder when
 * scratchPrefix is given), closed after them, the folder removed.
 */
export function useApp(ready: (app: AppSession, scratch: string) => void, scratchPrefix?: string): void {
  let app: AppSession | undefined;
  let scratch = "";
  beforeAll(async () => {
    if (scratchPrefix) scratch = mkdtempSync(join(tmpdir(), scratchPrefix));
    app = await openApp();
    ready(app, scratch);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
}

/** This session's Chromium: the browser process (found by the marker switch on its command line) and all its descendants. */
function chromiumPids(marker: string): { pid: string; renderer: boolean }[] {
  const procs = new Map<string, { ppid: string; cmd: string }>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "";
      procs.set(pid, { ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, "utf8") });
    } catch {
      // Gone between the listing and the read.
    }
  }
  const ours = new Set(
    [...procs].filter(([, p]) => p.cmd.includes(marker) && !p.cmd.includes("--type=")).map(([pid]) => pid),
  );
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs) if (!ours.has(pid) && ours.has(p.ppid)) (ours.add(pid), (grew = true));
  }
  return [...ours].map((pid) => ({ pid, renderer: procs.get(pid)!.cmd.includes("--type=renderer") }));
}

/**
 * RSS of this session's Chromium (other sessions' browsers on the machine are not counted): its
 * renderers (the tab and its workers) and all its processes (the browser process holds the Blobs).
 */
export function chromiumRss(marker: string): { renderers: number; all: number } {
  let renderers = 0,
    all = 0;
  for (const p of chromiumPids(marker)) {
    try {
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
      all += kb;
      if (p.renderer) renderers += kb;
    } catch {
      // Gone.
    }
  }
  return { renderers, all };
}

/**
 * Samples the page's JS heap (CDP Performance.getMetrics) and the renderers' RSS every 250 ms and
 * keeps the peaks; mark() notes the peaks so far under a name, for the report.
 */
export async function memoryPeaks(app: AppSession) {
  const { page } = app;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const MB = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
  const p = { heap: 0, rss: 0, all: 0, at: {} as Record<string, string> };
  const sample = async () => {
    const r = chromiumRss(app.marker);
    p.rss = Math.max(p.rss, r.renderers);
    p.all = Math.max(p.all, r.all);
    const { metrics } = await cdp
      .send("Performance.getMetrics")
      .catch(() => ({ metrics: [] as { name: string; value: number }[] }));
    p.heap = Math.max(p.heap, metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0);
  };
  const timer = setInterval(() => void sample(), 250);
  return {
    peaks: p,
    sample,
    mark: async (name: string) => {
      await sample();
      p.at[name] = `heap ${MB(p.heap)}, renderers ${MB(p.rss)}, Chromium ${MB(p.all)}`;
    },
    report: () =>
      `peak JS heap (page) ${MB(p.heap)}, peak RSS of the renderers ${MB(p.rss)}, of all this Chromium's processes ${MB(p.all)}; peaks so far: ${Object.entries(
        p.at,
      )
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ")}`,
    stop: () => clearInterval(timer),
  };
}

/**
 * The page's machine as the console tests drive it: the phase, waiting for the verdict (naming the
 * phase and the console's end when none comes), a line typed at the serial console, and waiting
 * for the serial console to show something. `page` is read at each call (useApp sets it late).
 */
export function pageConsole(page: () => Page, bootMs: number, serialMs: number) {
  const phase = () => page().evaluate(() => document.body.dataset.phase ?? "");
  const serialEnd = async () => ((await page().textContent("#serial-out")) ?? "").slice(-2000);
  return {
    phase,
    async waitVerified(): Promise<void> {
      try {
        await page().waitForFunction(
          () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: bootMs, polling: 200 },
        );
      } catch (e) {
        throw new Error(
          `no verdict within ${bootMs / 1000} s (phase ${await phase()}): ${await page().textContent("#verdict")}\nserial console's end:\n${await serialEnd()}`,
          { cause: e },
        );
      }
      if ((await phase()) !== "verified")
        throw new Error(`boot not verified: ${await page().textContent("#verdict")}\n${await serialEnd()}`);
    },
    async typeLine(line: string): Promise<void> {
      await page().fill("#serial-in", line);
      await page().press("#serial-in", "Enter");
    },
    serialHas: (re: RegExp, timeout = serialMs) =>
      page().waitForFunction(
        (src) => new RegExp(src).test(document.querySelector("#serial-out")!.textContent ?? ""),
        re.source,
        { timeout, polling: 100 },
      ),
  };
}
