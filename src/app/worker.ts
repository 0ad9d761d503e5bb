/// <reference lib="webworker" />
// The build runs here, off the page's thread: fetch the ingredients once, run buildImages with a
// progress message per step, then hand the images over (transferred, not copied) with listings.

import { buildImages, rootTreeFromArchive, parseRootArchive } from "../build.ts";
import { guestFacts, assertValid, validateConfig } from "../validate.ts";
import type { Tree } from "../fs/tree.ts";
import { errorToJSON } from "../errors.ts";
import { readFat } from "../fs/fat/index.ts";
import { diskLayout } from "../howto/dosdir.ts";
import { readImages } from "../howto/fromimages.ts";
import { chainFacts } from "../../emulator/chain.ts";
import type { Ingredients } from "../ingredients.ts";
import { loadIngredients, httpFetcher, dosFromFloppy } from "./ingredients.ts";
import { seeImages, type SeeReport } from "../fs/views/see.ts";
import { diffReports } from "../fs/views/seediff.ts";
import {
  treeRows,
  fatListing,
  type BuildRequest,
  type InspectRequest,
  type WorkerMessage,
  type BuildOutputWire,
} from "./protocol.ts";
import { pack, unpack } from "./pieces.ts";

declare const self: DedicatedWorkerGlobalScope;

let cached: Ingredients | undefined;
let loading: Promise<Ingredients> | undefined;

