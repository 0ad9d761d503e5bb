// "See inside" in the page: after a build of the defaults, the disk map's numbers in the DOM
// (partition start, FAT sizes, LINUXDSK.IMG's cluster runs) equal sfdisk's and src/fs/views/maps.ts's
// reading of the downloaded disk.img; the root image is browsed to /etc/fstab, shown, and
// downloaded byte for byte as debugfs reads it; and after the guest writes files (typed on the
// serial console), Compare lists them as added, on the FAT partition and in the root image.
// Screenshots of each map go to test-results/screenshots/see-*.png, and to docs/ only with
// LOOPROOT_UPDATE_SCREENSHOT=1.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useApp, downloadBytes, shot, realImagesPresent, REPO, SHOTS, type AppSession } from "./setup.ts";
import { diskMap } from "../../src/fs/views/maps.ts";

let app: AppSession;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), "lr-see-"));

useApp((a) => {
  app = a;
  page = a.page;
});

const attr = (sel: string, name: string) => page.locator(sel).first().getAttribute(name).then(Number);

async function mapShot(name: string): Promise<void> {
  const path = join(SHOTS, `see-map-${name}.png`);
  // Clear of the sticky header.
  await page.locator("#see-map").evaluate((e) => e.scrollIntoView({ block: "center" }));
  await page.locator("#see-map").screenshot({ path });
  if (process.env.LOOPROOT_UPDATE_SCREENSHOT === "1") {
    mkdirSync(join(REPO, "docs"), { recursive: true });
    copyFileSync(path, join(REPO, "docs", `see-map-${name}.png`));
  }
}

