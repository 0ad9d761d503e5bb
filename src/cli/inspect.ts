// `looproot inspect IMAGE [--json]`: what a floppy, a disk, a root image or an initrd holds, from its
// own bytes: the map (like sfdisk -l, fsck.fat -v and dumpe2fs -h) and the files (like debugfs ls -R
// and mdir -/). --json prints the same as data, file contents as sizes and SHA-256 sums.

import { createHash } from "node:crypto";
import { readInputFile } from "./files.ts";
import { safeText } from "../util/safe.ts";
import { fmt } from "../util/fmt.ts";
import { LooprootError, ErrorCode, describeForCli } from "../errors.ts";
import {
  inspect,
  type Inspection,
  type Region,
  type FatMap,
  type FatTreeEntry,
  type DiskMap,
} from "../fs/views/maps.ts";
import type { Ext2Image } from "../fs/ext2/index.ts";
import type { Tree } from "../fs/tree.ts";

/**
 * Larger files are refused before reading: inspect reads the whole image into memory, and Node
 * reads at most 2 GiB - 1 bytes in one go (the emulators take disks under 2 GiB too).
 */
export const INSPECT_MAX_BYTES = 2 * 1024 ** 3 - 1;

const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const iso = (t: number) =>
  new Date(t * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.000Z$/, "");

/** The image, read once into one buffer (no second copy), every read error the user's to fix. */
export function readImageFile(path: string): Uint8Array {
  return readInputFile("IMAGE", path, INSPECT_MAX_BYTES);
}

/**
 * The lister's caps: a path longer than Linux's PATH_MAX (4,096 bytes) cannot be named by any
 * program, and past 100,000 entries a listing is no longer read by a person. What is left out is
 * counted ("N more"), so a tree 30,000 directories deep lists in seconds with bounded output.
 */
export const INSPECT_MAX_ENTRIES = 100_000;
export const INSPECT_MAX_PATH_CHARS = 4096;

/** A name or text from an image, safe for the terminal (paths are already capped by the reader). */
const shown = (s: string) => safeText(s, INSPECT_MAX_PATH_CHARS + 100);

// ---------------------------------------------------------------------------------------------
// Text

function regionLines(regions: Region[], depth = 0, out: string[] = []): string[] {
  for (const r of regions) {
    const units = `${r.unit}s ${fmt(r.first)}-${fmt(r.last)}`;
    const cl =
      (r.clusters ? `  clusters ${r.clusters[0]}-${r.clusters[1]}` : "") +
      (r.content ? `  (${r.content.kind}, made in ${r.content.step})` : "");
    out.push(
      `${"  ".repeat(depth + 1)}${fmt(r.start).padStart(13)}-${fmt(r.end - 1).padEnd(13)} ${units.padEnd(26)} ${r.step.padEnd(4)} ${r.name}${cl}`,
    );
    if (r.children) regionLines(r.children, depth + 1, out);
  }
  return out;
}

const MAP_HEAD = "  bytes (first-last)           range                      step name";

function fatSummary(m: FatMap, title: string): string[] {
  const v = m.volume;
  const cb = v.sectorsPerCluster * v.bytesPerSector;
  return [
    `${title}: FAT${v.fatType}${v.label ? `, label ${shown(v.label)}` : ""}${v.serial !== undefined ? `, serial ${hex(v.serial >>> 16, 4).toUpperCase()}-${hex(v.serial & 0xffff, 4).toUpperCase()}` : ""}, OEM "${shown(v.oemName)}"`,
    `  ${v.bytesPerSector} bytes per sector, ${v.sectorsPerCluster} sectors per cluster (${fmt(cb)} bytes), ${v.reservedSectors} reserved sectors`,
    `  ${v.numFats} FATs of ${v.fatSectors} sectors, ${v.rootEntries} root directory entries, media 0x${hex(v.media, 2)}`,
    `  ${fmt(v.totalSectors)} sectors (${fmt(v.totalSectors * v.bytesPerSector)} bytes), ${v.sectorsPerTrack} sectors/track, ${v.heads} heads, ${fmt(v.hiddenSectors)} hidden sectors`,
    `  ${fmt(v.clusters)} data clusters: ${fmt(m.usedClusters)} used, ${fmt(m.freeClusters)} free (${fmt(m.freeClusters * cb)} bytes)`,
  ];
}

