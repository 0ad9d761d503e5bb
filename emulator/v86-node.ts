// v86 as a boot engine in Node: the shared machine.ts wrapper with v86.wasm from node_modules.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Engine, MachineImages } from "./engine.ts";
import { startMachine } from "./machine.ts";

export function v86WasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("v86/package.json")), "build", "v86.wasm");
}

export async function startV86Node(images: MachineImages): Promise<Engine> {
  return startMachine({
    fda: images.floppy,
    hda: images.disk,
    memoryMB: images.memoryMiB,
    bios: images.bios,
    vgaBios: images.vgaBios,
    wasmPath: v86WasmPath(),
    boot: "floppy",
  });
}
