// One serial rate for the whole chain: LRDOS programs COM1 from CONFIG.SYS's SERIAL=<rate> (115200
// without one), as the kernel's console=ttyS0,<rate> does. Read back from v86's 8250: the divisor
// latch LRDOS wrote (115200 / rate).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { startMachine } from "../../emulator/machine.ts";
import { makeFloppy, crlf, BIOS, VGABIOS, WASM } from "./helpers.ts";

/** Boots LRDOS with `config` as CONFIG.SYS (none if undefined) to its AUTOEXEC line; the UART's divisor and what came over COM1. */
async function divisorAfterBoot(config: string | undefined): Promise<{ divisor: number; serial: string }> {
  const files = [
    { name: "AUTOEXEC.BAT", data: crlf(["echo RATE-SET"]) },
    ...(config === undefined ? [] : [{ name: "CONFIG.SYS", data: crlf([config]) }]),
  ];
  const m = await startMachine({
    fda: makeFloppy(files),
    memoryMB: 32,
    bios: readFileSync(BIOS),
    vgaBios: readFileSync(VGABIOS),
    wasmPath: WASM,
  });
  try {
    // The screen always has it; COM1 only while the copy is on.
    const until = Date.now() + 30_000;
    while (!m.screenRows().join("\n").includes("RATE-SET") && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(m.screenRows().join("\n")).toContain("RATE-SET");
    const uart = (m.emulator as unknown as { v86: { cpu: { devices: { uart0: { baud_rate: number } } } } }).v86.cpu
      .devices.uart0;
    return { divisor: uart.baud_rate, serial: m.serialText() };
  } finally {
    await m.stop();
  }
}

describe("LRDOS's COM1 rate", () => {
  it("is 115200 without CONFIG.SYS, and the rate SERIAL= names otherwise", async () => {
    expect((await divisorAfterBoot(undefined)).divisor).toBe(1);
    for (const [rate, divisor] of [
      [9600, 12],
      [38400, 3],
      [57600, 2],
      [115200, 1],
    ]) {
      const r = await divisorAfterBoot(`SERIAL=${rate}`);
      expect(r.divisor, String(rate)).toBe(divisor);
      expect(r.serial).toContain("RATE-SET");
    }
  }, 180_000);

  it("ignores a rate the 8250 cannot make, and SERIAL=OFF still stops the copy", async () => {
    expect((await divisorAfterBoot("SERIAL=14000")).divisor).toBe(1);
    expect((await divisorAfterBoot("serial=0")).divisor).toBe(1);
    const off = await divisorAfterBoot("SERIAL=OFF");
    expect(off.serial).not.toContain("RATE-SET");
  }, 120_000);
});
