// Keeping the Linux booted in the page: boot, write a file on the loop root and one on /DOS
// through the serial console, Shut down and save; the downloaded disk.img passes fsck.fat and
// e2fsck and holds both; the page is reloaded, offers the kept disk, boots it, and the guest
// shows both files. Needs the real guest images.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shot, downloadBytes, realImagesPresent, type AppSession, useApp, pageConsole } from "./setup.ts";
import { checkDisk } from "../boot/diskcheck.ts";

const REAL = realImagesPresent();
const BOOT_MS = 200_000;
let app: AppSession;
let page: Page;

const { waitVerified, typeLine, serialHas } = pageConsole(() => page, BOOT_MS, 60_000);

useApp((a) => {
  app = a;
  page = a.page;
});

describe.skipIf(!REAL)("keep the Linux you booted", () => {
  it(
    "Shut down and save gives a clean disk.img with both files; a reload resumes it with both files",
    async () => {
      expect(await page.textContent("#keep-status")).toContain("To keep your work");
      await page.click("#build");
      await waitVerified();
      await typeLine("echo hello > /root/x; echo note > /DOS/NOTE.TXT; sync; echo wr$((1+1))ote");
      await serialHas(/\nwr2ote/, 60_000);
      const { name, bytes } = await downloadBytes(page, () => page.click("#shutdown-save"));
      expect(name).toBe("disk.img");
      await page.waitForFunction(
        () => /kept in this browser/.test(document.querySelector("#keep-status")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      const status = (await page.textContent("#keep-status"))!;
      console.log(`page: ${status}`);
      expect(status).toMatch(/shut down cleanly in/);
      await shot(page, "keep-01-saved");
      const d = checkDisk(bytes, mkdtempSync(join(tmpdir(), "lr-keep-page-")));
      expect(d.fat.status, d.fat.out).toBe(0);
      expect(d.ext2.status, d.ext2.out).toBe(0);
      expect(d.ext2.out).not.toContain("not cleanly unmounted");
      expect(d.x).toBe("hello\n");
      expect(d.note.replace(/\r/g, "")).toBe("note\n");

      await page.reload();
      await page.waitForSelector("#resume:not([hidden])", { timeout: 30_000 });
      expect(await page.textContent("#resume")).toMatch(/Your disk from .*, \d+(\.\d+)? MiB/);
      await shot(page, "keep-02-resume-offer");
      await page.click("#resume-boot");
      await waitVerified();
      await typeLine("cat /root/x /DOS/NOTE.TXT; echo rd$((1+2))one");
      await serialHas(/hello\r?\nnote\r?\n[^]*rd3one/, 60_000);
      await shot(page, "keep-03-resumed");

      // A second save writes only the blocks that changed since the first, not the disk again.
      await typeLine("echo more > /root/y; sync; echo wr$((2+2))ote");
      await serialHas(/\nwr4ote/, 60_000);
      const again = await downloadBytes(page, () => page.click("#shutdown-save"));
      await page.waitForFunction(
        () => /kept in this browser/.test(document.querySelector("#keep-status")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      const second = (await page.textContent("#keep-status"))!;
      console.log(`page, second save: ${second}`);
      expect(second).not.toContain("stored once");
      const [, kib] = /\(([\d.]+) KiB\) saved/.exec(second) ?? [];
      expect(Number(kib), second).toBeLessThan(2048);
      const d2 = checkDisk(again.bytes, mkdtempSync(join(tmpdir(), "lr-keep-page2-")));
      expect(d2.fat.status, d2.fat.out).toBe(0);
      expect(d2.ext2.status, d2.ext2.out).toBe(0);
      expect(d2.x).toBe("hello\n");
    },
    BOOT_MS * 2 + 120_000,
  );
});

describe.skipIf(!REAL)("machine snapshots", () => {
  it(
    "a snapshot restored in a fresh page answers at once with the files; another v86's or damaged ones are refused",
    async () => {
      await page.click("#build");
      await waitVerified();
      await typeLine("echo snap > /root/s; echo note2 > /DOS/SNAP.TXT; echo sn$((1+1))ap");
      await serialHas(/\nsn2ap/, 60_000);
      const snap = await downloadBytes(page, () => page.click("#snapshot-save"));
      await page.waitForFunction(
        () => /snapshot saved/.test(document.querySelector("#keep-status")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      console.log(`page: ${await page.textContent("#keep-status")}`);

      // A fresh page in a fresh profile: nothing built, nothing kept.
      const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      const fresh = await context.newPage();
      try {
        await fresh.goto(app.url);
        await fresh.waitForSelector("#choices");
        const t0 = Date.now();
        await fresh.setInputFiles("#snapshot-file", {
          name: snap.name,
          mimeType: "application/octet-stream",
          buffer: Buffer.from(snap.bytes),
        });
        await fresh.waitForFunction(
          () => ["restored", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: 120_000, polling: 100 },
        );
        expect(
          await fresh.evaluate(() => document.body.dataset.phase),
          (await fresh.textContent("#keep-status")) ?? "",
        ).toBe("restored");
        const restoredMs = Date.now() - t0;
        await fresh.fill("#serial-in", "cat /root/s /DOS/SNAP.TXT; echo at$((3+4))once");
        await fresh.press("#serial-in", "Enter");
        const t1 = Date.now();
        await fresh.waitForFunction(
          () => /snap\r?\nnote2\r?\n[^]*at7once/.test(document.querySelector("#serial-out")!.textContent ?? ""),
          undefined,
          { timeout: 10_000, polling: 100 },
        );
        console.log(
          `snapshot: ${snap.bytes.length} bytes; restored in a fresh page in ${restoredMs} ms (build included); first answer ${Date.now() - t1} ms; status: ${await fresh.textContent("#keep-status")}`,
        );
        await shot(fresh, "keep-04-snapshot-restored");

        // The same snapshot claiming another v86 version, and one cut short, are refused.
        // The version's first digit changed in place (the header's length bytes before it are binary).
        const forged = snap.bytes.slice();
        const at = Buffer.from(forged.buffer, forged.byteOffset, forged.length).indexOf('"v86":"') + 7;
        forged[at] = "9".charCodeAt(0);
        await fresh.setInputFiles("#snapshot-file", {
          name: "other.lrsnap",
          mimeType: "application/octet-stream",
          buffer: Buffer.from(forged),
        });
        await fresh.waitForFunction(
          () =>
            /Not restored: this snapshot was taken with v86/.test(
              document.querySelector("#keep-status")!.textContent ?? "",
            ),
          undefined,
          { timeout: 20_000 },
        );
        await fresh.setInputFiles("#snapshot-file", {
          name: "cut.lrsnap",
          mimeType: "application/octet-stream",
          buffer: Buffer.from(snap.bytes.subarray(0, snap.bytes.length >> 1)),
        });
        await fresh.waitForFunction(
          () => /Not restored: the snapshot's state is/.test(document.querySelector("#keep-status")!.textContent ?? ""),
          undefined,
          { timeout: 60_000 },
        );
        expect(await fresh.evaluate(() => document.body.dataset.phase)).toBe("restored");
      } finally {
        await context.close();
      }
    },
    BOOT_MS + 300_000,
  );
});
