// Opening images without their build: src/howto/fromimages.ts reads the settings from a built floppy
// and disk, and refuses a floppy that is no boot floppy or a disk whose FAT is damaged, naming which.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { readImages } from "../../src/howto/fromimages.ts";
import { LooprootError } from "../../src/errors.ts";

let out: string;
let floppy: Uint8Array, disk: Uint8Array;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "lr-fromimages-"));
  const code = await main(
    ["build", "--out", out, "--set", "swap.sizeMiB=16", "--set", "dos.directory=LR", "--set", "boot.paramsFile=true"],
    { out: () => {}, err: () => {} },
  );
  expect(code).toBe(0);
  floppy = new Uint8Array(readFileSync(join(out, "floppy.img")));
  disk = new Uint8Array(readFileSync(join(out, "disk.img")));
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const names = { floppy: "f.img", disk: "d.img" };
function refusal(f: Uint8Array, d: Uint8Array): LooprootError {
  try {
    readImages(f, d, names);
  } catch (e) {
    expect(e).toBeInstanceOf(LooprootError);
    return e as LooprootError;
  }
  throw new Error("accepted");
}

describe("reading a build back from its images", () => {
  it("finds the loop files, the root device and the swap size the build used", () => {
    const r = readImages(floppy, disk, names);
    expect(r.rootFile).toBe("C:\\LR\\LINUXDSK.IMG");
    expect(r.swapFile).toBe("C:\\LR\\LINUXSWP.IMG");
    expect(r.config.swap.sizeMiB).toBe(16);
    expect(r.config.boot.root).toBe("/dev/loop0");
    expect(r.config.boot.paramsFile).toBe(true);
    expect(r.loadlinLine).toMatch(/loadlin @/i);
  });

  it("refuses a floppy without a boot signature, or one whose LOADLIN line names a missing kernel", () => {
    const noSig = floppy.slice();
    noSig[510] = 0;
    const e = refusal(noSig, disk);
    expect(e.message).toBe("f.img: not a boot floppy: its first sector has no boot signature (55 AA)");
    expect(e.field).toBe("floppy");
    // A plain DOS data floppy: a FAT but no AUTOEXEC.BAT.
    const blank = floppy.slice();
    const rootDir = (1 + 2 * 9) * 512;
    blank.fill(0, rootDir, rootDir + 224 * 32);
    expect(refusal(blank, disk).message).toMatch(/^f\.img: not a looproot boot floppy: it has no AUTOEXEC\.BAT/);
  });

  it("refuses a disk without an MBR, with a foreign partition type, or with a damaged FAT", () => {
    const noMbr = disk.slice();
    noMbr[511] = 0;
    expect(refusal(floppy, noMbr).message).toBe("d.img: MBR: signature: sector 0 does not end in 55 AA");
    const linux = disk.slice();
    linux[446 + 4] = 0x83;
    expect(refusal(floppy, linux).message).toMatch(/^d\.img: the first partition is of type 0x83, not a FAT partition/);
    const start = new DataView(disk.buffer, disk.byteOffset + 446 + 8, 4).getUint32(0, true) * 512;
    const badBpb = disk.slice();
    badBpb[start + 11] = 0; // bytes per sector 0
    badBpb[start + 12] = 0;
    const e = refusal(floppy, badBpb);
    expect(e.message).toMatch(/^d\.img: the FAT partition cannot be read: /);
    expect(e.field).toBe("disk");
    // The FAT itself overwritten: the root file's chain leads nowhere.
    const badFat = disk.slice();
    const rsvd = new DataView(disk.buffer, disk.byteOffset + start + 14, 2).getUint16(0, true);
    const fatSz = new DataView(disk.buffer, disk.byteOffset + start + 22, 2).getUint16(0, true);
    badFat.fill(0xf7, start + rsvd * 512 + 4, start + (rsvd + 2 * fatSz) * 512);
    expect(refusal(floppy, badFat).message).toMatch(
      /^d\.img: the FAT partition cannot be read: .*cluster \d+ is outside/,
    );
  });
});
