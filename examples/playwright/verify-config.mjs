// Boots a looproot config in the looproot page and returns the page's verdict, for your CI.
// The page's contract (README, "Testing your config in the page"): a link `#config=...&autostart`
// builds and boots the config as soon as the page loads, and publishes the verdict as JSON in
// <script type="application/json" id="looproot-result"> and as the event "looproot:verdict".
// Needs playwright-core and a Chromium (here Debian's /usr/bin/chromium).

import { chromium } from "playwright-core";

/** The link that boots `config` (a full or partial looproot config object) on the page at `pageUrl`. */
export function autostartLink(pageUrl, config) {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  const b64 = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  const u = new URL(pageUrl);
  u.hash = `config=${b64}&autostart`;
  return u.href;
}

/**
 * Opens the link in headless Chromium and waits for the verdict (at most timeoutMs).
 * Resolves to the published JSON: `ok`, `stage` ("boot", or "link"/"validate"/"build"/"emulator"
 * when it never booted), `summary`, and for a boot the fields of `looproot boot --json`.
 */
export async function verifyConfig(
  pageUrl,
  config,
  { timeoutMs = 300_000, executablePath = "/usr/bin/chromium", browser: given } = {},
) {
  const browser = given ?? (await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] }));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(autostartLink(pageUrl, config));
    // The element holds the last verdict; waiting on it also catches one published before we looked.
    const el = await page.waitForSelector("#looproot-result", { state: "attached", timeout: timeoutMs });
    return JSON.parse(await el.textContent());
  } finally {
    await context.close();
    if (!given) await browser.close();
  }
}
