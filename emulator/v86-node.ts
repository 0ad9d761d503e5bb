// v86 as a boot engine in Node: the shared machine.ts wrapper with v86.wasm from node_modules.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Engine, MachineImages } from "./engine.ts";
import { startMachine, type MachineOptions } from "./machine.ts";

/** What a caller may choose of a Node v86 machine; the rest comes from the images. */
export type V86NodeOptions = Pick<MachineOptions, "copy" | "jitConfig">;

export function v86WasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("v86/package.json")), "build", "v86.wasm");
}

/** `copy: false`: v86 works on the caller's floppy and disk buffers themselves (see MachineOptions.copy). */
export async function startV86Node(images: MachineImages, opts: V86NodeOptions = {}): Promise<Engine> {
  return startMachine({
    copy: opts.copy ?? true,
    fda: images.floppy,
    hda: images.disk,
    memoryMB: images.memoryMiB,
    bios: images.bios,
    vgaBios: images.vgaBios,
    // The bytes rather than the path: machine.ts then sees v86's panic message (see wasm_fn there).
    wasm: new Uint8Array(readFileSync(v86WasmPath())),
    boot: "floppy",
    jitConfig: opts.jitConfig,
    net: images.net,
  });
}
