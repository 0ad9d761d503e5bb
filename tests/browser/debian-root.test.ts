// Issues 10 and 24, in the page: the Debian 12 i386 minbase with systemd (Debian's default) that
// tests/boot/debian-inits.test.ts boots on the CLI (the same tarball, tests/helpers/debian-root.ts,
// made once per run) is chosen as the root tarball, built in the page's worker, booted in v86 in
// the page with the "Network" choice to a verified verdict with the report's checks shown, and on
// to the getty's login prompt on the serial console; root logs in there and the guest's own wget
// fetches a file from the page's own server (v86's fetch backend: http://PORT.external/), compared
// with the file's bytes by sha256. Runs when LOOPROOT_DEBIAN_ROOT=1 or CI=true, as the CLI test does.
import { describe, it, expect, afterAll } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { openApp, realImagesPresent, shot, memoryPeaks, type AppSession } from "./setup.ts";
import { debianRootEnabled, debianRootTarball, DEBIAN_SETS } from "../helpers/debian-root.ts";

const input = (path: string) => `#in-${path.replace(/[^A-Za-z0-9]/g, "-")}`;
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(0);

describe.skipIf(!debianRootEnabled || !realImagesPresent())("the Debian 12 root through the page", () => {
  let app: AppSession | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it(
    "uploads, builds in the page, boots in v86 to a verified verdict with the checks shown, a login prompt, and fetches from the page's origin",
    { timeout: 2_400_000 },
    async () => {
      const t = performance.now();
      const made = debianRootTarball("systemd");
      console.log(`debian root: ${secs(t)} s (${made.said})`);
      app = await openApp();
      const { page } = app;
      const mem = await memoryPeaks(app);
      try {
        // The sizes the CLI tests use.
        for (const set of DEBIAN_SETS) {
          const [key, value] = set.split("=");
          await page.fill(input(key), value);
        }
        await page.check("#net");
        await page.selectOption(input("root.source"), "tar");
        await page.setInputFiles("#root-archive", made.path);
        await page.waitForFunction(
          () => /: .* entries/.test(document.querySelector("#root-archive-status")!.textContent ?? ""),
          undefined,
          { timeout: 300_000, polling: 500 },
        );
        const read = (await page.textContent("#root-archive-status"))!;
        await mem.mark("upload read");
        const t0 = performance.now();
        await page.click("#build");
        await page.waitForFunction(
          () => ["booting", "verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: 300_000, polling: 500 },
        );
        const built = secs(t0);
        await mem.mark("built");
        expect(await page.textContent("#build-error")).toBe("");
        await page.waitForFunction(
          () => ["verified", "failed", "error"].includes(document.body.dataset.phase ?? ""),
          undefined,
          { timeout: 1_200_000, polling: 1000 },
        );
        const phase = await page.evaluate(() => document.body.dataset.phase);
        const verdictAt = secs(t0);
        await mem.mark("verdict");
        const verdict = (await page.textContent("#verdict"))!;
        const serial = async () => (await page.textContent("#serial-out")) ?? "";
        expect(phase, `${verdict}\n${(await serial()).slice(-2000)}`).toBe("verified");
        // The report's checks, as the page shows them: every one passed, the root on the loop device.
        expect(await page.isVisible("#checks")).toBe(true);
        const rows = await page.$$eval("#checks tbody tr", (trs) =>
          trs.map((tr) => ({
            ok: tr.getAttribute("data-ok"),
            cells: Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? ""),
          })),
        );
        console.log(
          `debian root in the page: ${read}; built in ${built} s, "${verdict}" ${verdictAt} s after the click; checks:\n${rows.map((r) => `  ${r.cells.join(" | ")}`).join("\n")}`,
        );
        expect(rows.length).toBeGreaterThanOrEqual(4);
        expect(
          rows.filter((r) => r.ok !== "true"),
          JSON.stringify(rows),
        ).toEqual([]);
        expect(rows.some((r) => r.cells.some((c) => c.includes("7:0")))).toBe(true);
        await shot(page, "debian-root-verified");
        // systemd goes on to its getty after the report.
        const tail = async () => (await serial()).slice(-400);
        await page.waitForFunction(
          () => /debian-systemd login:/.test(document.querySelector("#serial-out")!.textContent ?? ""),
          undefined,
          { timeout: 900_000, polling: 1000 },
        );
        console.log(`debian root in the page: login prompt ${secs(t0)} s after the click; ${mem.report()}`);
        const typeLine = async (line: string) => {
          await page.fill("#serial-in", line);
          await page.press("#serial-in", "Enter");
        };
        await typeLine("root");
        await page.waitForFunction(
          () => /root@debian-systemd:[^\n]*#/.test(document.querySelector("#serial-out")!.textContent ?? ""),
          undefined,
          { timeout: 120_000, polling: 1000 },
        );
        // A file the page's server (Vite, on 127.0.0.1) serves as it is on disk.
        const file = "images/debian/LOADLIN.EXE";
        const want = createHash("sha256").update(readFileSync(file)).digest("hex");
        const port = new URL(app.url).port;
        await typeLine(
          `dmesg -n 1; for i in $(seq 120); do ip -4 -o addr show eth0 | grep -q inet && break; sleep 1; done; wget -q -O /tmp/f http://${port}.external/${file} && echo "su""m=$(sha256sum < /tmp/f | cut -c1-64)"`,
        );
        await page.waitForFunction(
          () => /sum=[0-9a-f]{64}|wget: /.test(document.querySelector("#serial-out")!.textContent ?? ""),
          undefined,
          { timeout: 600_000, polling: 1000 },
        );
        const got = /sum=([0-9a-f]{64})/.exec(await serial())?.[1];
        console.log(
          `debian root in the page: wget of the page's ${file} ${secs(t0)} s after the click: ${got === want ? "same bytes" : "DIFFERENT"}`,
        );
        expect(got, await tail()).toBe(want);
      } finally {
        mem.stop();
      }
    },
  );
});
