// The build's outputs replace an earlier set as a set. Every file is written into DIR/.partial
// first; then the old set's manifest goes, the new files are moved into place, files of the old
// set that the new one does not have are removed, and the new manifest (looproot-set.json: names,
// sizes, sha256 and the config) is written last. A folder without the manifest, or whose files do
// not match it, holds an incomplete set: a kill between two renames is visible, never silent.

import { writeFileSync, mkdirSync, renameSync, rmSync, readFileSync, existsSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { LooprootConfig } from "../config.ts";
import { ALL_OUTPUT_NAMES, type OutputFile } from "../build.ts";
import { outputWriteError } from "./files.ts";

export const SET_MANIFEST = "looproot-set.json";
export const PARTIAL_DIR = ".partial";

export interface SetManifest {
  format: 1;
  tool: "looproot";
  files: { name: string; bytes: number; sha256: string }[];
  config: LooprootConfig;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Test hook: called before each step that changes the folder, so a test can stop the run there (a kill). */
export type StepHook = (step: string) => void;

export function writeOutputSet(
  out: string,
  files: OutputFile[],
  config: LooprootConfig,
  hook: StepHook = () => {},
): SetManifest {
  const partial = join(out, PARTIAL_DIR);
  const manifest: SetManifest = {
    format: 1,
    tool: "looproot",
    files: files.map((f) => ({ name: f.name, bytes: f.data.length, sha256: sha256(f.data) })),
    config,
  };
  try {
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    for (const f of files) writeFileSync(join(partial, f.name), f.data);
    writeFileSync(join(partial, SET_MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    const old = readManifest(out);
    // From here until the new manifest is in place the folder says "incomplete".
    hook("remove old manifest");
    rmSync(join(out, SET_MANIFEST), { force: true });
    for (const f of files) {
      hook(`rename ${f.name}`);
      renameSync(join(partial, f.name), join(out, f.name));
    }
    const keep = new Set(files.map((f) => f.name));
    // A set without a manifest (an older looproot) is cleared by every name a build can write.
    for (const name of new Set([...(old?.files.map((f) => f.name) ?? []), ...ALL_OUTPUT_NAMES])) {
      // Only plain names of our own sets: a manifest is data from disk and must not name paths.
      if (keep.has(name) || name.includes("/") || name.includes("\\") || name.startsWith(".")) continue;
      hook(`remove stale ${name}`);
      rmSync(join(out, name), { force: true });
    }
    hook("write manifest");
    renameSync(join(partial, SET_MANIFEST), join(out, SET_MANIFEST));
    rmSync(partial, { recursive: true, force: true });
  } catch (e) {
    // A failed write (the disk full above all) takes its partial files with it: left behind they
    // would keep the disk full. The folder still says "incomplete" by its missing manifest.
    try {
      rmSync(partial, { recursive: true, force: true });
    } catch {
      // the first error is the one to report
    }
    throw outputWriteError(out, e);
  }
  return manifest;
}

function readManifest(out: string): SetManifest | undefined {
  const p = join(out, SET_MANIFEST);
  if (!existsSync(p)) return undefined;
  try {
    const m = JSON.parse(readFileSync(p, "utf8")) as SetManifest;
    return m && Array.isArray(m.files) && m.files.every((f) => typeof f?.name === "string") ? m : undefined;
  } catch {
    return undefined; // a damaged manifest marks an incomplete set; its files are cleared by name below
  }
}

/** Is DIR a complete set? Every file the manifest names is there with its size and sha256. */
export function checkOutputSet(out: string): { complete: boolean; why: string } {
  const m = readManifest(out);
  if (!m)
    return {
      complete: false,
      why: `${SET_MANIFEST} is missing or damaged: the set is incomplete (a build was interrupted?)`,
    };
  for (const f of m.files) {
    const p = join(out, f.name);
    if (!existsSync(p)) return { complete: false, why: `${f.name} is missing` };
    if (statSync(p).size !== f.bytes)
      return { complete: false, why: `${f.name} is ${statSync(p).size} bytes, the manifest says ${f.bytes}` };
    if (sha256(new Uint8Array(readFileSync(p))) !== f.sha256)
      return { complete: false, why: `${f.name} differs from the manifest's sha256` };
  }
  return { complete: true, why: "" };
}
