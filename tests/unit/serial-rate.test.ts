// One serial rate for the whole chain: the kernel's console=ttyS0,<rate> in boot.extraArgs, and
// LRDOS's COM1 set to the same rate through CONFIG.SYS when it is not LRDOS's own 115200.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { serialBaud, lrdosConfigSys, autoexecBat, LRDOS_BAUD } from "../../src/howto/bootfloppy.ts";
import { buildImages } from "../../src/build.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { validateConfig } from "../../src/validate.ts";

const cfg = (extraArgs: string) => mergeConfig(defaultConfig(), { boot: { extraArgs } });

/** The floppy's root directory and CONFIG.SYS as mtools reads them. */
function onFloppy(floppy: Uint8Array): { names: string; configSys?: string } {
  const dir = mkdtempSync(join(tmpdir(), "verdict-rate-"));
  try {
    const img = join(dir, "f.img");
    writeFileSync(img, floppy);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: "1" };
    const names = execFileSync("mdir", ["-b", "-i", img, "::"], { encoding: "latin1", env });
    const configSys = names.includes("CONFIG.SYS")
      ? execFileSync("mtype", ["-i", img, "::CONFIG.SYS"], { encoding: "latin1", env })
      : undefined;
    return { names, configSys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the serial console's rate", () => {
  it("is 115200 by default, written on the LOADLIN line, and LRDOS needs no CONFIG.SYS for it", () => {
    const c = defaultConfig();
    expect(serialBaud(c)).toBe(LRDOS_BAUD);
    expect(autoexecBat(c)).toContain(" console=ttyS0,115200\r\n");
    const f = onFloppy(buildImages({ config: c, ingredients: loadIngredients() }).floppy);
    expect(f.configSys).toBeUndefined();
  });

  it("another rate goes into LRDOS's CONFIG.SYS; a bare console=ttyS0 is the kernel's 9600", () => {
    expect(serialBaud(cfg("console=ttyS0,38400n8"))).toBe(38400);
    expect(serialBaud(cfg("console=ttyS0"))).toBe(9600);
    expect(serialBaud(cfg("console=ttyS0,9600 console=tty0 console=ttyS0,57600"))).toBe(57600);
    expect(serialBaud(cfg("console=tty0"))).toBeUndefined();
    expect(lrdosConfigSys(cfg("console=tty0"))).toBeUndefined();
    for (const [args, want] of [
      ["console=tty0 console=ttyS0", "SERIAL=9600\r\n"],
      ["console=ttyS0,19200", "SERIAL=19200\r\n"],
    ] as const) {
      const f = onFloppy(buildImages({ config: cfg(args), ingredients: loadIngredients() }).floppy);
      expect(f.configSys, args).toBe(want);
    }
  });

  it("a rate the 8250 cannot make is refused, naming the field and the rates", () => {
    for (const bad of ["console=ttyS0,14400", "console=ttyS0,fast", "console=ttyS0,230400"]) {
      const p = validateConfig(cfg(bad)).find((x) => x.field === "boot.extraArgs");
      expect(p?.message, bad).toMatch(
        /console=ttyS0's rate must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200/,
      );
    }
    expect(validateConfig(cfg("console=tty0 console=ttyS0,9600")).filter((x) => x.field === "boot.extraArgs")).toEqual(
      [],
    );
  });
});
