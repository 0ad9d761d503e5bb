// The page at a phone's width (390 x 844) and a laptop's (1280 x 800): nothing wider than the
// viewport (each element checked, except inside a box that scrolls or clips on purpose), the
// Ctrl-C button inside its card, the choices pane below the sticky header, Build bringing the
// progress into view, and the 80-column screen readable within its card. Screenshots go to
// test-results/screenshots/layout-*.png.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Page } from "playwright-core";
import { startApp, shot, type AppSession } from "./setup.ts";

let app: AppSession;

beforeAll(async () => {
  app = await startApp();
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** Elements that stick out of the viewport sideways, unless an ancestor scrolls or clips them. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const w = document.documentElement.clientWidth;
    const contained = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === "auto" || ox === "scroll" || ox === "hidden" || ox === "clip") return true;
      }
      return false;
    };
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const r = el.getBoundingClientRect();
      if (
        r.width === 0 ||
        r.height === 0 ||
        (getComputedStyle(el).position === "absolute" && el.classList.contains("sr-only"))
      )
        continue;
      if ((r.right > w + 0.5 || r.left < -0.5) && !contained(el)) {
        out.push(
          `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${(el.className || "").toString().split(" ")[0]} [${Math.round(r.left)}, ${Math.round(r.right)}]`,
        );
      }
    }
    return out;
  });
}

const rect = (page: Page, sel: string) =>
  page
    .locator(sel)
    .first()
    .evaluate((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    });

for (const [w, hgt] of [
  [390, 844],
  [1280, 800],
] as const) {
  describe(`at ${w} x ${hgt}`, () => {
    let page: Page;
    beforeAll(async () => {
      page = await (await app.browser.newContext({ viewport: { width: w, height: hgt } })).newPage();
      await page.goto(app.url);
      await page.waitForSelector("#choices");
    });
    afterAll(async () => {
      await page?.context().close();
    });

    it("nothing is wider than the viewport, and the header keeps its subtitle readable", async () => {
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      expect(await overflowing(page)).toEqual([]);
      for (const sel of [
        "header.top",
        "#build",
        "#choices",
        "#build-card",
        "#boot-card",
        "#machine-card",
        "#results-card",
        "#serial-ctrlc",
      ]) {
        const r = await rect(page, sel);
        expect(r.left, sel).toBeGreaterThanOrEqual(0);
        expect(r.right, sel).toBeLessThanOrEqual(w);
      }
      // The subtitle gets at least a line of several words (not a word per line).
      const sub = await page.locator("header.top .title p").evaluate((p) => ({
        width: p.getBoundingClientRect().width,
        lines: Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight || "18")),
      }));
      expect(sub.width).toBeGreaterThan(Math.min(300, w - 60));
      // Ctrl-C stays inside the serial console's card.
      const card = await rect(page, "#machine-card");
      const ctrlc = await rect(page, "#serial-ctrlc");
      expect(ctrlc.right).toBeLessThanOrEqual(card.right);
      expect(ctrlc.left).toBeGreaterThanOrEqual(card.left);
      await shot(page, `layout-${w}-top`);
    });

    it("the choices pane starts below the sticky header", async () => {
      await page.evaluate(() => window.scrollTo(0, 600));
      await page.waitForTimeout(100);
      const header = await rect(page, "header.top");
      const left = await rect(page, "#left");
      const sticky = await page.locator("header.top").evaluate((e) => getComputedStyle(e).position === "sticky");
      if (sticky) expect(left.top).toBeGreaterThanOrEqual(header.bottom);
      // Whatever the layout, the first visible choice is not hidden under the header.
      const firstLegend = await rect(page, "#choices legend");
      if (sticky && firstLegend.bottom > 0) expect(firstLegend.top).toBeGreaterThanOrEqual(header.bottom - 1);
      await page.evaluate(() => window.scrollTo(0, 0));
    });

    it("Build brings the progress into view, and the 80-column screen is readable within its card", async () => {
      await page.click("#build");
      await page.waitForFunction(
        () =>
          document.querySelector('#steps li[data-state="done"]') !== null || document.body.dataset.phase === "error",
        undefined,
        { timeout: 60_000 },
      );
      await page.waitForTimeout(800); // the smooth scroll
      const card = await rect(page, "#build-card");
      expect(card.top).toBeGreaterThanOrEqual(-1);
      expect(card.top).toBeLessThan(hgt - 80);
      await shot(page, `layout-${w}-building`);
      if (app.real) {
        // The kernel's lines on the VGA console (console=tty0) fill the 80 columns.
        await page.waitForFunction(
          () => document.querySelector('#milestones li[data-id="initrd"]')!.getAttribute("data-state") === "reached",
          undefined,
          { timeout: 90_000 },
        );
        await page.waitForFunction(
          () => (document.querySelector("#screen .screen-text")!.textContent ?? "").replace(/\s/g, "").length > 400,
          undefined,
          { timeout: 30_000 },
        );
        await page.locator("#machine-card").scrollIntoViewIfNeeded();
        const screen = await rect(page, "#screen");
        const mcard = await rect(page, "#machine-card");
        expect(screen.left).toBeGreaterThanOrEqual(mcard.left);
        expect(screen.right).toBeLessThanOrEqual(mcard.right);
        const m = await page.locator("#screen").evaluate((s) => ({
          font: parseFloat(getComputedStyle(s.querySelector(".screen-text")!).fontSize),
          scrolls: s.scrollWidth > s.clientWidth,
          overflow: getComputedStyle(s).overflowX,
        }));
        expect(m.font).toBeGreaterThanOrEqual(10);
        // Either the whole 80 columns fit, or the screen scrolls sideways inside its card.
        if (m.scrolls) expect(m.overflow).toBe("auto");
        expect(await overflowing(page)).toEqual([]);
        await shot(page, `layout-${w}-screen`);
        await page.click("#stop");
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      // The results (downloads, the QEMU line, listings) after the build, opened.
      await page.waitForSelector("#downloads", { timeout: 60_000 });
      await page.click("#list-floppy summary");
      expect(await overflowing(page)).toEqual([]);
      await page.locator("#results-card").scrollIntoViewIfNeeded();
      await shot(page, `layout-${w}-results`);
      await shot(page, `layout-${w}-full`, true);
    }, 180_000);
  });
}
