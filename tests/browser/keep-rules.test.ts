// One rule for the user's work (issue 25): whatever ends the running PC, a disk the guest changed
// is kept in this browser or the user is asked. Each way is tried on the real guest, and the kept
// disk is read back by the real tools (e2fsck, debugfs through checkDisk): `poweroff` typed at the
// shell, Stop, Reset, Restore snapshot over changes, Rebuild, closing the tab and reloading.
// Needs the real guest images.

import { describe, it, expect } from "vitest";
import type { Dialog, Page } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { downloadBytes, realImagesPresent, shot, useApp, pageConsole } from "./setup.ts";
import { checkDisk } from "../boot/diskcheck.ts";

const REAL = realImagesPresent();
const BOOT_MS = 200_000;
let page: Page;
let scratch = "";

const { phase, waitVerified, typeLine, serialHas } = pageConsole(() => page, BOOT_MS, 60_000);
const statusHas = (re: RegExp, timeout = 60_000) =>
  page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector("#keep-status")!.textContent ?? ""),
    re.source,
    { timeout, polling: 100 },
  );
/** Writes /root/x on the guest and waits until it is on the disk (sync twice: keep.ts's syncGuest says why). */
let writes = 0;
async function writeX(text: string): Promise<void> {
  const n = ++writes;
  await typeLine(`echo ${text} > /root/x; sync; sync; echo wr${n}$((1+1))ote`);
  await serialHas(new RegExp(`\\nwr${n}2ote`));
}
/** The disk's /root/x and the fsck verdicts, from the real tools. */
function readX(disk: Uint8Array) {
  const d = checkDisk(disk, mkdtempSync(join(scratch, "d-")));
  expect(d.fat.status, d.fat.out).toBeLessThan(4);
  return d;
}

useApp((a, dir) => {
  page = a.page;
  scratch = dir;
}, "page-keep-rules-");

