// The page as a test target: the Playwright example (examples/playwright/verify-config.mjs) run
// against the built page (vite build + vite preview), as a user's CI runs it. A verified boot, an
// honest failure (init=/bin/false: the loop root's init exits, the kernel panics; validation accepts
// it), and configs that never boot (out of range; damaged in the link). The oracle for the JSON's
// shape and the failing stage is `looproot run --engine qemu --json` on the same config.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as viteBuild, preview as vitePreview, type PreviewServer } from "vite";
import { REPO, realImagesPresent } from "./setup.ts";
// @ts-expect-error: the example is plain JavaScript, as a user copies it.
import { verifyConfig, autostartLink } from "../../examples/playwright/verify-config.mjs";

const REAL = realImagesPresent();
const BOOT_MS = 300_000;
const FAILING = { boot: { extraArgs: "console=tty0 console=ttyS0 init=/bin/false" } };

type Verdict = {
  ok: boolean;
  stage: string;
  summary: string;
  problems?: { field: string; message: string }[];
  failure?: { stage: string; title: string };
  report?: { rootdev?: string };
  [k: string]: unknown;
};
const verify = (config: unknown): Promise<Verdict> => verifyConfig(url, config, { browser, timeoutMs: BOOT_MS });

/** The CLI's --json for the same config, booted in QEMU (a few seconds). */
function cliJson(config: typeof FAILING | Record<string, never>): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), "lr-autostart-cli-"));
  try {
    const sets = "boot" in config ? ["--set", `boot.extraArgs=${config.boot.extraArgs}`] : [];
    const r = spawnSync(
      "node",
      ["bin/looproot.mjs", "run", "--engine", "qemu", "--out", out, "--json", "--timeout", "150", ...sets],
      { cwd: REPO, encoding: "utf8", timeout: 170_000 },
    );
    return JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

let outDir: string;
let server: PreviewServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "lr-autostart-dist-"));
  await viteBuild({
    configFile: join(REPO, "vite.config.ts"),
    root: REPO,
    logLevel: "error",
    build: { outDir, emptyOutDir: true },
  });
  server = await vitePreview({
    configFile: join(REPO, "vite.config.ts"),
    root: REPO,
    logLevel: "error",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0 },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === "string") throw new Error("preview: no address");
  url = `http://127.0.0.1:${addr.port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("a link that autostarts publishes its verdict as data", () => {
  it("an out-of-range config is not built: the verdict names the field, in the element and the event alike", async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.addInitScript(() =>
        window.addEventListener("looproot:verdict", (e) =>
          ((window as unknown as { seen: unknown[] }).seen ??= []).push((e as CustomEvent).detail),
        ),
      );
      await page.goto(autostartLink(url, { machine: { memoryMiB: 4 } }));
      const el = await page.waitForSelector("#looproot-result", { state: "attached", timeout: 60_000 });
      const v = JSON.parse((await el.textContent())!) as Verdict;
      expect(v).toMatchObject({ ok: false, stage: "validate" });
      expect(v.problems!.map((p) => p.field)).toContain("machine.memoryMiB");
      expect(await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen)).toEqual([v]);
      // Nothing was built: the build's steps never ran.
      expect(await page.locator('#steps li[data-state="done"]').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it("a damaged link is not booted as the defaults: the verdict says what was dropped", async () => {
    const v = await verify({ machine: { memoryMiB: "lots" } });
    expect(v).toMatchObject({ ok: false, stage: "link" });
    expect(v.problems!.map((p) => p.field)).toEqual(["machine.memoryMiB"]);
  }, 90_000);

  it.skipIf(!REAL)(
    "the defaults boot to a verified loop root; the JSON has the CLI's fields plus stage",
    async () => {
      const v = await verify({});
      expect(v.ok, v.summary).toBe(true);
      expect(v.stage).toBe("boot");
      expect(v.report!.rootdev).toBe("7:0");
      const cli = cliJson({});
      expect(cli.ok).toBe(true);
      expect(
        Object.keys(v)
          .filter((k) => k !== "stage")
          .sort(),
      ).toEqual(Object.keys(cli).sort());
    },
    BOOT_MS + 60_000,
  );

  it.skipIf(!REAL)(
    "quiet in the kernel arguments: the steps the kernel did not print are put down to it, in the verdict and the diagram",
    async () => {
      const ctx = await browser.newContext();
      try {
        const page = await ctx.newPage();
        await page.goto(autostartLink(url, { boot: { extraArgs: "console=tty0 console=ttyS0,115200 quiet" } }));
        await page.waitForFunction(
          () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: BOOT_MS, polling: 200 },
        );
        expect(await page.textContent("#verdict")).toMatch(/not printed \(kernel argument quiet in boot\.extraArgs\)/);
        const labels = await page.$$eval('#chain .cbox[data-state="not-seen"]', (bs) =>
          bs.map((b) => b.getAttribute("aria-label") ?? ""),
        );
        expect(labels.length).toBeGreaterThan(0);
        for (const l of labels) expect(l).toMatch(/: not printed \(kernel argument quiet\)/);
      } finally {
        await ctx.close();
      }
    },
    BOOT_MS + 60_000,
  );

  it.skipIf(!REAL)(
    "init=/bin/false validates but the boot fails, at the same stage as in QEMU",
    async () => {
      const v = await verify(FAILING);
      expect(v).toMatchObject({ ok: false, stage: "boot" });
      const cli = cliJson(FAILING) as Verdict;
      expect(cli.ok).toBe(false);
      expect(v.failure!.stage).toBe(cli.failure!.stage);
      expect(v.failure!.title).toBe(cli.failure!.title);
    },
    BOOT_MS + 60_000,
  );
});