function attrLetters(a: number): string {
  return (
    (a & 0x10 ? "d" : "-") +
    (a & 0x20 ? "a" : "-") +
    (a & 0x04 ? "s" : "-") +
    (a & 0x02 ? "h" : "-") +
    (a & 0x01 ? "r" : "-")
  );
}

function fatTreeLines(files: FatTreeEntry[], m: FatMap): string[] {
  const runs = new Map(m.files.map((f) => [f.path, f.runs]));
  return files.map((f) => {
    const r = runs.get(f.path) ?? [];
    const rs = r.map(([c, n]) => (n === 1 ? `${c}` : `${c}-${c + n - 1}`)).join(",");
    return `  ${attrLetters(f.attributes)} ${(f.directory ? "<DIR>" : fmt(f.size)).padStart(12)} ${iso(f.mtime)}  ${shown(f.path)}${f.directory ? "\\" : ""}${rs ? `  [clusters ${rs}]` : ""}`;
  });
}

function modeString(kind: string, mode: number): string {
  const t =
    { file: "-", hardlink: "-", dir: "d", symlink: "l", chardev: "c", blockdev: "b", fifo: "p", socket: "s" }[kind] ??
    "?";
  const rwx = (v: number, s: boolean, sc: string) =>
    (v & 4 ? "r" : "-") + (v & 2 ? "w" : "-") + (s ? (v & 1 ? sc : sc.toUpperCase()) : v & 1 ? "x" : "-");
  return (
    t +
    rwx(mode >> 6, (mode & 0o4000) !== 0, "s") +
    rwx(mode >> 3, (mode & 0o2000) !== 0, "s") +
    rwx(mode, (mode & 0o1000) !== 0, "t")
  );
}

const FEATURES: [string, number, string][] = [
  ["compat", 0x0008, "ext_attr"],
  ["compat", 0x0010, "resize_inode"],
  ["compat", 0x0020, "dir_index"],
  ["incompat", 0x0002, "filetype"],
  ["ro_compat", 0x0001, "sparse_super"],
  ["ro_compat", 0x0002, "large_file"],
];

function ext2Summary(x: Ext2Image, title: string): string[] {
  const L = x.layout;
  const feats = FEATURES.filter(
    ([w, bit]) =>
      ((w === "compat" ? L.featureCompat : w === "incompat" ? L.featureIncompat : L.featureRoCompat) & bit) !== 0,
  ).map(([, , n]) => n);
  return [
    `${title}: ext2${L.label ? `, volume name ${shown(L.label)}` : ""}, UUID ${L.uuid}`,
    `  features: ${feats.join(" ") || "(none)"}; revision ${L.revLevel}; state ${L.state & 1 ? "clean" : "not clean"}`,
    `  ${fmt(L.blocksCount)} blocks of ${fmt(L.blockSize)} bytes (${fmt(L.reservedBlocks)} reserved, ${fmt(L.freeBlocks)} free), first data block ${L.firstDataBlock}`,
    `  ${fmt(L.inodesCount)} inodes of ${L.inodeSize} bytes (${fmt(L.freeInodes)} free), first inode ${L.firstIno}`,
    `  ${L.groups.length} block groups of ${fmt(L.blocksPerGroup)} blocks and ${fmt(L.inodesPerGroup)} inodes`,
    ...(L.mkfsTime ? [`  created ${iso(L.mkfsTime)}, last written ${iso(L.wtime)}`] : []),
  ];
}

