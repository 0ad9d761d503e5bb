// A full storage quota: the page's store (src/app/store.ts) gets Chromium's real QuotaExceededError
// from IndexedDB (the origin's quota lowered through the DevTools protocol) and says so in words;
// with the quota back, the same save is kept. Runs on stand-in images too: nothing boots.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { type AppSession, useApp } from "./setup.ts";

let app: AppSession;
let page: Page;

useApp((a) => {
  app = a;
  page = a.page;
});

/** Saves an 8 MiB disk of random bytes (nothing for the store to compress) over a fresh base, in the page. */
// Given as text: vitest would rewrite a dynamic import() written in this file, and the page must do its own.
const SAVE_IN_PAGE = `(async () => {
  const { DiskStore, StoreError } = await import("/src/app/store.ts");
  const { defaultConfig } = await import("/src/config.ts");
  const disk = new Uint8Array(8 << 20);
  for (let i = 0; i < disk.length; i += 65536) crypto.getRandomValues(disk.subarray(i, i + 65536));
  const s = new DiskStore();
  s.setBase(new Uint8Array(1474560), disk, defaultConfig());
  const now = disk.slice();
  now[0] ^= 1;
  try {
    const r = await s.save(now, true);
    return { ok: true, message: r.baseBytes + " base bytes, " + r.blocks + " blocks" };
  } catch (e) {
    return { ok: false, storeError: e instanceof StoreError, message: e.message };
  }
})()`;
const saveInPage = () => page.evaluate(SAVE_IN_PAGE) as Promise<{ ok: boolean; storeError?: boolean; message: string }>;

describe("the kept disk and a full storage quota", () => {
  it("a refused save names the full quota and points to the download; with room it is kept", async () => {
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(app.url).origin;
    await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 1_000_000 });
    const refused = await saveInPage();
    expect(refused, JSON.stringify(refused)).toMatchObject({ ok: false, storeError: true });
    expect(refused.message).toMatch(
      /storage quota for this page is full, so the disk was not kept here; download it instead/,
    );
    // The control: the same save with the quota restored goes through.
    await cdp.send("Storage.overrideQuotaForOrigin", { origin });
    const kept = await saveInPage();
    expect(kept, JSON.stringify(kept)).toMatchObject({ ok: true });
  }, 60_000);
});