describe("See inside", () => {
  it("the map's numbers equal sfdisk and maps.ts; the root image browses to /etc/fstab, shows and downloads it as debugfs reads it", async () => {
    await page.click("#build");
    await page.waitForSelector("#see-map g.region", { timeout: 120_000 });
    const disk = (await downloadBytes(page, () => page.click('#downloads button[data-file="disk.img"]'))).bytes;
    const diskFile = join(dir, "disk.img");
    writeFileSync(diskFile, disk);
    const sf = JSON.parse(execFileSync("sfdisk", ["--json", diskFile], { encoding: "utf8" })).partitiontable
      .partitions[0];
    const m = diskMap(disk);
    const fat = m.fat!;

    // The whole disk: MBR, gap, partition where sfdisk says.
    await page.click('#see-map-tabs button[data-tab="disk"]');
    expect(await attr('#see-map g.row1 g.region[data-kind="partition"]', "data-start")).toBe(sf.start * 512);
    expect(await attr('#see-map g.row1 g.region[data-kind="partition"]', "data-end")).toBe((sf.start + sf.size) * 512);
    expect(await attr('#see-map g.row1 g.region[data-kind="mbr"]', "data-end")).toBe(512);
    // Every box is drawn at least 4 px wide, the 512-byte MBR included.
    const widths = await page.$$eval("#see-map g.region rect", (rs) => rs.map((r) => Number(r.getAttribute("width"))));
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(3);
    await page.hover('#see-map g.row1 g.region[data-kind="mbr"]');
    expect(await page.textContent("#see-map .map-info")).toMatch(/^MBR .*bytes 0–511 .*sectors 0–0.*3\.6/);
    await mapShot("disk");

    // Zoomed into the partition (keyboard: focus and Enter): its FATs as maps.ts and the BPB have them.
    await page.focus('#see-map g.row1 g.region[data-kind="partition"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('#see-map g.row1 g.region[data-name="FAT 1"]');
    for (const i of [1, 2]) {
      const s = await attr(`#see-map g.row1 g.region[data-name="FAT ${i}"]`, "data-start"),
        e = await attr(`#see-map g.row1 g.region[data-name="FAT ${i}"]`, "data-end");
      expect(e - s).toBe(fat.volume.fatSectors * 512);
      expect(s).toBe(fat.regions.find((r) => r.name === `FAT ${i}`)!.start);
    }
    await page.click("#see-map .map-out");
    expect(await page.locator('#see-map g.row1 g.region[data-kind="mbr"]').count()).toBe(1);

    // LINUXDSK.IMG from the file browser to its clusters on the map: exactly its runs, marked.
    await page.click('#see-file-tabs button[data-tab="partition"]');
    await page.click('#see-files button[aria-label="Open directory LINUX"]');
    await page.click('#see-files button[aria-label="Show LINUXDSK.IMG"]');
    await page.click("#see-files .files-onmap");
    const runs = await page.$$eval("#see-map g.region[data-mark]", (gs) =>
      gs.map((g) => [Number(g.getAttribute("data-start")), Number(g.getAttribute("data-end"))]),
    );
    const want = fat.regions
      .find((r) => r.kind === "data")!
      .children!.filter((r) => r.path === "LINUX\\LINUXDSK.IMG")
      .map((r) => [r.start, r.end]);
    expect(want.length).toBeGreaterThan(0);
    expect(runs).toEqual(want);
    await mapShot("linuxdsk-clusters");

    for (const id of ["floppy", "root", "initrd"]) {
      await page.click(`#see-map-tabs button[data-tab="${id}"]`);
      await page.waitForSelector(`#see-map .map[data-map="${id}"] g.region`);
      await mapShot(id);
    }
    // The root image's map: its groups as dumpe2fs would count them.
    await page.click('#see-map-tabs button[data-tab="root"]');
    const groups = await page.locator('#see-map g.row1 g.region[data-kind="group"]').count();
    const rootFile = join(dir, "linuxdsk.img");
    execFileSync("mcopy", ["-n", "-i", `${diskFile}@@${sf.start * 512}`, "::/LINUX/LINUXDSK.IMG", rootFile]);
    const dump = execFileSync("dumpe2fs", ["-h", rootFile], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const blocks = Number(/Block count:\s+(\d+)/.exec(dump)![1]),
      bpg = Number(/Blocks per group:\s+(\d+)/.exec(dump)![1]),
      first = Number(/First block:\s+(\d+)/.exec(dump)![1]);
    expect(groups).toBe(Math.ceil((blocks - first) / bpg));

    // The root image's files: /etc/fstab shown and downloaded, /bin/busybox downloaded, as debugfs has them.
    await page.click('#see-file-tabs button[data-tab="root"]');
    await page.click('#see-files button[aria-label="Open directory etc"]');
    await page.click('#see-files button[aria-label="Show fstab"]');
    const fstab = execFileSync("debugfs", ["-R", "cat /etc/fstab", rootFile], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(await page.textContent("#see-files pre.files-text")).toBe(fstab);
    const dl = await downloadBytes(page, () => page.click("#see-files .files-download"));
    expect(dl.name).toBe("fstab");
    expect(Buffer.from(dl.bytes).toString("utf8")).toBe(fstab);
    await page.click('#see-files button:has-text("↑ ..")');
    await page.click('#see-files button[aria-label="Open directory bin"]');
    await page.click('#see-files button[aria-label="Show busybox"]');
    const busybox = {
      size: Number((await page.textContent("#see-files .files-view p"))!.replace(/,/g, "").match(/^(\d+) bytes/)![1]),
    };
    const bb = await downloadBytes(page, () => page.click("#see-files .files-download"));
    execFileSync("debugfs", ["-R", `dump /bin/busybox ${join(dir, "busybox")}`, rootFile], { stdio: "ignore" });
    expect(Buffer.compare(Buffer.from(bb.bytes), readFileSync(join(dir, "busybox")))).toBe(0);
    // busybox on the root image's map: the marked blocks are the ones debugfs lists for it.
    await page.click("#see-files .files-onmap");
    expect(await page.getAttribute('#see-map-tabs button[data-tab="root"]', "aria-pressed")).toBe("true");
    const marked = await page.$$eval("#see-map g.region[data-mark]", (gs) =>
      gs.map((g) => [Number(g.getAttribute("data-start")), Number(g.getAttribute("data-end"))]),
    );
    const mine = marked.flatMap(([s, e]) =>
      Array.from({ length: Math.ceil(e / 1024) - Math.floor(s / 1024) }, (_, i) => Math.floor(s / 1024) + i),
    );
    // debugfs stat's BLOCKS: "(0-11):289-300, (IND):301, (12-267):302-557, ..."; the (IND)-style ones are indirect blocks, not the file's data.
    const stat = execFileSync("debugfs", ["-R", "stat /bin/busybox", rootFile], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const listed = [...stat.matchAll(/\((\d+)(?:-\d+)?\):(\d+)(?:-(\d+))?/g)].flatMap((m) =>
      Array.from({ length: Number(m[3] ?? m[2]) - Number(m[2]) + 1 }, (_, i) => Number(m[2]) + i),
    );
    expect(listed.length).toBe(Math.ceil(busybox.size / 1024));
    expect(mine).toEqual(listed);
    await mapShot("busybox-blocks");
    await shot(page, "see-files-root");
  }, 300_000);

  it.skipIf(!realImagesPresent())(
    "after the guest writes files, Compare lists them as added on C: and in the root image",
    async () => {
      await page.waitForFunction(
        () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
        undefined,
        { timeout: 240_000, polling: 250 },
      );
      expect(await page.evaluate(() => document.body.dataset.phase)).toBe("verified");
      // Synced twice: the loop root's blocks reach LINUXDSK.IMG's page cache first, then the disk.
      await page.fill(
        "#serial-in",
        "echo seen-by-the-page > /root/seen.txt; echo dos > /DOS/SEEN.TXT; sync; sleep 1; sync; echo wr$((1+1))ote",
      );
      await page.press("#serial-in", "Enter");
      await page.waitForFunction(
        () => /\nwr2ote/.test(document.querySelector("#serial-out")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      await page.click("#see-compare");
      await page.waitForFunction(
        () => /^(Read in|Could not)/.test(document.querySelector("#see-status")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      const said = `${await page.textContent("#see-status")}\n${await page.textContent("#see-diff")}\n${await page.textContent("#see-problems")}`;
      console.log(`see: ${said}`);
      expect(await page.locator('#see-diff li[data-change="added"][data-path="/root/seen.txt"]').count(), said).toBe(1);
      expect(await page.locator('#see-diff li[data-change="added"][data-path="SEEN.TXT"]').count()).toBe(1);
      // The guest's file is browsable in the changed root image, marked as added.
      await page.click('#see-file-tabs button[data-tab="root"]');
      await page.click('#see-files button[aria-label="Open directory root"]');
      expect(await page.getAttribute('#see-files tr[data-path="/root/seen.txt"]', "data-change")).toBe("added");
      await page.click('#see-files button[aria-label="Show seen.txt"]');
      expect(await page.textContent("#see-files pre.files-text")).toBe("seen-by-the-page\n");
      await page.locator("#see-diff").scrollIntoViewIfNeeded();
      await shot(page, "see-diff");
    },
    400_000,
  );

  it("opened images are mapped and browsable too", async () => {
    const floppy = await downloadBytes(page, () => page.click('#downloads button[data-file="floppy.img"]'));
    const disk = await downloadBytes(page, () => page.click('#downloads button[data-file="disk.img"]'));
    await page.click("#open-images summary");
    await page.setInputFiles("#open-floppy", {
      name: "floppy.img",
      mimeType: "application/octet-stream",
      buffer: Buffer.from(floppy.bytes),
    });
    await page.setInputFiles("#open-disk", {
      name: "disk.img",
      mimeType: "application/octet-stream",
      buffer: Buffer.from(disk.bytes),
    });
    await page.click("#open-boot");
    await page.waitForFunction(
      () => /opened images/.test(document.querySelector("#see-what")!.textContent ?? ""),
      undefined,
      { timeout: 60_000 },
    );
    await page.click('#see-file-tabs button[data-tab="floppy"]');
    await page.click('#see-files button[aria-label="Show AUTOEXEC.BAT"]');
    expect(await page.textContent("#see-files pre.files-text")).toMatch(/loadlin/i);
    await page.click("#stop");
  }, 120_000);

  it("at 390 px the card fits the screen, and the map and the files stay inside it", async () => {
    const p = await (await app.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    try {
      await p.goto(app.url);
      await p.waitForSelector("#choices");
      await p.click("#build");
      await p.waitForSelector("#see-map g.region", { timeout: 120_000 });
      await p.click("#stop");
      await p.locator("#see-card").scrollIntoViewIfNeeded();
      const r = await p.evaluate(() => {
        const box = (s: string) => document.querySelector(s)!.getBoundingClientRect();
        return {
          card: box("#see-card"),
          svg: box("#see-map svg"),
          files: box("#see-files"),
          page: document.documentElement.scrollWidth,
        };
      });
      const wide = await p.evaluate(() =>
        Array.from(document.querySelectorAll("#see-card *"))
          .filter((e) => e.getBoundingClientRect().right > 390.5)
          .slice(0, 8)
          .map(
            (e) =>
              `${e.tagName}.${e.getAttribute("class") ?? ""}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`,
          ),
      );
      expect(r.page, wide.join("; ")).toBeLessThanOrEqual(390);
      expect(r.card.right).toBeLessThanOrEqual(390);
      expect(r.svg.right).toBeLessThanOrEqual(r.card.right);
      expect(r.files.right).toBeLessThanOrEqual(r.card.right);
      await p.locator("#see-map").screenshot({ path: join(SHOTS, "see-map-disk-390.png") });
    } finally {
      await p.context().close();
    }
  }, 180_000);

  it.skipIf(!realImagesPresent())(
    "a disk shut down and kept in the browser is compared with its build, after a reload too",
    async () => {
      await page.click("#build");
      await page.waitForFunction(
        () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
        undefined,
        { timeout: 240_000, polling: 250 },
      );
      await page.fill("#serial-in", "echo kept > /root/kept.txt; sync; echo wr$((2+3))ote");
      await page.press("#serial-in", "Enter");
      await page.waitForFunction(
        () => /\nwr5ote/.test(document.querySelector("#serial-out")!.textContent ?? ""),
        undefined,
        { timeout: 60_000 },
      );
      await downloadBytes(page, () => page.click("#shutdown-save"));
      await page.waitForFunction(
        () => /kept in this browser/.test(document.querySelector("#keep-status")!.textContent ?? ""),
        undefined,
        { timeout: 120_000 },
      );
      // The machine is off: Compare reads the disk the guest left.
      await page.click("#see-compare");
      await page.waitForSelector('#see-diff li[data-change="added"][data-path="/root/kept.txt"]', { timeout: 60_000 });
      await page.reload();
      await page.waitForSelector("#resume:not([hidden])", { timeout: 30_000 });
      await page.click("#resume-boot");
      await page.waitForSelector("#see-load:not([hidden])", { timeout: 60_000 });
      await page.click("#see-load");
      await page.waitForSelector('#see-diff li[data-change="added"][data-path="/root/kept.txt"]', { timeout: 60_000 });
      expect(await page.textContent("#see-what")).toContain("kept disk");
      expect(await page.textContent("#see-diff")).toContain("against the built images");
      await page.click("#stop");
    },
    500_000,
  );
});