function ext2TreeLines(tree: Tree, x: Ext2Image): string[] {
  const nodes = new Map(x.nodes.map((n) => [n.path, n]));
  // Each directory followed by what is in it, as ls -R reads; each path split once, not per comparison.
  const keyed = tree.map((e) => ({ e, key: e.path.split("/") }));
  const cmp = (a: string[], b: string[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length - b.length;
  };
  const lines = keyed
    .sort((a, b) => cmp(a.key, b.key))
    .map(({ e }) => {
      const n = nodes.get(e.path);
      const size = e.kind === "chardev" || e.kind === "blockdev" ? `${e.major}, ${e.minor}` : fmt(n?.size ?? 0);
      const tail =
        e.kind === "symlink"
          ? ` -> ${shown(e.target ?? "")}`
          : e.kind === "hardlink"
            ? ` (hard link to ${shown(e.target ?? "")})`
            : "";
      return `  ${String(n?.ino ?? "").padStart(6)} ${modeString(e.kind, e.mode)} ${String(n?.links ?? "").padStart(3)} ${String(e.uid).padStart(5)} ${String(e.gid).padStart(5)} ${size.padStart(11)} ${iso(e.mtime)}  ${shown(e.path)}${tail}`;
    });
  if (x.omitted)
    lines.push(
      `  ... and ${fmt(x.omitted)} more not listed (paths longer than ${fmt(INSPECT_MAX_PATH_CHARS)} characters, or past the first ${fmt(INSPECT_MAX_ENTRIES)} entries)`,
    );
  return lines;
}

function diskLines(d: DiskMap, name: string): string[] {
  const out = [
    `Disk ${name}: ${fmt(d.sizeBytes)} bytes, ${fmt(Math.floor(d.sizeBytes / 512))} sectors`,
    `Disklabel type: dos, disk identifier: 0x${hex(d.diskSignature >>> 0, 8)}`,
    "",
    "  Device  Boot      Start        End    Sectors  Id",
  ];
  for (const p of d.partitions) {
    out.push(
      `  ${`part${p.index}`.padEnd(7)} ${p.bootable ? "*" : " "}  ${fmt(p.start).padStart(10)} ${fmt(p.start + p.sectors - 1).padStart(10)} ${fmt(p.sectors).padStart(10)}  ${hex(p.type, 2)}`,
    );
  }
  return out;
}

/** The text listing's lines (the command prints them in pieces, never as one string). */
export function inspectText(x: Inspection, name: string): string[] {
  const out: string[] = [];
  name = shown(name);
  const map = (regions: Region[]) => out.push("", "Map:", MAP_HEAD, ...regionLines(regions));
  switch (x.kind) {
    case "disk":
      out.push(...diskLines(x.disk, name));
      map(x.disk.regions);
      if (x.disk.fat && x.files) {
        out.push(
          "",
          ...fatSummary(x.disk.fat, `FAT volume in partition at sector ${fmt(x.disk.fat.offset / 512)}`),
          "",
          "Files (C:):",
          ...fatTreeLines(x.files, x.disk.fat),
        );
      }
      if (x.root) {
        out.push(
          "",
          ...ext2Summary(x.root.ext2, `Root image C:\\${x.root.path}`),
          "",
          "Root image map" +
            (x.root.regionsIn === "file"
              ? " (the file is fragmented: offsets within the file):"
              : " (offsets on the disk):"),
          MAP_HEAD,
          ...regionLines(x.root.regions),
        );
        out.push(
          "",
          "Root image files (inode, mode, links, uid, gid, size, mtime, path):",
          ...ext2TreeLines(x.root.ext2.tree, x.root.ext2),
        );
      }
      break;
    case "fat":
      out.push(...fatSummary(x.fat, `${name}: FAT volume, ${fmt(x.size)} bytes`));
      map(x.fat.regions);
      out.push("", "Files:", ...fatTreeLines(x.files, x.fat));
      break;
    case "ext2":
    case "initrd-gz":
      out.push(
        ...ext2Summary(
          x.ext2,
          x.kind === "ext2"
            ? `${name}: ${fmt(x.size)} bytes`
            : `${name}: gzip'd initrd, ${fmt(x.size)} bytes, ${fmt(x.unpackedSize)} unpacked`,
        ),
      );
      map(x.regions);
      out.push("", "Files (inode, mode, links, uid, gid, size, mtime, path):", ...ext2TreeLines(x.ext2.tree, x.ext2));
      break;
    case "swap":
      out.push(
        `${name}: Linux swap space version ${x.swap.version}, ${fmt(x.swap.lastPage)} pages of ${x.swap.pageSize} bytes${x.swap.label ? `, label ${x.swap.label}` : ""}, UUID ${x.swap.uuid}, ${x.swap.badPages} bad pages`,
      );
      map(x.regions);
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON: the same data, contents replaced by their size and hash.

function treeJson(tree: Tree) {
  return tree.map(({ data, ...e }) => (data ? { ...e, size: data.length, sha256: sha256(data) } : e));
}

function fatFilesJson(files: FatTreeEntry[]) {
  return files.map((f) => ({
    path: f.path,
    directory: f.directory,
    size: f.size,
    attributes: f.attributes,
    mtime: f.mtime,
    ...(f.directory ? {} : { sha256: sha256(f.data()) }),
  }));
}

export function inspectJson(x: Inspection, name: string): unknown {
  const ext = (e: Ext2Image) => ({
    layout: e.layout,
    nodes: e.nodes,
    tree: treeJson(e.tree),
    ...(e.omitted ? { omitted: e.omitted } : {}),
  });
  switch (x.kind) {
    case "disk":
      return {
        file: name,
        kind: x.kind,
        size: x.size,
        disk: x.disk,
        ...(x.files ? { files: fatFilesJson(x.files) } : {}),
        ...(x.root
          ? { root: { path: x.root.path, regions: x.root.regions, regionsIn: x.root.regionsIn, ...ext(x.root.ext2) } }
          : {}),
      };
    case "fat":
      return { file: name, kind: x.kind, size: x.size, fat: x.fat, files: fatFilesJson(x.files) };
    case "ext2":
      return { file: name, kind: x.kind, size: x.size, regions: x.regions, ...ext(x.ext2) };
    case "initrd-gz":
      return {
        file: name,
        kind: x.kind,
        size: x.size,
        unpackedSize: x.unpackedSize,
        regions: x.regions,
        ...ext(x.ext2),
      };
    case "swap":
      return { file: name, kind: x.kind, size: x.size, swap: x.swap, regions: x.regions };
  }
}

export const INSPECT_HELP = `Usage: looproot inspect IMAGE [--json]

Prints what IMAGE holds, recognised by its content: a disk (MBR, partitions, the FAT volume, its
files with their cluster runs, and the ext2 root image found on it), a FAT floppy or volume, an ext2
image, a gzip'd ext2 initrd, or swap space. Each region of the map names its byte and sector or
block range and the HOWTO step (3.3 .. 3.7) that wrote it. --json prints the same as data, file
contents as their size and SHA-256. Exit codes: 0 read, 2 not an image looproot can read.
`;

/** argv after "inspect": one IMAGE, --json, --help. */
export function inspectCommand(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }): number {
  try {
    let image: string | undefined;
    let json = false;
    for (const a of argv) {
      if (a === "--json") json = true;
      else if (a === "--help" || a === "-h") {
        io.out(INSPECT_HELP);
        return 0;
      } else if (a.startsWith("-"))
        throw new LooprootError(ErrorCode.Usage, `inspect: unknown option ${a} (see looproot inspect --help)`, {
          field: a,
        });
      else if (image === undefined) image = a;
      else
        throw new LooprootError(ErrorCode.Usage, `inspect: unexpected argument ${a} (one IMAGE at a time)`, {
          field: a,
        });
    }
    if (!image)
      throw new LooprootError(ErrorCode.Usage, "inspect needs an IMAGE (a floppy, a disk, a root image or an initrd)", {
        field: "IMAGE",
      });
    let bytes: Uint8Array | undefined = readImageFile(image);
    // The text needs no file contents (sizes and blocks come from the inodes); --json hashes them.
    const x = inspect(bytes, { contents: json, maxEntries: INSPECT_MAX_ENTRIES, maxPathChars: INSPECT_MAX_PATH_CHARS });
    bytes = undefined;
    if (json) io.out(JSON.stringify(inspectJson(x, image), null, 2));
    else {
      const lines = inspectText(x, image);
      for (let i = 0; i < lines.length; i += 1000) io.out(lines.slice(i, i + 1000).join("\n"));
    }
    return 0;
  } catch (e) {
    const d = describeForCli(e);
    for (const l of d.lines) io.err(l);
    return d.exitCode;
  }
}
