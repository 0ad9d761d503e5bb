// The boot chain drawn in the page (src/app/diagram.ts): the boxes light in chain order while the
// default images boot, the card keeps its size the whole time, LOADLIN's details name the files it
// read from A: with the byte counts of the floppy the page built (read back by the FAT reader), the
// DOS box names the floppy's own system files, the boxes work from the keyboard, and a disk Linux
// cannot mount (opened with "Open images…") turns /linuxrc red with the guest's lines. Screenshots
// of the diagram go to test-results/screenshots/, and to docs/ with LOOPROOT_UPDATE_SCREENSHOT=1.
// Needs the real guest images.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useApp, downloadBytes, realImagesPresent, REPO, SHOTS, type AppSession } from "./setup.ts";
import { readFat, ATTR_SYSTEM } from "../../src/fs/fat/index.ts";
import { CHAIN } from "../../emulator/chain.ts";

const REAL = realImagesPresent();
const BOOT_MS = 200_000;
let app: AppSession;
let page: Page;
let out: string;

useApp((a, scratch) => {
  app = a;
  page = a.page;
  out = scratch;
}, "lr-chain-");

const states = () =>
  page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>("#chain .cbox")).map((b) => [b.dataset.id!, b.dataset.state!]),
    ),
  );
const cardBox = () =>
  page.locator("#chain-card").evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { w: Math.round(r.width), h: Math.round(r.height) };
  });

/** The diagram alone, into test-results and, when asked, into docs/. */
async function chainShot(name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.locator("#chain-card").screenshot({ path });
  if (process.env.LOOPROOT_UPDATE_SCREENSHOT === "1") copyFileSync(path, join(REPO, "docs", `${name}.png`));
}

async function waitPhase(want: string[]): Promise<string> {
  await page.waitForFunction((w) => w.includes(document.body.dataset.phase ?? ""), want, {
    timeout: BOOT_MS,
    polling: 200,
  });
  return page.evaluate(() => document.body.dataset.phase ?? "");
}

