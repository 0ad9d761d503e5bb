// MachineOptions.jitConfig (bench --v86-jit) must reach v86's JIT before its first tick: a
// measurement of a setting v86 did not take would be a measurement of its defaults.
import { describe, it, expect } from "vitest";
import { loadBios } from "../../src/node/ingredients.ts";
import { startV86Node } from "../../emulator/v86-node.ts";
import type { Machine } from "../../emulator/machine.ts";

/** A 1.44 MB floppy whose boot sector prints "ok" on COM1 and halts. */
function okFloppy(): Uint8Array {
  const img = new Uint8Array(1_474_560);
  // mov dx,0x3f8; mov al,'o'; out dx,al; mov al,'k'; out dx,al; cli; hlt
  img.set([0xba, 0xf8, 0x03, 0xb0, 0x6f, 0xee, 0xb0, 0x6b, 0xee, 0xfa, 0xf4], 0);
  img[510] = 0x55;
  img[511] = 0xaa;
  return img;
}

const jit = (m: Machine) =>
  (m.emulator as unknown as { v86: { cpu: { wm: { exports: { get_jit_config: (i: number) => number } } } } }).v86.cpu.wm
    .exports.get_jit_config;

describe("v86 JIT settings", () => {
  it("jitConfig is applied when the machine starts and the guest runs with it", async () => {
    const images = { floppy: okFloppy(), memoryMiB: 16, ...loadBios() };
    const plain = (await startV86Node(images)) as Machine;
    const defaults = [1, 2, 3].map((i) => jit(plain)(i));
    await plain.stop();
    // Setting 2 (loop safety) is a flag; 1 and 3 are counts.
    const changed: [number, number][] = [
      [1, defaults[0] + 7],
      [2, defaults[1] ? 0 : 1],
      [3, defaults[2] + 7],
    ];
    const m = (await startV86Node(images, { jitConfig: changed })) as Machine;
    try {
      expect([1, 2, 3].map((i) => jit(m)(i))).toEqual(changed.map(([, v]) => v));
      await m.waitForSerial("ok", 30_000);
    } finally {
      await m.stop();
    }
  }, 60_000);
});
