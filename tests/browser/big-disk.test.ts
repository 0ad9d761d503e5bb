// Issue 10 item 6 in the page: the largest disk the validator takes (2047 MiB, with an 1800 MiB
// root and 200 MiB swap) builds in the worker, crosses to the page in pieces (Chromium cannot post
// one buffer that big), boots in v86 to the verified loop root, is shut down and kept in the
// browser, downloads as disk.img (checked from the file on disk: its size, and its partition table
// by sfdisk, without reading it into this process), and boots again from what the browser kept
// after a reload. Reports the tab's peak JS heap and the renderers' peak RSS.
import { describe, it, expect, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { openSync, readSync, closeSync, statSync, createReadStream } from "node:fs";
import type { Page } from "playwright-core";
import { diskLayout } from "../../src/howto/dosdir.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { openApp, realImagesPresent, shot, memoryPeaks, type AppSession } from "./setup.ts";

const REAL = realImagesPresent();
const input = (path: string) => `#in-${path.replace(/[^A-Za-z0-9]/g, "-")}`;
const DISK_MIB = 2047;

async function waitVerdict(page: Page, timeout: number): Promise<string> {
  await page.waitForFunction(
    () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
    undefined,
    { timeout, polling: 500 },
  );
  return (await page.evaluate(() => document.body.dataset.phase))!;
}

describe.skipIf(!REAL)("a 2047 MiB disk in the page", () => {
  let app: AppSession | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it(
    "builds, boots to the verified loop root, is kept and downloaded, and boots again from the browser",
    { timeout: 1_200_000 },
    async () => {
      app = await openApp();
      const { page } = app;
      const mem = await memoryPeaks(app);
      let crashed = false;
      page.on("crash", () => (crashed = true));
      try {
        await page.fill(input("disk.sizeMiB"), String(DISK_MIB));
        await page.fill(input("root.sizeMiB"), "1800");
        await page.fill(input("swap.sizeMiB"), "200");
        await mem.mark("page open");
        const t0 = performance.now();
        await page.click("#build");
        await page.waitForFunction(
          () => ["booting", "verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: 400_000, polling: 250 },
        );
        const built = (performance.now() - t0) / 1000;
        await mem.mark("built");
        expect(await page.textContent("#build-error")).toBe("");
        const phase = await waitVerdict(page, 400_000);
        const booted = (performance.now() - t0) / 1000;
        await mem.mark("verified");
        await shot(page, "big-disk-verified");
        expect(crashed).toBe(false);
        expect(
          phase,
          `${await page.textContent("#verdict")}\n${((await page.textContent("#serial-out")) ?? "").slice(-1500)}`,
        ).toBe("verified");
        expect(await page.textContent("#verdict")).toContain("loop root verified");

        // A headless context is off the record, with a quota far below a profile's (measured below);
        // the origin gets what a profile on a disk with room would grant (Chromium: up to 60 % of the disk).
        const quota = await page.evaluate(async () => (await navigator.storage.estimate()).quota ?? 0);
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Storage.overrideQuotaForOrigin", { origin: new URL(app.url).origin, quotaSize: 8 * 1024 ** 3 });
        // Shut down and save: the guest powers off, the disk is kept in IndexedDB and downloaded.
        const [dl] = await Promise.all([
          page.waitForEvent("download", { timeout: 300_000 }),
          page.click("#shutdown-save"),
        ]);
        expect(dl.suggestedFilename()).toBe("disk.img");
        const file = (await dl.path())!;
        await page.waitForFunction(
          () => /kept in this browser|not kept|failed/.test(document.querySelector("#keep-status")!.textContent ?? ""),
          undefined,
          { timeout: 300_000, polling: 500 },
        );
        const status = (await page.textContent("#keep-status"))!;
        await mem.mark("saved");
        expect(status, status).toMatch(/shut down cleanly in .* kept in this browser/);
        // The file as the browser wrote it: its size, the MBR's signature, and sfdisk's reading of
        // the partition table (it reads the first sectors only).
        expect(statSync(file).size).toBe(DISK_MIB * 1048576);
        const mbr = Buffer.alloc(512);
        const fd = openSync(file, "r");
        readSync(fd, mbr, 0, 512, 0);
        closeSync(fd);
        expect([mbr[510], mbr[511]]).toEqual([0x55, 0xaa]);
        const table = JSON.parse(execFileSync("sfdisk", ["--json", file], { encoding: "utf8" })).partitiontable;
        expect(table.label).toBe("dos");
        expect(table.partitions).toHaveLength(1);
        const p = table.partitions[0];
        expect(p.type).toBe("6");
        expect(p.bootable).toBe(true);
        // Where the build put the partition (whole cylinders of the BIOS's geometry), as sfdisk reads it.
        const layout = diskLayout(mergeConfig(defaultConfig(), { disk: { sizeMiB: DISK_MIB } }));
        expect([p.start, p.size]).toEqual([layout.partitionStart, layout.partitionSectors]);
        expect((p.start + p.size) * 512).toBeLessThanOrEqual(DISK_MIB * 1048576);

        // What the disk holds (read as a stream, a piece at a time): the memory figures below are to be
        // read against it, not against the disk's size.
        let written = 0;
        for await (const piece of createReadStream(file, { highWaterMark: 1 << 20 }))
          if ((piece as Buffer).some((x) => x !== 0)) written += (piece as Buffer).length;

        // A reload offers the kept disk; booting it verifies again.
        await page.reload();
        await page.waitForSelector("#resume:not([hidden])", { timeout: 60_000 });
        expect(await page.textContent("#resume")).toContain(`${DISK_MIB} MiB`);
        const t1 = performance.now();
        await page.click("#resume-boot");
        const again = await waitVerdict(page, 400_000);
        const resumed = (performance.now() - t1) / 1000;
        await mem.mark("resumed");
        expect(again, `${await page.textContent("#verdict")}`).toBe("verified");
        console.log(
          `big disk ${DISK_MIB} MiB: built in ${built.toFixed(0)} s, verified ${booted.toFixed(0)} s after the click, resumed from the browser and verified in ${resumed.toFixed(0)} s; non-zero 1 MiB pieces of the disk ${(written / 1048576).toFixed(0)} MiB; headless quota ${(quota / 1048576).toFixed(0)} MiB; ${status}; ${mem.report()}`,
        );
        expect(crashed).toBe(false);
      } finally {
        mem.stop();
      }
    },
  );
});
