// The guest file sizes ("facts") arrive from a worker some time after the page loads. When they do,
// the page validates again: a field whose text is not a value yet must keep Build off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startApp, type AppSession } from "./setup.ts";

let app: AppSession;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  // Hold the kernel back so the sizes arrive only after the user has typed.
  await page.context().route("**/kernel/bzImage", async (route) => {
    await new Promise((r) => setTimeout(r, 3000));
    await route.continue();
  });
  await page.goto(app.url);
  await page.waitForSelector("#choices");
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe("validation when the guest file sizes arrive late", () => {
  it("keeps Build off while a field holds text that is not a number", async () => {
    const facts = () =>
      page.evaluate(() => !!(window as unknown as { looproot: { state: { facts?: unknown } } }).looproot.state.facts);
    expect(await facts()).toBe(false);
    await page.fill("#in-swap-sizeMiB", "abc");
    expect(await page.isDisabled("#build")).toBe(true);
    await page.waitForFunction(
      () => !!(window as unknown as { looproot: { state: { facts?: unknown } } }).looproot.state.facts,
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.isDisabled("#build")).toBe(true);
    expect(await page.textContent("#err-swap-sizeMiB")).toContain("not a whole number");
  });
});
