// The VGA screen as a terminal (issue 25): while it has the focus every key reaches the guest (vi
// leaves insert mode with Esc, Tab completes), Ctrl+Alt+Shift gives the keyboard back, no key stays
// held in the guest when the focus leaves, Tab completes on the serial console's line too, an
// underscore is visible at 1x, and on a phone tapping the screen focuses a text field (the soft
// keyboard) with all 80 columns in view. Needs the real guest images.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { realImagesPresent, shot, useApp, downloadBytes, type AppSession, SHOTS, pageConsole } from "./setup.ts";
import { join } from "node:path";

const REAL = realImagesPresent();
const BOOT_MS = 200_000;
let app: AppSession;
let page: Page;

const { phase, waitVerified, serialHas } = pageConsole(() => page, BOOT_MS, 20_000);
/** The screen's rows (v86 draws one <div> a row), as lines. */
const screenText = () =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll("#screen .screen-text > div"), (d) => d.textContent ?? "").join("\n"),
  );
async function screenHas(re: RegExp, timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction(
      (src) =>
        new RegExp(src).test(
          Array.from(document.querySelectorAll("#screen .screen-text > div"), (d) => d.textContent ?? "").join("\n"),
        ),
      re.source,
      { timeout, polling: 100 },
    );
  } catch (e) {
    throw new Error(`the screen never matched ${re}:\n${(await screenText()).replace(/\s+\n/g, "\n")}`, { cause: e });
  }
}
/** Unshifted text only (Playwright's "_" or ":" carry no Shift for v86); shifted keys go through shifted(). */
const type = (text: string) => page.keyboard.type(text, { delay: 15 });
async function shifted(code: string, times = 1): Promise<void> {
  await page.keyboard.down("Shift");
  for (let i = 0; i < times; i++) await page.keyboard.press(code);
  await page.keyboard.up("Shift");
}
const active = () => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.nodeName);

useApp((a) => {
  app = a;
  page = a.page;
});