const post = (m: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(m, transfer);

/** The ingredients, fetched once for every build and inspection. */
async function ingredientsFrom(base: string): Promise<{ ing: Ingredients; fetchedMs: number }> {
  if (cached) return { ing: cached, fetchedMs: 0 };
  const f0 = performance.now();
  // One fetch for the facts request and a build that starts while it runs; a failed one is retried next time.
  loading ??= loadIngredients(httpFetcher(base)).finally(() => (loading = undefined));
  cached = await loading;
  return { ing: cached, fetchedMs: performance.now() - f0 };
}

/**
 * The See-inside report; a bug in it is reported in the report (as a bug) rather than failing the
 * build or the read it rides along with.
 */
function seeReport(images: { floppy?: Uint8Array; disk?: Uint8Array }): SeeReport {
  try {
    return seeImages(images);
  } catch (e) {
    return {
      maps: [],
      volumes: [],
      problems: [{ part: "See inside", message: `a bug in looproot: ${(e as Error).message}` }],
    };
  }
}

const initrdBuffer = (r: SeeReport | undefined) => (r?.initrd ? [r.initrd.buffer as ArrayBuffer] : []);

const bytesOf = async (b: Uint8Array | Blob | undefined) =>
  b instanceof Blob ? new Uint8Array(await b.arrayBuffer()) : b;

/** Uploads and sizes, off the page's thread. A failed read is reported with the error's JSON form. */
async function inspect(req: InspectRequest): Promise<void> {
  const { id } = req;
  try {
    if (req.type === "facts") {
      post({ type: "facts", id, facts: guestFacts((await ingredientsFrom(req.base)).ing) });
    } else if (req.type === "read-dos") {
      const dos = dosFromFloppy((await bytesOf(req.file))!);
      post({
        type: "dos-read",
        id,
        name: dos.name,
        files: dos.files.map((f) => ({ name: f.name, size: f.data.length })),
      });
    } else if (req.type === "read-images") {
      // Images a user opens: checked here (a damaged FAT can cost only this worker), then handed over.
      const floppy = (await bytesOf(req.floppy))!,
        disk = (await bytesOf(req.disk))!;
      const r = readImages(floppy, disk, req.names);
      const see = seeReport({ floppy, disk });
      const packed = pack(disk);
      post(
        {
          type: "images-read",
          id,
          floppy,
          disk: packed.packed,
          config: r.config,
          rootFile: r.rootFile,
          swapFile: r.swapFile,
          loadlinLine: r.loadlinLine,
          see,
        },
        [floppy.buffer as ArrayBuffer, ...packed.transfer, ...initrdBuffer(see)],
      );
    } else if (req.type === "see") {
      // The disk comes in pieces (a 2 GiB buffer cannot be posted) and goes back the same way.
      const disk = req.disk ? unpack(req.disk) : undefined;
      const report = seeReport({ floppy: req.floppy, disk });
      const diff = req.base ? diffReports(req.base, report) : undefined;
      const back = disk ? pack(disk) : undefined;
      post(
        {
          type: "seen",
          id,
          report,
          ...(diff ? { diff } : {}),
          ...(req.floppy ? { floppy: req.floppy } : {}),
          ...(back ? { disk: back.packed } : {}),
        },
        [...(req.floppy ? [req.floppy.buffer as ArrayBuffer] : []), ...(back?.transfer ?? []), ...initrdBuffer(report)],
      );
    } else if (req.type === "chain") {
      // What each step of the boot chain reads, for the page's diagram (the floppy may be a user's).
      post({ type: "chain", id, facts: chainFacts(req.floppy, req.config) });
    } else {
      const bytes = (await bytesOf(req.file))!;
      const tree = rootTreeFromArchive(req.config, bytes);
      post({ type: "root-read", id, entries: tree.length, bytes: bytes.length });
    }
  } catch (e) {
    // The readers' own errors are LooprootErrors; anything else arrives as a bug, as everywhere.
    post({ type: "read-failed", id, error: errorToJSON(e) });
  }
}

self.onmessage = async (ev: MessageEvent<BuildRequest | InspectRequest>) => {
  const req = ev.data;
  if (req.type !== "build") return void inspect(req);
  const { id, config } = req;
  const t0 = performance.now();
  let stage = "fetch";
  try {
    const fresh = !cached;
    const { ing: c, fetchedMs } = await ingredientsFrom(req.base);
    if (fresh) {
      const bytes =
        c.kernel.length +
        c.busyboxInitrd.length +
        c.busyboxRoot.length +
        c.loadlin.length +
        c.dos.bootSector.length +
        c.dos.files.reduce((n, f) => n + f.data.length, 0);
      post({
        type: "fetched",
        id,
        ms: fetchedMs,
        bytes,
        detail: `kernel ${c.kernel.length.toLocaleString("en-US")} bytes, 2 busybox builds, LOADLIN, ${c.dos.name}`,
      });
    } else {
      post({ type: "fetched", id, ms: 0, bytes: 0, detail: "already loaded" });
    }
    stage = "dos";
    const dosFloppy = await bytesOf(req.dosFloppy);
    const ingredients: Ingredients = dosFloppy ? { ...c, dos: dosFromFloppy(dosFloppy) } : c;
    stage = "build";
    // The tarball parsed here (after the config checks, as buildImages orders them), so that its
    // packed bytes are garbage before the images are built: a 300 MiB upload is not held beside them.
    const treeOf = async (file: Blob | Uint8Array): Promise<Tree> =>
      parseRootArchive(config, (await bytesOf(file))!, ingredients.busyboxRoot);
    let rootTree: Tree | undefined;
    if (config.root.source === "tar" && req.rootArchive) {
      assertValid(validateConfig(config, guestFacts(ingredients)));
      rootTree = await treeOf(req.rootArchive);
    }
    const r = buildImages({ config, ingredients, rootTree }, (step) => post({ type: "step", id, step }));
    stage = "listing";
    const layout = diskLayout(config);
    // The disk crosses in pieces (a 2047 MiB buffer cannot be posted, pieces.ts), and the files
    // that are views of it cross as ranges: the page rebuilds them as views of its one disk buffer.
    const diskViews: BuildOutputWire["diskViews"] = [];
    const files = r.files.map((f, i) => {
      if (f.data.buffer !== r.disk.buffer) return f;
      diskViews.push({ file: i, offset: f.data.byteOffset - r.disk.byteOffset, length: f.data.length });
      return { ...f, data: new Uint8Array(0) };
    });
    const disk = pack(r.disk);
    const output: BuildOutputWire = {
      floppy: r.floppy,
      disk: disk.packed,
      diskViews,
      files,
      texts: r.texts,
      steps: r.steps,
      floppyFreeBytes: r.floppyFreeBytes,
      dosName: ingredients.dos.name,
      listings: {
        floppy: fatListing(`A: the ${config.floppy.kind} boot floppy`, readFat(r.floppy)),
        partition: fatListing(
          `C: the FAT16 partition at sector ${layout.partitionStart} of the hard disk`,
          readFat(r.disk, layout.partitionStart * 512),
        ),
        initrd: treeRows(r.initrdTree),
        root: treeRows(r.rootTree),
      },
      see: seeReport({ floppy: r.floppy, disk: r.disk }),
      totalMs: performance.now() - t0,
    };
    // Transfer each output buffer once; never one the ingredient cache still holds.
    const keep = new Set<ArrayBufferLike>(
      [c.kernel, c.busyboxInitrd, c.busyboxRoot, c.loadlin, c.dos.bootSector, ...c.dos.files.map((f) => f.data)].map(
        (a) => a.buffer,
      ),
    );
    const transfer = new Set<ArrayBuffer>(disk.transfer);
    for (const f of output.files) {
      if (keep.has(f.data.buffer)) f.data = f.data.slice();
      transfer.add(f.data.buffer as ArrayBuffer);
    }
    if (keep.has(output.floppy.buffer)) output.floppy = output.floppy.slice();
    transfer.add(output.floppy.buffer as ArrayBuffer);
    post({ type: "done", id, output }, [...transfer, ...initrdBuffer(output.see)]);
  } catch (e) {
    // The error crosses as JSON (code, field, limit, problems; a bug keeps its stack) and comes back as a LooprootError.
    post({ type: "error", id, stage, error: errorToJSON(e) });
  }
};
