// looproot reads v86's internals (not its documented API) in emulator/machine.ts and
// emulator/v86-browser.ts, so v86 is pinned to one exact version. This test fails loudly when the
// pin is loosened, when the installed v86 is not the pinned one, or when one of the internals the
// code reaches for is gone or changed its type, naming which.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { V86 } from "v86";
import { loadBios, wasmPath } from "../../emulator/node.ts";
import { makeFatFloppy, makeFatDisk } from "../../src/fs/index.ts";

const ROOT = join(import.meta.dirname, "../..");
const json = (p: string) => JSON.parse(readFileSync(join(ROOT, p), "utf8"));

describe("v86, whose internals looproot reads", () => {
  it("is pinned to one exact version, which is the one installed", () => {
    const pinned = json("package.json").dependencies.v86 as string;
    expect(pinned, "package.json: v86 must be an exact version, not a range").toMatch(/^\d+\.\d+\.\d+$/);
    const lock = json("package-lock.json");
    expect(lock.packages[""].dependencies.v86, "package-lock.json's root entry").toBe(pinned);
    expect(lock.packages["node_modules/v86"].version, "package-lock.json").toBe(pinned);
    // The npm package says "0.5.462+g5f9a90f": the version and the commit it was built from.
    expect(json("node_modules/v86/package.json").version.split("+")[0], "node_modules/v86").toBe(pinned);
  });

  it("still has every internal the harness uses, with the type it expects", async () => {
    const { bios, vgaBios } = loadBios();
    const emulator = new V86({
      memory_size: 16 << 20,
      vga_memory_size: 2 << 20,
      bios: { buffer: bios.slice().buffer },
      vga_bios: { buffer: vgaBios.slice().buffer },
      fda: { buffer: makeFatFloppy({ files: [] }).buffer },
      hda: { buffer: makeFatDisk({ sizeBytes: 2 << 20, files: [] }).buffer },
      wasm_path: wasmPath(),
      autostart: true,
    } as unknown as ConstructorParameters<typeof V86>[0]);
    try {
      await new Promise<void>((resolve) => emulator.add_listener("emulator-ready", () => resolve()));
      const e = emulator as unknown as Record<string, any>;
      const seen = {
        "v86.do_tick (machine.ts: crashes caught)": typeof e.v86?.do_tick,
        "v86.running": typeof e.v86?.running,
        "v86.stopping": typeof e.v86?.stopping,
        "v86.bus.send": typeof e.v86?.bus?.send,
        "v86.yield (v86-browser.ts: fastYield)": typeof e.v86?.yield,
        "v86.yield_callback": typeof e.v86?.yield_callback,
        "v86.cpu.wm.exports.set_jit_config (jitConfig)": typeof e.v86?.cpu?.wm?.exports?.set_jit_config,
        "v86.cpu.devices.ide.primary.master.buffer.buffer (diskImage)": Object.prototype.toString.call(
          e.v86?.cpu?.devices?.ide?.primary?.master?.buffer?.buffer,
        ),
        "v86.cpu.devices.ide.primary.master.buffer.set (diskWrites)":
          typeof e.v86?.cpu?.devices?.ide?.primary?.master?.buffer?.set,
        "get_instruction_counter (ranMs)": typeof e.get_instruction_counter,
        "screen_adapter.get_text_screen (screenText)": typeof e.screen_adapter?.get_text_screen,
      };
      expect(seen).toEqual({
        "v86.do_tick (machine.ts: crashes caught)": "function",
        "v86.running": "boolean",
        "v86.stopping": "boolean",
        "v86.bus.send": "function",
        "v86.yield (v86-browser.ts: fastYield)": "function",
        "v86.yield_callback": "function",
        "v86.cpu.wm.exports.set_jit_config (jitConfig)": "function",
        "v86.cpu.devices.ide.primary.master.buffer.buffer (diskImage)": "[object ArrayBuffer]",
        "v86.cpu.devices.ide.primary.master.buffer.set (diskWrites)": "function",
        "get_instruction_counter (ranMs)": "function",
        "screen_adapter.get_text_screen (screenText)": "function",
      });
    } finally {
      await emulator.destroy();
    }
  }, 60_000);
});
