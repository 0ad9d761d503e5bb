// Shared by the full-chain boot tests: build from a config, boot in an engine, return the verdict.
import { defaultConfig, mergeConfig, type LooprootConfig } from "../../src/config.ts";
import { buildImages, type BuildResult } from "../../src/build.ts";
import { loadIngredients, loadBios } from "../../src/node/ingredients.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { bootAndVerify, type BootResult, type BootOptions } from "../../emulator/harness.ts";
import type { Engine } from "../../emulator/engine.ts";

export const config = (p: unknown = {}): LooprootConfig => mergeConfig(defaultConfig(), p);

export function build(c: LooprootConfig, rootArchive?: Uint8Array): BuildResult {
  return buildImages({ config: c, ingredients: loadIngredients(), rootArchive });
}

export async function boot(
  engineName: "v86" | "qemu",
  c: LooprootConfig,
  floppy: Uint8Array,
  disk: Uint8Array,
  opts: BootOptions = {},
): Promise<{ result: BootResult; engine: Engine }> {
  const engine = await startEngine(engineName, { floppy, disk, memoryMiB: c.machine.memoryMiB, ...loadBios() });
  const result = await bootAndVerify(engine, c, { timeoutS: engineName === "v86" ? 240 : 90, ...opts });
  return { result, engine };
}

/** The timeline as text, for the test log and for failure messages. */
export const timeline = (r: BootResult) =>
  r.milestones.map((m) => `${(m.atMs / 1000).toFixed(2)} s ${m.title}`).join("\n") +
  `\n${r.summary}\n--- last lines ---\n` +
  r.lines
    .slice(-25)
    .map((l) => l.text)
    .join("\n");
