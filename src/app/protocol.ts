// Messages between the page and the build worker. The worker sends listings rather than the trees
// themselves, so the page gets what it shows without a second copy of every file's bytes.

import type { LooprootConfig } from "../config.ts";
import type { StepReport, OutputFile } from "../build.ts";
import type { GuestFacts } from "../validate.ts";
import type { ErrorJSON } from "../errors.ts";
import type { Tree } from "../fs/tree.ts";
import type { FatVolume } from "../fs/fat/index.ts";
import type { SeeReport } from "../fs/views/see.ts";
import type { VolumeDiff } from "../fs/views/seediff.ts";
import type { ChainFacts } from "../../emulator/chain.ts";
import { unpack, type PackedImage } from "./pieces.ts";

export interface BuildRequest {
  type: "build";
  id: number;
  /** The page's address: images/ is fetched relative to it (the worker's own URL is elsewhere). */
  base: string;
  config: LooprootConfig;
  /** The user's root tarball (tar or tar.gz) when config.root.source is "tar"; a File is read here, in the worker. */
  rootArchive?: Uint8Array | Blob;
  /** A bootable DOS floppy whose boot sector and system files replace LRDOS (read in the worker, too). */
  dosFloppy?: Uint8Array | Blob;
}

/**
 * Work the page hands the worker so its own thread never parses untrusted bytes: the sizes of the
 * guest binaries (for the checks that need them) and a first read of each upload.
 */
export type InspectRequest =
  | { type: "facts"; id: number; base: string }
  | { type: "read-dos"; id: number; file: Blob }
  | { type: "read-root"; id: number; file: Blob; config: LooprootConfig }
  | { type: "read-images"; id: number; floppy: Blob; disk: Blob; names: { floppy: string; disk: string } }
  | { type: "chain"; id: number; floppy: Uint8Array; config: LooprootConfig }
  /**
   * See inside: maps and files of these images (the disk in pieces, transferred here and back), and
   * with `base` (the built images' report) what changed against it.
   */
  | { type: "see"; id: number; floppy?: Uint8Array; disk?: PackedImage; base?: SeeReport };

export type InspectReply =
  | { type: "facts"; id: number; facts: GuestFacts }
  | { type: "dos-read"; id: number; name: string; files: { name: string; size: number }[] }
  | { type: "root-read"; id: number; entries: number; bytes: number }
  | {
      type: "images-read";
      id: number;
      floppy: Uint8Array;
      disk: PackedImage;
      config: LooprootConfig;
      rootFile: string;
      swapFile: string;
      loadlinLine: string;
      see?: SeeReport;
    }
  | { type: "seen"; id: number; report: SeeReport; diff?: VolumeDiff[]; floppy?: Uint8Array; disk?: PackedImage }
  | { type: "chain"; id: number; facts: ChainFacts }
  | { type: "read-failed"; id: number; error: ErrorJSON };

export interface TreeRow {
  path: string;
  kind: string;
  mode: number;
  size: number;
  /** Symlink or hard-link target, or "major,minor" for a device. */
  extra: string;
}

export interface FatRow {
  path: string;
  size: number;
  attributes: number;
  mtime: number;
}

export interface FatListing {
  title: string;
  fatType: 12 | 16;
  label?: string;
  oemName: string;
  clusters: number;
  bytesPerCluster: number;
  rows: FatRow[];
}

export interface BuildOutput {
  floppy: Uint8Array;
  disk: Uint8Array;
  files: OutputFile[];
  texts: { autoexecBat: string; linuxrc: string; fstab: string; rc: string; loadlinParams?: string };
  steps: StepReport[];
  floppyFreeBytes: number;
  dosName: string;
  listings: { floppy: FatListing; partition: FatListing; initrd: TreeRow[]; root: TreeRow[] };
  /** The images' maps and files, read back from their bytes (src/fs/views/see.ts). */
  see?: SeeReport;
  totalMs: number;
}

/**
 * BuildOutput as it crosses from the worker: the disk in pieces (pieces.ts), and the output files
 * that are views of the disk (disk.img, LINUXDSK.IMG, LINUXSWP.IMG) as ranges of it, not copies.
 */
export interface BuildOutputWire extends Omit<BuildOutput, "disk"> {
  disk: PackedImage;
  diskViews: { file: number; offset: number; length: number }[];
}

/** The page's side of BuildOutputWire: one disk buffer, the files' views into it again. */
export function fromWire(w: BuildOutputWire): BuildOutput {
  const disk = unpack(w.disk);
  const files = w.files.map((f) => ({ ...f }));
  for (const v of w.diskViews) files[v.file].data = disk.subarray(v.offset, v.offset + v.length);
  const { diskViews: _, ...rest } = w;
  return { ...rest, disk, files };
}

export type WorkerMessage =
  | { type: "fetched"; id: number; ms: number; bytes: number; detail: string }
  | { type: "step"; id: number; step: StepReport }
  | { type: "done"; id: number; output: BuildOutputWire }
  | { type: "error"; id: number; stage: string; error: ErrorJSON }
  | InspectReply;

export function treeRows(tree: Tree): TreeRow[] {
  return tree.map((e) => ({
    path: e.path,
    kind: e.kind,
    mode: e.mode,
    size: e.kind === "file" ? e.data!.length : 0,
    extra:
      e.kind === "symlink" || e.kind === "hardlink"
        ? (e.target ?? "")
        : e.kind === "chardev" || e.kind === "blockdev"
          ? `${e.major},${e.minor}`
          : "",
  }));
}

export function fatListing(title: string, v: FatVolume): FatListing {
  return {
    title,
    fatType: v.fatType,
    label: v.label,
    oemName: v.oemName,
    clusters: v.clusters,
    bytesPerCluster: v.bytesPerSector * v.sectorsPerCluster,
    rows: v.entries.map((e) => ({ path: e.path, size: e.size, attributes: e.attributes, mtime: e.mtime })),
  };
}