describe.skipIf(!REAL)("the user's work is never dropped", () => {
  it(
    "poweroff typed at the shell: the page notices, keeps the clean disk, and a reload offers it",
    async () => {
      // A fresh page has nothing kept: no empty resume bar.
      expect(await page.isVisible("#resume")).toBe(false);
      await page.click("#build");
      await waitVerified();
      await writeX("one");
      await typeLine("poweroff");
      await statusHas(/shut down by itself, cleanly/);
      expect(await phase()).toBe("stopped");
      expect(await page.isDisabled("#shutdown-save")).toBe(true);
      const dl = await downloadBytes(page, () => page.click("#download-disk"));
      expect(dl.name).toBe("disk.img");
      const d = readX(dl.bytes);
      expect(d.ext2.status, d.ext2.out).toBe(0);
      expect(d.ext2.out).not.toContain("not cleanly unmounted");
      expect(d.x).toBe("one\n");
      // Nothing unsaved: the reload asks nothing, and offers the disk.
      let asked = false;
      const onDialog = (dg: Dialog) => ((asked = true), void dg.accept());
      page.on("dialog", onDialog);
      await page.reload();
      page.off("dialog", onDialog);
      expect(asked).toBe(false);
      await page.waitForSelector("#resume:not([hidden])", { timeout: 30_000 });
      expect(await page.textContent("#resume")).toContain("(cleanly shut down");
    },
    BOOT_MS + 120_000,
  );

  it(
    "Stop keeps the changed disk, and Download current disk gives it, named as not shut down",
    async () => {
      await page.click("#resume-boot");
      await waitVerified();
      await writeX("two");
      // The running disk's changes are kept as the guest goes (a crashed tab loses only seconds).
      await statusHas(/kept in this browser as you go/, 30_000);
      await page.click("#stop");
      await statusHas(/kept in this browser before the stop/);
      const dl = await downloadBytes(page, () => page.click("#download-disk"));
      expect(dl.name).toBe("disk-not-cleanly-shut-down.img");
      expect(readX(dl.bytes).x).toBe("two\n");
    },
    BOOT_MS + 60_000,
  );

  let snapshot: { name: string; bytes: Uint8Array };
  it(
    "Reset starts the PC again on its disk as the guest left it",
    async () => {
      expect(await page.isDisabled("#reset")).toBe(false);
      await page.click("#reset");
      await waitVerified();
      await typeLine("cat /root/x; echo rd$((1+1))one");
      await serialHas(/\ntwo\r?\n[^]*rd2one/);
      snapshot = await downloadBytes(page, () => page.click("#snapshot-save"));
      await statusHas(/snapshot saved/);
    },
    BOOT_MS + 60_000,
  );

  it("Restore snapshot over a changed disk keeps the changes first", async () => {
    await writeX("three");
    await page.setInputFiles("#snapshot-file", {
      name: snapshot.name,
      mimeType: "application/octet-stream",
      buffer: Buffer.from(snapshot.bytes),
    });
    await page.waitForFunction(() => document.body.dataset.phase === "restored", undefined, {
      timeout: 120_000,
      polling: 100,
    });
    // The restored PC is where the snapshot was (x = two); the disk it replaced (x = three) is kept.
    const kept = await page.evaluate(async () => {
      const { keep } = (
        window as unknown as {
          looproot: {
            keep: { store: { constructor: new () => { load(): Promise<{ meta: { clean: boolean } } | undefined> } } };
          };
        }
      ).looproot;
      const k = await new keep.store.constructor().load();
      return k?.meta;
    });
    expect(kept?.clean).toBe(false);
    // The serial console shows what it showed when the snapshot was taken, without the harness's probes.
    const serial = (await page.textContent("#serial-out"))!;
    expect(serial).toMatch(/rd2one/);
    expect(serial).not.toMatch(/shell ready on|__LR\d/);
    expect(await page.textContent("#keep-status")).toMatch(/Restored the snapshot/);
    await typeLine("cat /root/x; echo rs$((1+1))one");
    await serialHas(/\ntwo\r?\n[^]*rs2one/, 20_000);
  }, 180_000);

  it(
    "Rebuild, closing the tab and a reload: the user is asked, and the kept disk is the one with the change",
    async () => {
      // The restored PC is another machine than the kept disk's: replacing that disk is asked first.
      await writeX("four");
      const dialogs: string[] = [];
      const dismiss = (dg: Dialog) => (dialogs.push(`${dg.type()}: ${dg.message()}`), void dg.dismiss());
      page.on("dialog", dismiss);
      await page.click("#build");
      // The page is "building" at once, but it asks only after reading what is kept (IndexedDB): wait
      // for the question itself, not the phase (on a loaded machine the read outlasts the phase check).
      await expect.poll(() => dialogs.length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
      expect(dialogs.join("\n")).toMatch(
        /confirm: The running PC's disk has changes that are not saved\. Keep it in this browser instead of (your saved disk|the disk kept) from/,
      );
      await waitVerified();
      // The boot's own writes (the DOS volume's dirty flag, ext2's mount count) are not the user's
      // work: once the page has taken the booted disk as its starting point, nothing is unsaved.
      const keepOf = () =>
        (window as unknown as { looproot: { keep: { live: boolean; unsaved(): boolean } } }).looproot.keep;
      await page.waitForFunction(`(${keepOf})().live`, undefined, { timeout: 60_000, polling: 100 });
      // The console is the user's: the kernel's warnings no longer cut into the prompt (keep.ts's USER_CONSOLE).
      await typeLine("cat /proc/sys/kernel/printk; echo pk$((1+1))one");
      await serialHas(/\n4\s+\d+\s+\d+\s+\d+\r?\n[^]*pk2one/);
      // An idle disk is not compared again and again: the guest's write count stands still (two autosave turns).
      await page.evaluate(
        `{ const s = (${keepOf})().store, f = s.changed.bind(s); window.compares = 0; s.changed = (d) => (window.compares++, f(d)); }`,
      );
      await page.waitForTimeout(11_000);
      expect(await page.evaluate(`(${keepOf})().unsaved()`)).toBe(false);
      expect(await page.evaluate("window.compares")).toBeLessThanOrEqual(1);
      expect(await page.textContent("#keep-status")).not.toMatch(/kept in this browser as you go/);
      // The user's change on the new build is not kept over the old disk: leaving asks.
      await writeX("five");
      await expect.poll(() => page.evaluate(`(${keepOf})().unsaved()`), { timeout: 10_000 }).toBe(true);
      dialogs.length = 0;
      await page.close({ runBeforeUnload: true });
      // The question comes when the page has run its handler: waited for, then nothing more may come.
      await expect.poll(() => dialogs.length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
      await page.waitForTimeout(500);
      expect(dialogs).toEqual(["beforeunload: "]);
      expect(page.isClosed()).toBe(false);
      page.off("dialog", dismiss);
      page.once("dialog", (dg) => void dg.accept());
      await page.reload();
      await page.waitForSelector("#resume:not([hidden])", { timeout: 30_000 });
      expect(await page.textContent("#resume")).toContain("not cleanly shut down");
      const dl = await downloadBytes(page, () => page.click("#resume-download"));
      expect(readX(dl.bytes).x).toBe("three\n");
      await shot(page, "keep-rules-resume");
    },
    BOOT_MS + 120_000,
  );
});
