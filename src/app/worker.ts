/// <reference lib="webworker" />
// The build runs here, off the page's thread: fetch the ingredients once, run buildImages with a
// progress message per step, then hand the images over (transferred, not copied) with listings.

import { buildImages } from "../build.ts";
import { errorToJSON } from "../errors.ts";
import { readFat } from "../fs/fat.ts";
import { diskLayout } from "../howto/dosdir.ts";
import type { Ingredients } from "../ingredients.ts";
import { loadIngredients, httpFetcher, dosFromFloppy } from "./ingredients.ts";
import { treeRows, fatListing, type BuildRequest, type WorkerMessage, type BuildOutput } from "./protocol.ts";

declare const self: DedicatedWorkerGlobalScope;

let cached: Ingredients | undefined;

const post = (m: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(m, transfer);

self.onmessage = async (ev: MessageEvent<BuildRequest>) => {
  const req = ev.data;
  if (req.type !== "build") return;
  const { id, config } = req;
  const t0 = performance.now();
  let stage = "fetch";
  try {
    if (!cached) {
      const f0 = performance.now();
      cached = await loadIngredients(httpFetcher(req.base));
      const c = cached;
      const bytes = c.kernel.length + c.busyboxInitrd.length + c.busyboxRoot.length + c.loadlin.length + c.dos.bootSector.length + c.dos.files.reduce((n, f) => n + f.data.length, 0);
      post({ type: "fetched", id, ms: performance.now() - f0, bytes, detail: `kernel ${c.kernel.length.toLocaleString("en-US")} bytes, 2 busybox builds, LOADLIN, ${c.dos.name}` });
    } else {
      post({ type: "fetched", id, ms: 0, bytes: 0, detail: "already loaded" });
    }
    stage = "dos";
    const ingredients: Ingredients = req.dosFloppy ? { ...cached, dos: dosFromFloppy(req.dosFloppy) } : cached;
    stage = "build";
    const r = buildImages({ config, ingredients, rootArchive: req.rootArchive }, (step) => post({ type: "step", id, step }));
    stage = "listing";
    const layout = diskLayout(config);
    const output: BuildOutput = {
      floppy: r.floppy,
      disk: r.disk,
      files: r.files,
      texts: r.texts,
      steps: r.steps,
      floppyFreeBytes: r.floppyFreeBytes,
      dosName: ingredients.dos.name,
      listings: {
        floppy: fatListing(`A: the ${config.floppy.kind} boot floppy`, readFat(r.floppy)),
        partition: fatListing(`C: the FAT16 partition at sector ${layout.partitionStart} of the hard disk`, readFat(r.disk, layout.partitionStart * 512)),
        initrd: treeRows(r.initrdTree),
        root: treeRows(r.rootTree),
      },
      totalMs: performance.now() - t0,
    };
    // Transfer each output buffer once; never one the ingredient cache still holds.
    const keep = new Set<ArrayBufferLike>([cached.kernel, cached.busyboxInitrd, cached.busyboxRoot, cached.loadlin, cached.dos.bootSector, ...cached.dos.files.map((f) => f.data)].map((a) => a.buffer));
    const transfer = new Set<ArrayBuffer>();
    for (const f of output.files) {
      if (keep.has(f.data.buffer)) f.data = f.data.slice();
      transfer.add(f.data.buffer as ArrayBuffer);
    }
    for (const k of ["floppy", "disk"] as const) {
      if (keep.has(output[k].buffer)) output[k] = output[k].slice();
      transfer.add(output[k].buffer as ArrayBuffer);
    }
    post({ type: "done", id, output }, [...transfer]);
  } catch (e) {
    // The error crosses as JSON (code, field, limit, problems; a bug keeps its stack) and comes back as a LooprootError.
    post({ type: "error", id, stage, error: errorToJSON(e) });
  }
};
