// The checks that refuse at input what the built machine can never boot (issue 9, item 12): each
// one against what the build really produces (sfdisk on the built disk, /linuxrc's own losetup
// lines, a real build of each floppy kind with the real kernel).

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../../src/config.ts";
import {
  validateConfig,
  guestFacts,
  floppyKindsForKernel,
  kernelCommandLine,
  KERNEL_CMDLINE_MAX,
  DOS_DEVICE,
  LOOP_ROOT,
} from "../../src/validate.ts";
import { linuxrcScript } from "../../src/howto/initrd.ts";
import { buildImages } from "../../src/build.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { LooprootError } from "../../src/errors.ts";
import { ConfigError } from "../../src/validate.ts";

const cfg = (p: unknown = {}): LooprootConfig => mergeConfig(defaultConfig(), p);
const problemsAt = (c: LooprootConfig, field: string) => validateConfig(c).filter((p) => p.field === field);
const ingredients = loadIngredients();
const facts = guestFacts(ingredients);

/** The fields a thrown build error names, whichever error class carries them. */
function thrownFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof LooprootError) return e.problems.map((p) => p.field);
    throw e;
  }
  return [];
}

describe("the DOS device is the built disk's one partition", () => {
  it("sfdisk finds exactly one partition on the built disk, and only its name is accepted", () => {
    const r = buildImages({ config: cfg(), ingredients });
    const dir = mkdtempSync(join(tmpdir(), "looproot-checks-"));
    try {
      writeFileSync(join(dir, "disk.img"), r.disk);
      const table = JSON.parse(execFileSync("sfdisk", ["--json", join(dir, "disk.img")], { encoding: "utf8" }));
      expect(table.partitiontable.partitions).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(DOS_DEVICE).toBe("/dev/sda1");
    expect(problemsAt(cfg(), "dos.device")).toEqual([]);
    for (const dev of ["/dev/sda2", "/dev/sda3", "/dev/sdb1", "/dev/sdp15"]) {
      const p = problemsAt(cfg({ dos: { device: dev } }), "dos.device");
      expect(p, dev).toHaveLength(1);
      expect(p[0].message).toContain(`${dev} does not exist`);
    }
    // Malformed names keep their one, older explanation.
    expect(problemsAt(cfg({ dos: { device: "/dev/hda1" } }), "dos.device")).toHaveLength(1);
    expect(problemsAt(cfg({ dos: { device: "/dev/sda" } }), "dos.device")).toHaveLength(1);
  });
});

describe("root= is the loop device /linuxrc attaches the root image to", () => {
  it("/linuxrc attaches the root image to /dev/loop0 only; every other root= is refused", () => {
    const rc = linuxrcScript(cfg());
    expect(rc).toMatch(new RegExp(`losetup ${LOOP_ROOT} /mnt/linux/linuxdsk\\.img`));
    expect(rc).toMatch(/losetup \/dev\/loop1 \/mnt\/linux\/linuxswp\.img/);
    expect(problemsAt(cfg(), "boot.root")).toEqual([]);
    expect(problemsAt(cfg({ boot: { root: "/dev/loop1" } }), "boot.root")[0].message).toMatch(
      /loop1 is the swap image/,
    );
    expect(problemsAt(cfg({ boot: { root: "/dev/loop2" } }), "boot.root")[0].message).toMatch(
      /sets up only \/dev\/loop0/,
    );
    expect(problemsAt(cfg({ boot: { root: "/dev/sda1" } }), "boot.root")).toHaveLength(1);
    // Not a device at all: one problem, the older one.
    expect(problemsAt(cfg({ boot: { root: "loop0" } }), "boot.root")).toHaveLength(1);
  });
  it("a root= or initrd= in the extra arguments would override the fields, and names them", () => {
    const p = problemsAt(cfg({ boot: { extraArgs: "console=ttyS0 root=/dev/sda1" } }), "boot.extraArgs");
    expect(p).toHaveLength(1);
    expect(p[0].fields).toEqual(["boot.root"]);
    expect(problemsAt(cfg({ boot: { extraArgs: "rw" } }), "boot.extraArgs")[0].fields).toEqual(["boot.readOnly"]);
    expect(problemsAt(cfg({ boot: { extraArgs: "ro" } }), "boot.extraArgs")).toEqual([]);
  });
});

describe("the kernel command line fits i386's COMMAND_LINE_SIZE", () => {
  it("counts what LOADLIN passes (BOOT_IMAGE= first) and refuses one byte over 2,047", () => {
    expect(kernelCommandLine(cfg())).toBe(
      "BOOT_IMAGE=zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0,115200",
    );
    const base = kernelCommandLine(cfg({ boot: { extraArgs: "", paramsFile: true } })).length;
    // Words of 70 characters keep under LOADLIN's 79-character option limit in a params file.
    const args = (n: number) => {
      const words: string[] = [];
      let len = 0;
      while (len < n) {
        const w = "x".repeat(Math.min(70, n - len - (words.length ? 1 : 0)));
        words.push(w);
        len += w.length + (words.length > 1 ? 1 : 0);
      }
      return words.join(" ");
    };
    const fit = args(KERNEL_CMDLINE_MAX - base - 1);
    const ok = cfg({ boot: { extraArgs: fit, paramsFile: true } });
    expect(kernelCommandLine(ok).length).toBe(KERNEL_CMDLINE_MAX);
    expect(problemsAt(ok, "boot.extraArgs")).toEqual([]);
    const over = cfg({ boot: { extraArgs: fit + "y", paramsFile: true } });
    expect(kernelCommandLine(over).length).toBe(KERNEL_CMDLINE_MAX + 1);
    expect(problemsAt(over, "boot.extraArgs")[0].message).toMatch(/keeps at most 2,047/);
  });
});

describe("floppy kinds that can never hold the kernel", () => {
  it("agree with a real build of each kind with the real kernel", () => {
    const kinds = floppyKindsForKernel(cfg(), facts);
    expect(kinds.map((k) => k.kind)).toEqual(["360K", "720K", "1.2M", "1.44M", "2.88M"]);
    for (const k of kinds) {
      const c = cfg({ floppy: { kind: k.kind } });
      const atInput = validateConfig(c, facts).filter((p) => p.field === "floppy.kind");
      const atBuild = thrownFields(() => buildImages({ config: c, ingredients }));
      if (!k.fits) {
        expect(atInput, k.kind).toHaveLength(1);
        expect(atInput[0].message).toMatch(/pick a larger floppy/);
        expect(atBuild, k.kind).toContain("floppy.kind");
      } else {
        expect(atInput, k.kind).toEqual([]);
      }
      // A real build that succeeds means the kind could hold the kernel.
      if (atBuild.length === 0) expect(k.fits, k.kind).toBe(true);
    }
    // The default floppy holds it; the 360K one never can (983 KB kernel).
    expect(kinds.find((k) => k.kind === "1.44M")!.fits).toBe(true);
    expect(kinds.find((k) => k.kind === "360K")!.fits).toBe(false);
  });
});

describe("cross-field problems name every field involved", () => {
  it("root + swap over the disk names the disk, the root and the swap", () => {
    const p = validateConfig(cfg({ root: { sizeMiB: 2000 } })).find((x) => x.field === "disk.sizeMiB")!;
    expect(p.fields).toEqual(["root.sizeMiB", "swap.sizeMiB"]);
    expect(
      validateConfig(cfg({ root: { dosLink: true, initrdDir: false } })).find((x) => x.field === "root.dosLink")!
        .fields,
    ).toEqual(["root.initrdDir"]);
  });
});
