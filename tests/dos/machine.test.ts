// emulator/machine.ts on its own: a floppy boot with keyboard input, and a direct Linux boot
// (bzimage + cmdline, no DOS) when a kernel is available.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { startMachine } from "../../emulator/machine.ts";
import { makeFloppy, crlf, kernelImage, BIOS, VGABIOS, WASM } from "./helpers.ts";

const bios = () => ({ bios: new Uint8Array(readFileSync(BIOS)), vgaBios: new Uint8Array(readFileSync(VGABIOS)) });

describe("emulator/machine.ts", () => {
  it("boots a floppy, shows the screen, takes keyboard input and stops", async () => {
    const fda = makeFloppy([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo READY"]) }]);
    const m = await startMachine({ fda, memoryMB: 16, ...bios(), wasmPath: WASM });
    const chunks: string[] = [];
    m.onSerial((t) => chunks.push(t));
    try {
      await m.waitForSerial(/READY[\s\S]*A:\\>/, 30_000);
      m.sendKeys("echo T01 from the keyboard\n");
      await m.waitForSerial(/T01 from the keyboard\r?\n/, 30_000);
      expect(chunks.join("")).toBe(m.serialText());
      expect(m.screenRows().join("\n")).toMatch(/T01 from the keyboard/);
      await expect(m.waitForSerial("never printed", 300)).rejects.toThrow(/not seen within 300 ms/);
    } finally {
      await m.stop();
      await m.stop(); // twice is fine
    }
  });

  const k = kernelImage();
  it.skipIf(!k)(
    `boots Linux directly from bzimage and cmdline${k ? "" : " (skipped: no images/kernel/bzImage or LRDOS_TEST_BZIMAGE)"}`,
    async () => {
      const m = await startMachine({
        bzimage: k!.data,
        cmdline: "console=ttyS0",
        memoryMB: 96,
        ...bios(),
        wasmPath: WASM,
      });
      try {
        await m.waitForSerial(/Linux version \d/, 90_000);
      } finally {
        await m.stop();
      }
    },
  );
});