describe.skipIf(!REAL)("the VGA screen is a terminal", () => {
  it(
    "vi on the screen: insert, Esc, :wq saves the file",
    async () => {
      await page.click("#build");
      // Build turns off while it runs; its focus goes to the build's progress, not to <body>.
      expect(await active()).toBe("build-h");
      await waitVerified();
      // After the verdict the PC is in view and its serial line has the focus.
      expect(await active()).toBe("serial-in");
      // The scroll is smooth: on a loaded machine it takes more than a second (it failed at 1 s so).
      const inView = () => document.querySelector("#machine-card")!.getBoundingClientRect().top;
      await page
        .waitForFunction(
          () => {
            const t = document.querySelector("#machine-card")!.getBoundingClientRect().top;
            return t >= 0 && t < 400;
          },
          undefined,
          { timeout: 15_000, polling: 100 },
        )
        .catch(() => undefined);
      const top = await page.evaluate(inView);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(400);
      await page.click("#screen");
      expect(await active()).toBe("screen-input");
      // The VGA console's own shell (tty1): a fresh prompt first.
      await type("\n");
      await type("vi /root/v.txt\n");
      // vi takes the terminal (and drops what was typed before) once it draws its empty file.
      await screenHas(/\n~\s*\n~\s*\n~/);
      await page.waitForTimeout(500);
      await type("ihello vi");
      await page.keyboard.press("Escape");
      // Esc stayed with the guest: the focus did not leave the screen.
      expect(await active()).toBe("screen-input");
      // vi left insert mode: its status line says "-" instead of "I". (vi reads Esc and what follows
      // at once as one escape sequence, so ":" comes after that, as a person's would.)
      await screenHas(/\n- \/root\/v\.txt \[Modified\]/, 10_000);
      await page.waitForTimeout(300);
      await shifted("Semicolon");
      await type("wq\n");
      await page.waitForTimeout(800);
      // The file is on the guest's disk: read it on the serial console (the kernel's lines may cut into the screen's).
      await page.fill("#serial-in", "cat /root/v.txt; echo vv$((1+1))");
      await page.press("#serial-in", "Enter");
      await serialHas(/\nhello vi\r?\n[^]*vv2/);
      await shot(page, "console-vi");
    },
    BOOT_MS + 60_000,
  );

  it("Tab completes on the screen and on the serial console's line", async () => {
    await page.click("#screen");
    await type("cat /etc/fst");
    await page.keyboard.press("Tab");
    expect(await active()).toBe("screen-input");
    await type("\n");
    await screenHas(/\/dev\/loop0\s+\/\s+ext2/);
    await page.fill("#serial-in", "cat /etc/fst");
    await page.press("#serial-in", "Tab");
    expect(await active()).toBe("serial-in");
    await page.press("#serial-in", "Enter");
    await serialHas(/cat \/etc\/fstab\s*\r?\n[^]*\/dev\/loop0\s+\/\s+ext2/);
  }, 60_000);

  it("Ctrl+Alt+Shift gives the keyboard back, and no key stays held in the guest after the focus leaves", async () => {
    await page.click("#screen");
    // Shift goes down on the screen, the focus leaves with it held, and it comes up elsewhere.
    await page.keyboard.down("Shift");
    await page.click("#serial-in");
    await page.keyboard.up("Shift");
    await page.click("#screen");
    await type("echo after1\n");
    await screenHas(/\nafter1\b/);
    // The host key: the focus moves on to the serial line, and Ctrl, Alt and Shift are let go in the guest.
    await page.keyboard.down("Control");
    await page.keyboard.down("Alt");
    await page.keyboard.down("Shift");
    expect(await active()).toBe("serial-in");
    await page.keyboard.up("Shift");
    await page.keyboard.up("Alt");
    await page.keyboard.up("Control");
    await page.click("#screen");
    await type("echo after2\n");
    await screenHas(/\nafter2\b/);
    expect(await page.textContent("#screen .screen-text")).not.toMatch(/ECHO AFTER/);
  }, 60_000);

  it("the key bar sends Ctrl-C to the screen's shell", async () => {
    await page.click("#screen");
    await type("sleep 60");
    await type("\n");
    await page.click('.screen-bar button[data-keys="ctrl+c"]');
    expect(await active()).toBe("screen-input");
    await type("echo bar11ok\n");
    await screenHas(/\nbar11ok\b/);
  }, 60_000);

  it("Compare has the guest sync first: a file written without sync is listed; the harness's probes are not in the serial console", async () => {
    expect(await page.textContent("#serial-out")).not.toMatch(/shell ready on|__LR\d/);
    await page.fill("#serial-in", "echo new > /root/nosync; echo ns$((1+1))ok");
    await page.press("#serial-in", "Enter");
    await serialHas(/\nns2ok/);
    await page.click("#see-compare");
    await page.waitForFunction(() => /nosync/.test(document.querySelector("#see-diff")!.textContent ?? ""), undefined, {
      timeout: 60_000,
      polling: 200,
    });
    expect(await page.textContent("#see-status")).not.toMatch(/did not answer sync/);
    // The sync the page asked for is not shown to the user either.
    expect(await page.textContent("#serial-out")).not.toMatch(/__LR\d/);
  }, 90_000);

  it("an underscore is visible at 1x: the pixels under its row are lit", async () => {
    if ((await phase()) !== "verified") (await page.click("#build"), await waitVerified());
    await page.click("#screen");
    await type("echo a");
    await shifted("Minus", 12);
    await type("b\n");
    await screenHas(/\na_{12}b/);
    // The row that shows the answer, and where on the page its underscores are drawn.
    const box = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>("#screen .screen-text > div"));
      const row = rows.reverse().find((r) => /^a_{12}b/.test(r.textContent ?? ""))!;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.textContent!.indexOf("_");
        if (i < 0) continue;
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 12);
        const r = range.getBoundingClientRect();
        const rowBox = row.getBoundingClientRect();
        return { x: r.left, y: rowBox.top, width: r.width, height: rowBox.height };
      }
      return undefined;
    });
    expect(box).toBeDefined();
    const clip = { x: box!.x, y: box!.y, width: box!.width, height: box!.height };
    const b64 = (await page.screenshot({ clip, path: join(SHOTS, "console-underscore-row.png") })).toString("base64");
    await page.screenshot({
      path: join(SHOTS, "console-underscore.png"),
      clip: { x: box!.x - 20, y: box!.y - 20, width: box!.width + 40, height: box!.height + 40 },
    });
    const best = await page.evaluate(async (data) => {
      const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
      const c = new OffscreenCanvas(img.width, img.height);
      const g = c.getContext("2d")!;
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, img.width, img.height).data;
      const rows: number[] = [];
      for (let y = 0; y < img.height; y++) {
        let lit = 0;
        // Lit: clearly not the black background (the glyphs are VGA's light grey, anti-aliased).
        for (let x = 0; x < img.width; x++) if (px[(y * img.width + x) * 4] > 60) lit++;
        rows.push(Math.round((100 * lit) / img.width));
      }
      return rows;
    }, b64);
    // Only underscores lie in this box (the columns between "a" and "b"): the best lit row is theirs.
    expect(Math.max(...best), `lit % per pixel row of ${JSON.stringify(box)}: ${best}`).toBeGreaterThan(60);
  }, 60_000);

  it(
    "Ctrl-Alt-Del from the key bar: the guest shuts down cleanly, its disk is kept, and the PC starts again on it",
    async () => {
      await page.fill("#serial-in", "echo cad > /root/cad; sync; sync; echo cd$((1+1))ok");
      await page.press("#serial-in", "Enter");
      await serialHas(/\ncd2ok/);
      await page.click('.screen-bar button[data-keys="ctrl+alt+del"]');
      await page.waitForFunction(
        () => /shut down by itself, cleanly/.test(document.querySelector("#keep-status")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      await waitVerified();
      await page.fill("#serial-in", "cat /root/cad; echo cc$((1+1))ok");
      await page.press("#serial-in", "Enter");
      await serialHas(/\ncad\r?\n[^]*cc2ok/);
    },
    BOOT_MS + 60_000,
  );

  it("the v86 demo's tools: Pause holds the guest until Resume, the instructions per second are shown, Screenshot is a PNG of the screen, Fullscreen", async () => {
    const ips = () => page.textContent("#screen-ips");
    await page.waitForFunction(
      () => /^\d+ M instructions\/s$/.test(document.querySelector("#screen-ips")!.textContent ?? ""),
      undefined,
      { timeout: 10_000 },
    );
    await page.click("#screen-pause");
    expect(await page.getAttribute("#screen-pause", "aria-pressed")).toBe("true");
    await page.waitForFunction(() => document.querySelector("#screen-ips")!.textContent === "paused", undefined, {
      timeout: 5_000,
    });
    // A command typed while paused waits in the UART: the guest runs it only after Resume.
    await page.fill("#serial-in", "echo pz$((2+2))ok");
    await page.press("#serial-in", "Enter");
    await page.waitForTimeout(3_000);
    expect(await page.textContent("#serial-out")).not.toMatch(/\npz4ok/);
    expect(await ips()).toBe("paused");
    await page.click("#screen-pause");
    expect(await page.getAttribute("#screen-pause", "aria-pressed")).toBe("false");
    await serialHas(/\npz4ok/);
    const { name, bytes } = await downloadBytes(page, () => page.click("#screen-shot"));
    expect(name).toBe("looproot-screen.png");
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    // IHDR: 80 columns and 25 rows of character cells, each several pixels wide and high.
    expect(dv.getUint32(16)).toBeGreaterThanOrEqual(80 * 8);
    expect(dv.getUint32(20)).toBeGreaterThanOrEqual(25 * 8);
    await page.click("#screen-full");
    await page.waitForFunction(() => document.fullscreenElement?.id === "screen", undefined, { timeout: 5_000 });
    await page.evaluate(() => document.exitFullscreen());
  }, 60_000);

  it("on a phone, tapping the screen focuses a text field, all 80 columns are in view, and typing there reaches the guest", async () => {
    const context = await app.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const p = await context.newPage();
    try {
      await p.goto(app.url);
      await p.waitForSelector("#choices");
      await p.click("#build");
      // The kernel's lines fill the 80 columns of the VGA console.
      await p.waitForFunction(
        () => (document.querySelector("#screen .screen-text")!.textContent ?? "").replace(/\s/g, "").length > 400,
        undefined,
        { timeout: 120_000 },
      );
      await p.locator("#screen").scrollIntoViewIfNeeded();
      await p.tap("#screen");
      expect(await p.evaluate(() => document.activeElement?.nodeName)).toBe("TEXTAREA");
      // Every row is 80 characters (v86 pads them): the widest row's box is the 80 columns.
      const m = await p.evaluate(() => {
        const s = document.querySelector("#screen")!.getBoundingClientRect();
        const rows = Array.from(document.querySelectorAll("#screen .screen-text > div"));
        const t = rows[0].getBoundingClientRect();
        return {
          cols: Math.max(...rows.map((r) => (r.textContent ?? "").length)),
          screenLeft: s.left,
          screenRight: s.right,
          textLeft: t.left,
          textRight: t.right,
          vw: innerWidth,
        };
      });
      expect(m.cols).toBe(80);
      expect(m.textLeft).toBeGreaterThanOrEqual(m.screenLeft);
      expect(m.textRight).toBeLessThanOrEqual(m.screenRight);
      expect(m.screenRight).toBeLessThanOrEqual(m.vw);
      await p.screenshot({ path: join(SHOTS, "console-phone.png") });
      // A soft keyboard types by input events (no key codes): the text reaches the VGA console's shell.
      await p.waitForFunction(() => document.body.dataset.phase === "verified", undefined, {
        timeout: 200_000,
        polling: 250,
      });
      await p.keyboard.insertText("echo ph$((1+1))one");
      await p.keyboard.press("Enter");
      await p.waitForFunction(
        () =>
          /^ph2one\b/m.test(
            Array.from(document.querySelectorAll("#screen .screen-text > div"))
              .map((d) => d.textContent)
              .join("\n"),
          ),
        undefined,
        { timeout: 30_000, polling: 250 },
      );
      expect(await p.inputValue("#screen-input")).toBe("");
      await p.click("#stop");
    } finally {
      await context.close();
    }
  }, 320_000);
});
