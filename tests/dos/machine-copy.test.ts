// startMachine's copy option: by default v86 works on copies of the images (the caller may boot
// them again); with copy: false on the caller's own buffers, so a big disk is in memory once.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { startMachine } from "../../emulator/machine.ts";
import { makeFloppy, crlf, BIOS, VGABIOS, WASM } from "./helpers.ts";

const bios = () => ({ bios: new Uint8Array(readFileSync(BIOS)), vgaBios: new Uint8Array(readFileSync(VGABIOS)) });

describe("startMachine's copy option", () => {
  const fda = () => makeFloppy([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo READY"]) }]);
  const hda = () => {
    const d = new Uint8Array(4 << 20);
    d[510] = 0x55;
    d[511] = 0xaa;
    return d;
  };

  for (const copy of [undefined, false] as const) {
    it(`copy: ${copy}: the disk v86 holds is ${copy === false ? "the caller's buffer" : "a copy"}`, async () => {
      const disk = hda();
      const m = await startMachine({
        fda: fda(),
        hda: disk,
        memoryMB: 16,
        ...bios(),
        wasmPath: WASM,
        ...(copy === undefined ? {} : { copy }),
      });
      try {
        await m.waitForSerial("READY", 60_000);
        const live = m.diskImage!()!;
        expect(live.length).toBe(disk.length);
        expect(live.buffer === disk.buffer).toBe(copy === false);
      } finally {
        await m.stop();
      }
    }, 90_000);
  }

  it("copy: false still copies an image that is only part of its buffer (v86 takes whole buffers)", async () => {
    const big = new Uint8Array((4 << 20) + 512);
    big.set(hda(), 512);
    const disk = big.subarray(512);
    const m = await startMachine({ fda: fda(), hda: disk, memoryMB: 16, ...bios(), wasmPath: WASM, copy: false });
    try {
      const live = m.diskImage!()!;
      expect(live.buffer).not.toBe(big.buffer);
      expect(live.length).toBe(disk.length);
      expect(live[510]).toBe(0x55);
    } finally {
      await m.stop();
    }
  }, 90_000);
});
