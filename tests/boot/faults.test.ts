// Each fault ends in its own named failure at the right stage, never in a hang.
import { describe, it, expect } from "vitest";
import { makeHardDisk } from "../../src/howto/dosdir.ts";
import { floppyFiles, floppyFatOptions } from "../../src/howto/bootfloppy.ts";
import { makeFat } from "../../src/fs/fat/index.ts";
import { makeInitrd, initrdTree } from "../../src/howto/initrd.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { config, build, boot, timeline } from "./chain.ts";

const c = config();
const good = build(c);

async function expectFailure(floppy: Uint8Array, disk: Uint8Array, stage: string, title: RegExp) {
  const t0 = Date.now();
  const { result } = await boot("qemu", c, floppy, disk);
  expect(result.ok).toBe(false);
  expect(result.failure, timeline(result)).toBeDefined();
  expect(result.failure!.stage, timeline(result)).toBe(stage);
  expect(result.failure!.title, timeline(result)).toMatch(title);
  expect(Date.now() - t0).toBeLessThan(90_000);
  return result;
}

describe("faults are named with their stage", () => {
  it("a corrupted root image: the kernel cannot mount root", async () => {
    const root = good.root.slice();
    root.fill(0, 1024, 2048); // the superblock, s_magic included
    const r = await expectFailure(
      good.floppy,
      makeHardDisk(c, root, good.swap),
      "root-mounted",
      /could not mount the root filesystem|kernel panic/,
    );
    expect(r.milestones.map((m) => m.id)).toContain("loop-setup");
  }, 120_000);

  it("a missing LINUXSWP.IMG: /linuxrc's losetup fails", async () => {
    const other = build(config({ dos: { swapFile: "OTHERSWP.IMG" } }));
    const r = await expectFailure(good.floppy, other.disk, "loop-setup", /could not set up a loop device/);
    expect(r.failure!.evidence).toContain("/mnt/linux/linuxswp.img");
  }, 120_000);

  it("a wrong DOS device in /linuxrc: Mount failed", async () => {
    // Validation now refuses a device the built disk lacks, so the initrd is made by hand (as a
    // floppy made elsewhere could be), from the same pure steps the build uses.
    const ing = loadIngredients();
    const cw = config({ dos: { device: "/dev/sdb1" } });
    const initrd = makeInitrd(cw, initrdTree(cw, ing));
    const floppy = makeFat(
      floppyFatOptions(c, ing.dos),
      floppyFiles(c, { kernel: ing.kernel, initrdGz: initrd.gz, loadlin: ing.loadlin, dos: ing.dos }),
    );
    const r = await expectFailure(floppy, good.disk, "linuxrc-mount", /could not mount the DOS partition/);
    expect(r.lines.some((l) => l.text.includes("INITRD: Trying to mount /dev/sdb1 as msdos"))).toBe(true);
  }, 120_000);

  it("a partition of the wrong type (05h, extended): sda1 is only the container", async () => {
    // Linux ignores most type bytes (a FAT volume in an 83h partition still mounts); an extended
    // partition's entry is a 1 KiB stub: the FAT boot sector is there, its directory is not.
    const disk = good.disk.slice();
    disk[446 + 4] = 0x05; // the entry's system ID
    await expectFailure(good.floppy, disk, "linuxrc-mount", /DOS partition is not a readable FAT filesystem/);
  }, 120_000);

  it("a kernel command line without root=: the kernel cannot mount a root", async () => {
    const ing = loadIngredients();
    const parts = { kernel: ing.kernel, initrdGz: good.initrdGz, loadlin: ing.loadlin, dos: ing.dos };
    const files = floppyFiles(c, parts).map((f) =>
      f.path === "AUTOEXEC.BAT"
        ? {
            ...f,
            data: new TextEncoder().encode(
              "\\loadlin \\zImage initrd=\\initrdgz.img ro console=tty0 console=ttyS0\r\n",
            ),
          }
        : f,
    );
    const floppy = makeFat(floppyFatOptions(c, ing.dos), files);
    await expectFailure(floppy, good.disk, "root-mounted", /could not mount the root filesystem|kernel panic/);
  }, 120_000);

  it("a LOADLIN that cannot find its kernel: LOADLIN's own message", async () => {
    const ing = loadIngredients();
    const parts = { kernel: ing.kernel, initrdGz: good.initrdGz, loadlin: ing.loadlin, dos: ing.dos };
    const files = floppyFiles(c, parts).filter((f) => f.path !== "ZIMAGE");
    const floppy = makeFat(floppyFatOptions(c, ing.dos), files);
    await expectFailure(floppy, good.disk, "kernel", /LOADLIN failed/);
  }, 120_000);

  it("an option of 80 characters in LOADLIN's params file: LOADLIN's own message at once, 79 boots", async () => {
    // The validator refuses such a config (LOADLIN_PARAM_MAX); the floppy is made by hand, as elsewhere.
    const cp = config({ boot: { paramsFile: true } });
    const ing = loadIngredients();
    const im = build(cp);
    const floppyWith = (option: string) => {
      const parts = { kernel: ing.kernel, initrdGz: im.initrdGz, loadlin: ing.loadlin, dos: ing.dos };
      const files = floppyFiles(cp, parts).map((f) =>
        f.path === "LOADLIN.PAR"
          ? { ...f, data: new TextEncoder().encode(new TextDecoder().decode(f.data) + option + "\r\n") }
          : f,
      );
      return makeFat(floppyFatOptions(cp, ing.dos), files);
    };
    const long = "looproot.x=" + "a".repeat(80 - 11);
    expect(long.length).toBe(80);
    const t0 = Date.now();
    const { result } = await boot("qemu", cp, floppyWith(long), im.disk);
    expect(result.failure, timeline(result)).toMatchObject({ stage: "kernel", title: "LOADLIN failed" });
    expect(result.failure!.evidence).toContain("can't open image file for initrd");
    expect(Date.now() - t0).toBeLessThan(30_000);
    const ok = await boot("qemu", cp, floppyWith(long.slice(1)), im.disk);
    expect(ok.result.ok, timeline(ok.result)).toBe(true);
  }, 120_000);
});