describe.skipIf(!REAL)("the boot chain, drawn", () => {
  it(
    "lights in chain order while the default images boot, without changing size; LOADLIN and the DOS show what they read from the floppy",
    async () => {
      // Every box's change of state, in the order the page makes them.
      await page.evaluate(() => {
        const seen: [string, string][] = [];
        const last = new Map<string, string>();
        (window as unknown as { chainLog: [string, string][] }).chainLog = seen;
        new MutationObserver((ms) => {
          for (const m of ms) {
            const b = m.target as HTMLElement;
            if (!b.classList.contains("cbox") || last.get(b.dataset.id!) === b.dataset.state) continue;
            last.set(b.dataset.id!, b.dataset.state!);
            seen.push([b.dataset.id!, b.dataset.state!]);
          }
        }).observe(document.querySelector("#chain")!, {
          subtree: true,
          attributes: true,
          attributeFilter: ["data-state"],
        });
      });
      const before = await cardBox();
      expect(Object.values(await states()).every((s) => s === "pending")).toBe(true);
      await page.click("#build");
      const sizes = new Set<string>();
      // Mid-boot: the kernel proven, a later step running.
      await page.waitForFunction(
        () => document.querySelector('#chain .cbox[data-id="kernel"]')?.getAttribute("data-state") === "reached",
        undefined,
        { timeout: BOOT_MS, polling: 100 },
      );
      // Read at once: on an idle machine the boot reaches its end seconds after the kernel's line.
      const mid = await states();
      sizes.add(JSON.stringify(await cardBox()));
      await page.locator("#chain-card").scrollIntoViewIfNeeded();
      // A click selects a box while the boot runs: the kernel's own line, with its time.
      await page.click('#chain .cbox[data-id="kernel"]');
      expect(await page.textContent("#chain-detail ol.clines")).toMatch(/\d+\.\d sLinux version 6\./);
      await chainShot("chain-mid-boot");
      expect(mid.bios).toBe("reached");
      expect(mid.ready).toBe("pending");
      while (!["verified", "failed", "error"].includes(await page.evaluate(() => document.body.dataset.phase ?? ""))) {
        sizes.add(JSON.stringify(await cardBox()));
        await page.waitForTimeout(250);
      }
      expect(await page.evaluate(() => document.body.dataset.phase), (await page.textContent("#verdict")) ?? "").toBe(
        "verified",
      );
      sizes.add(JSON.stringify(await cardBox()));
      expect([...sizes]).toEqual([JSON.stringify(before)]);

      // Every box proven, and each became "reached" in chain order.
      const end = await states();
      expect(CHAIN.filter((b) => end[b.id] !== "reached").map((b) => b.id)).toEqual([]);
      const log = await page.evaluate(() => (window as unknown as { chainLog: [string, string][] }).chainLog);
      expect(log.filter(([, s]) => s === "reached").map(([id]) => id)).toEqual(CHAIN.map((b) => b.id));
      expect(log.some(([, s]) => s === "active")).toBe(true);
      expect(await page.textContent("#chain-status")).toBe(`All ${CHAIN.length} steps proven.`);

      // The floppy the page built, read back.
      const fl = await downloadBytes(page, () => page.click('#downloads button[data-file="floppy.img"]'));
      const vol = readFat(fl.bytes);
      const size = (name: string) => vol.entries.find((e) => e.path === name)!.size;

      // LOADLIN, from the keyboard: focus the box, press Enter.
      await page.focus('#chain .cbox[data-id="loadlin"]');
      await page.keyboard.press("Enter");
      expect(await page.getAttribute('#chain .cbox[data-id="loadlin"]', "aria-pressed")).toBe("true");
      const reads = await page.$$eval("#chain-detail ul.creads li", (lis) =>
        lis.map((li) => ({
          where: li.querySelector(".cwhere")?.textContent ?? "",
          bytes: li.querySelector(".cbytes")?.textContent ?? "",
        })),
      );
      const b = (n: number) => `${n.toLocaleString("en-US")} bytes`;
      expect(reads).toEqual([
        { where: "A:\\LOADLIN.EXE", bytes: b(size("LOADLIN.EXE")) },
        { where: "A:\\ZIMAGE", bytes: b(size("ZIMAGE")) },
        { where: "A:\\INITRDGZ.IMG", bytes: b(size("INITRDGZ.IMG")) },
        { where: "", bytes: b(size("ZIMAGE") + size("INITRDGZ.IMG")) },
      ]);
      const lines = await page.$$eval("#chain-detail ol.clines li", (lis) => lis.map((li) => li.textContent ?? ""));
      expect(lines.some((l) => /^\d+\.\d s.*LOADLIN v1\.6f/.test(l))).toBe(true);
      await chainShot("chain-verified");

      // The DOS box, with Space: the system files are the floppy's own System files.
      await page.focus('#chain .cbox[data-id="dos"]');
      await page.keyboard.press(" ");
      const dos = await page.$$eval("#chain-detail ul.creads li .cwhere", (els) => els.map((e) => e.textContent));
      const system = vol.entries
        .filter((e) => e.attributes & ATTR_SYSTEM && !e.path.includes("\\"))
        .map((e) => `A:\\${e.path}`);
      expect(system.length).toBeGreaterThan(0);
      expect(dos).toEqual(system);
      expect(await page.getAttribute('#chain .cbox[data-id="loadlin"]', "aria-pressed")).toBe("false");
      // Enter again on the same box closes its details.
      await page.keyboard.press("Enter");
      expect(await page.getAttribute('#chain .cbox[data-id="dos"]', "aria-pressed")).toBe("false");
      expect(await page.textContent("#chain-detail")).toMatch(/^Select a step/);

      // The same floppy with a disk whose FAT partition has a media byte Linux refuses (0xF1; the
      // page's reader accepts it): /linuxrc's mount fails, and its box says so with the guest's lines.
      const disk = await downloadBytes(page, () => page.click('#downloads button[data-file="disk.img"]'));
      const start = new DataView(disk.bytes.buffer, disk.bytes.byteOffset + 446 + 8, 4).getUint32(0, true) * 512;
      disk.bytes[start + 21] = 0xf1;
      const file = (name: string, bytes: Uint8Array) => {
        const dir = join(out, "pick-" + Math.random().toString(36).slice(2));
        mkdirSync(dir);
        writeFileSync(join(dir, name), bytes);
        return join(dir, name);
      };
      await page.click("#open-images summary");
      await page.setInputFiles("#open-floppy", file("floppy.img", fl.bytes));
      await page.setInputFiles("#open-disk", file("bad-media.img", disk.bytes));
      await page.click("#open-boot");
      await page.waitForFunction(() => document.body.dataset.phase === "booting", undefined, {
        timeout: 60_000,
        polling: 100,
      });
      const p = await waitPhase(["verified", "failed", "error"]);
      expect(p, (await page.textContent("#verdict")) ?? "").toBe("failed");
      const failed = await states();
      expect(CHAIN.filter((x) => failed[x.id] === "failed").map((x) => x.id)).toEqual(["linuxrc"]);
      expect(CHAIN.filter((x) => failed[x.id] === "reached").map((x) => x.id)).toEqual([
        "bios",
        "boot-sector",
        "dos",
        "command",
        "autoexec",
        "loadlin",
        "kernel",
        "initrd",
      ]);
      // The failed box is selected by itself, and shows the failure's line, its time, the device and both backing files.
      expect(await page.getAttribute('#chain .cbox[data-id="linuxrc"]', "aria-pressed")).toBe("true");
      expect(await page.getAttribute('#chain .cbox[data-id="linuxrc"]', "aria-label")).toMatch(
        /^\/linuxrc: failed at \d+\.\d s: /,
      );
      const failure = await page.$$eval('#chain-detail ol.clines li[data-role="failure"]', (lis) =>
        lis.map((li) => li.textContent ?? ""),
      );
      expect(failure).toHaveLength(1);
      expect(failure[0]).toMatch(/^\d+\.\d s(FAT-fs \(sda1\): invalid media value \(0xf1\)|INITRD: Mount failed)/);
      const detail = (await page.textContent("#chain-detail")) ?? "";
      expect(detail).toContain("INITRD: Trying to mount /dev/sda1 as msdos");
      expect(detail).toContain("/dev/sda1");
      expect(detail).toContain("C:\\LINUX\\LINUXDSK.IMG (/mnt/linux/linuxdsk.img)");
      expect(detail).toContain("C:\\LINUX\\LINUXSWP.IMG (/mnt/linux/linuxswp.img)");
      expect(await page.textContent("#chain-status")).toMatch(/^Failed at “\/linuxrc”: /);
      expect(await cardBox()).toEqual(before);
      await page.locator("#chain-card").scrollIntoViewIfNeeded();
      await chainShot("chain-failed");
      if (await page.isEnabled("#stop")) await page.click("#stop");
    },
    2 * BOOT_MS + 120_000,
  );

  it("at 390 px the chain stacks in one column inside its card, and its boxes are focusable buttons with names", async () => {
    const ctx = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await ctx.newPage();
    try {
      await p.goto(app.url);
      await p.waitForSelector("#chain");
      const r = await p.$$eval("#chain .cbox", (bs) =>
        bs.map((b) => {
          const x = b.getBoundingClientRect();
          return {
            id: (b as HTMLElement).dataset.id,
            left: x.left,
            right: x.right,
            top: x.top,
            name: b.getAttribute("aria-label"),
            tag: b.tagName,
          };
        }),
      );
      const card = await p.locator("#chain-card").evaluate((e) => {
        const x = e.getBoundingClientRect();
        return { left: x.left, right: x.right };
      });
      for (const b of r) {
        expect(b.left, b.id).toBeGreaterThanOrEqual(card.left);
        expect(b.right, b.id).toBeLessThanOrEqual(card.right);
        expect(b.tag).toBe("BUTTON");
        expect(b.name).toMatch(/: not yet$/);
      }
      // One column: each step below the one before (the two loop devices share a row).
      const tops = r.map((b) => Math.round(b.top));
      for (let i = 1; i < tops.length; i++)
        if (!(r[i].id === "loop1")) expect(tops[i], r[i].id).toBeGreaterThan(tops[i - 1]);
      expect(tops[r.findIndex((b) => b.id === "loop1")]).toBe(tops[r.findIndex((b) => b.id === "loop0")]);
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      await p.click('#chain .cbox[data-id="linuxrc"]');
      expect(await p.getAttribute('#chain .cbox[data-id="linuxrc"]', "aria-pressed")).toBe("true");
      await p.locator("#chain-card").screenshot({ path: join(SHOTS, "chain-390.png") });
    } finally {
      await ctx.close();
    }
  });
});
