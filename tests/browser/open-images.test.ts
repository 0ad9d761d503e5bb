// "Open images" in the page: a floppy.img and disk.img written by `looproot build` (with settings
// the page's defaults do not have) are checked in a worker, booted without a rebuild, and the boot
// is verified against what the images name; a damaged disk and a floppy that is no boot floppy are
// refused with their messages, and nothing boots. Needs the real guest images.

import { describe, it, expect } from "vitest";
import type { Page } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { shot, realImagesPresent, useApp } from "./setup.ts";
import { main } from "../../src/cli/main.ts";

const REAL = realImagesPresent();
const BOOT_MS = 200_000;
let page: Page;
let out: string;

useApp((a, scratch) => {
  page = a.page;
  out = scratch;
}, "lr-open-");

const phase = () => page.evaluate(() => document.body.dataset.phase ?? "");
// The images go to the page as files on disk (a path), not as buffers: a 48 MiB buffer crosses
// Playwright's protocol as base64 and can take longer than the action timeout on a busy machine.
async function openPair(
  floppy: { name: string; bytes: Uint8Array },
  disk: { name: string; bytes: Uint8Array },
): Promise<void> {
  const file = (f: { name: string; bytes: Uint8Array }) => {
    const dir = join(out, "pick-" + Math.random().toString(36).slice(2));
    mkdirSync(dir);
    writeFileSync(join(dir, f.name), f.bytes);
    return join(dir, f.name);
  };
  await page.setInputFiles("#open-floppy", file(floppy));
  await page.setInputFiles("#open-disk", file(disk));
  await page.click("#open-boot");
}
const statusMatches = (re: RegExp) =>
  page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector("#open-status")!.textContent ?? ""),
    re.source,
    { timeout: 60_000, polling: 100 },
  );

describe.skipIf(!REAL)("open images", () => {
  it(
    "boots a CLI build's images without rebuilding, verified against what they name; refuses a damaged disk and a non-boot floppy",
    async () => {
      const sets = ["swap.sizeMiB=16", "dos.directory=LR"];
      expect(
        await main(["build", "--out", out, ...sets.flatMap((s) => ["--set", s])], {
          out: () => {},
          err: (s) => console.error(s),
        }),
      ).toBe(0);
      const floppy = new Uint8Array(readFileSync(join(out, "floppy.img")));
      const disk = new Uint8Array(readFileSync(join(out, "disk.img")));
      await page.click("#open-images summary");

      // A FAT partition whose FAT is overwritten: refused, nothing boots.
      const start = new DataView(disk.buffer, disk.byteOffset + 446 + 8, 4).getUint32(0, true) * 512;
      const dv = new DataView(disk.buffer, disk.byteOffset + start);
      const rsvd = dv.getUint16(14, true),
        fatSz = dv.getUint16(22, true);
      const damaged = disk.slice();
      damaged.fill(0xf7, start + rsvd * 512 + 4, start + (rsvd + 2 * fatSz) * 512);
      await openPair({ name: "floppy.img", bytes: floppy }, { name: "damaged.img", bytes: damaged });
      await statusMatches(/^Not booted: damaged\.img: the FAT partition cannot be read: /);
      expect(await phase()).not.toBe("booting");
      expect(
        await page.evaluate(
          () => !!(window as unknown as { looproot: { state: { engine?: unknown } } }).looproot.state.engine,
        ),
      ).toBe(false);

      // A freshly formatted DOS floppy (mkfs.fat): a boot signature, but no LOADLIN boot on it.
      const plain = join(out, "plain.img");
      execFileSync("mkfs.fat", ["-C", plain, "1440"], { stdio: "pipe" });
      await openPair(
        { name: "plain.img", bytes: new Uint8Array(readFileSync(plain)) },
        { name: "disk.img", bytes: disk },
      );
      await statusMatches(/^Not booted: plain\.img: not a looproot boot floppy: it has no AUTOEXEC\.BAT/);
      await shot(page, "open-01-refused");
      expect(
        await page.evaluate(
          () => !!(window as unknown as { looproot: { state: { engine?: unknown } } }).looproot.state.engine,
        ),
      ).toBe(false);

      // A disk whose DOS partition is still marked in use (as a guest that never shut down leaves it): a warning.
      const dirty = disk.slice();
      dirty[start + 0x25] |= 1;
      await openPair({ name: "floppy.img", bytes: floppy }, { name: "dirty.img", bytes: dirty });
      await statusMatches(/Warning: dirty\.img was not shut down cleanly/);

      // The real pair: booted and verified against the swap size and the loop files read from the images.
      await openPair({ name: "floppy.img", bytes: floppy }, { name: "disk.img", bytes: disk });
      await statusMatches(/^Opened: root C:\\LR\\LINUXDSK\.IMG on \/dev\/loop0, swap C:\\LR\\LINUXSWP\.IMG/);
      await page.waitForFunction(
        () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
        undefined,
        { timeout: BOOT_MS, polling: 200 },
      );
      const checks = (await page.textContent("#checks")) ?? "";
      expect(await phase(), `${await page.textContent("#verdict")}\n${checks}`).toBe("verified");
      // The results pane says what booted instead of listing a build.
      expect(await page.textContent("#results")).toMatch(
        /^Booted the opened images \(root C:\\LR\\LINUXDSK\.IMG, swap C:\\LR\\LINUXSWP\.IMG\)/,
      );
      // 16 MiB of swap file, less its header page: what the images say, not the default 8 MiB.
      expect(checks).toContain("swap on /dev/loop1/dev/loop1, 16380 KiB/dev/loop1, 16380 KiB");
      expect(checks).toContain("loop0 backing file…/lr/linuxdsk.img/initrd/mnt/lr/linuxdsk.img");
      await shot(page, "open-02-booted");
    },
    BOOT_MS + 120_000,
  );
});
