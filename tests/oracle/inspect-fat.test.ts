// FAT and MBR maps against the real tools: for volumes made by mkfs.fat + mcopy (fragmented on
// purpose), the files equal `mdir -/`, each file's cluster runs equal `mshowfat`, and the volume's
// numbers equal `fsck.fat -v`; for a disk partitioned by sfdisk, the partition equals
// `sfdisk --json` and the volume inside it is mapped as on its own.

import { describe, it, expect, afterAll } from "vitest";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { inspect, fatMap, diskMap, recognise } from "../../src/fs/views/maps.ts";
import { tempDir, run } from "./fat-oracles.ts";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import { readExt2 } from "../../src/fs/ext2/index.ts";

const tmp = tempDir("inspect-fat");
afterAll(() => tmp.cleanup());

function sh(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function bytes(n: number, seed: number): Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

/** `mdir -/` as [DOS path, size or -1 for a directory]. */
function mdirList(img: string): [string, number][] {
  const out: [string, number][] = [];
  let dir = "";
  for (const line of sh("mdir", ["-/", "-a", "-i", img, "::"]).split("\n")) {
    const d = /^Directory for ::\/(.*)$/.exec(line);
    if (d) {
      dir = d[1].replace(/\//g, "\\");
      continue;
    }
    const m = /^(.{8}) (.{3}) +(<DIR>|\d+) +\d{4}-/.exec(line);
    if (!m) continue;
    const name = m[1].trim() + (m[2].trim() ? `.${m[2].trim()}` : "");
    if (name === "." || name === "..") continue;
    out.push([dir ? `${dir}\\${name}` : name, m[3] === "<DIR>" ? -1 : +m[3]]);
  }
  return out.sort();
}

/** `mshowfat` runs as [first, count]. */
function mshowfat(img: string, dosPath: string): [number, number][] {
  const out = sh("mshowfat", ["-i", img, `::/${dosPath.replace(/\\/g, "/")}`]);
  return [...out.matchAll(/<(\d+)(?:-(\d+))?>/g)].map((m) => [+m[1], (m[2] ? +m[2] : +m[1]) - +m[1] + 1]);
}

/** The numbers `fsck.fat -v -n` prints for the volume. */
function fsckNumbers(img: string) {
  const out = sh("fsck.fat", ["-v", "-n", img]);
  const n = (re: RegExp) => +re.exec(out)![1];
  return {
    fatStart: n(/First FAT starts at byte (\d+)/),
    numFats: n(/(\d+) FATs, \d+ bit entries/),
    fatType: n(/FATs, (\d+) bit entries/),
    fatBytes: n(/(\d+) bytes per FAT/),
    rootStart: n(/Root directory starts at byte (\d+)/),
    rootEntries: n(/(\d+) root directory entries/),
    dataStart: n(/Data area starts at byte (\d+)/),
    clusters: n(/(\d+) data clusters/),
    clusterBytes: n(/(\d+) bytes per cluster/),
    totalSectors: n(/(\d+) sectors total/),
    hidden: n(/(\d+) hidden sectors/),
    used: n(/(\d+)\/\d+ clusters/),
  };
}

function ourNumbers(img: Uint8Array, offset = 0) {
  const m = fatMap(img, offset);
  const v = m.volume;
  const r = (k: string) => m.regions.find((x) => x.kind === k)!;
  return {
    fatStart: r("fat").start - offset,
    numFats: v.numFats,
    fatType: v.fatType,
    fatBytes: v.fatSectors * v.bytesPerSector,
    rootStart: r("root-dir").start - offset,
    rootEntries: v.rootEntries,
    dataStart: r("data").start - offset,
    clusters: v.clusters,
    clusterBytes: v.sectorsPerCluster * v.bytesPerSector,
    totalSectors: v.totalSectors,
    hidden: v.hiddenSectors,
    used: m.usedClusters,
  };
}

/** A volume with directories and files, fragmented by deleting and refilling. */
function populate(img: string, scale: number, rootImage?: Uint8Array) {
  const put = (p: string, n: number, seed: number) =>
    sh("mcopy", [
      "-i",
      img,
      tmp.file(`src${seed}`, p.endsWith("LINUXDSK.IMG") && rootImage ? rootImage : bytes(n, seed)),
      `::/${p}`,
    ]);
  sh("mmd", ["-i", img, "::/LINUX", "::/SUB", "::/SUB/DEEP"]);
  put("A.TXT", 100, 1);
  put("HOLE1.BIN", 3000 * scale, 2);
  put("B.TXT", 5000, 3);
  put("HOLE2.BIN", 7000 * scale, 4);
  put("SUB/DEEP/X", 1, 5);
  put("EMPTY", 0, 6);
  sh("mdel", ["-i", img, "::/HOLE1.BIN", "::/HOLE2.BIN"]);
  // Fills the holes first: three runs or more.
  put("LINUX/LINUXDSK.IMG", 40_000 * scale, 7);
  for (let i = 0; i < 20; i++) put(`SUB/F${i}.DAT`, i * 333, 10 + i);
}

function expectVolumeMatches(file: string, img: Uint8Array, offset = 0, mtoolsImg = file) {
  const m = fatMap(img, offset);
  // Files and sizes as mdir lists them.
  const ours = m.files.map((f) => [f.path, f.directory ? -1 : f.size] as [string, number]).sort();
  expect(ours).toEqual(mdirList(mtoolsImg));
  // Cluster runs as mshowfat reports them (empty files have none).
  for (const f of m.files) if (f.runs.length) expect([f.path, f.runs]).toEqual([f.path, mshowfat(mtoolsImg, f.path)]);
  expect(m.files.find((f) => f.path === "LINUX\\LINUXDSK.IMG")!.runs.length).toBeGreaterThanOrEqual(3);
  // Contents as mtype gives them.
  const x = inspect(img.subarray(offset));
  if (x.kind !== "fat") throw new Error(`recognised as ${x.kind}`);
  for (const f of x.files.filter((g) => !g.directory)) {
    const theirs = run("mtype", ["-i", mtoolsImg, `::/${f.path.replace(/\\/g, "/")}`]).raw;
    expect([f.path, createHash("sha256").update(f.data()).digest("hex")]).toEqual([
      f.path,
      createHash("sha256").update(theirs).digest("hex"),
    ]);
  }
  return m;
}

describe("FAT map: mkfs.fat + mcopy volumes", () => {
  it("a 1.44 MB FAT12 floppy: files = mdir -/, runs = mshowfat, numbers = fsck.fat -v", () => {
    const file = tmp.file("floppy.img");
    sh("mkfs.fat", ["-C", file, "1440"]);
    populate(file, 1);
    const img = new Uint8Array(fs.readFileSync(file));
    expect(recognise(img)).toBe("fat");
    expectVolumeMatches(file, img);
    expect(ourNumbers(img)).toEqual(fsckNumbers(file));
  });
  it("a 32 MiB FAT16 volume with 4-sector clusters", () => {
    const file = tmp.file("fat16.img");
    sh("mkfs.fat", ["-F", "16", "-s", "4", "-C", file, String(32 * 1024)]);
    populate(file, 20);
    const img = new Uint8Array(fs.readFileSync(file));
    expectVolumeMatches(file, img);
    expect(ourNumbers(img)).toEqual(fsckNumbers(file));
  });
});

describe("disk map: a disk partitioned by sfdisk", () => {
  it("the partition = sfdisk --json; the FAT volume inside = fsck.fat -v, mdir and mshowfat", () => {
    const disk = tmp.file("disk.img");
    fs.writeFileSync(disk, new Uint8Array(40 * 1024 * 1024));
    run(
      "sfdisk",
      ["-q", disk],
      new TextEncoder().encode("label: dos\nlabel-id: 0x12345678\nstart=2048, size=65536, type=6, bootable\n"),
    );
    const part = tmp.file("part.img");
    sh("mkfs.fat", ["-F", "16", "-h", "2048", "-C", part, String(32 * 1024)]);
    const root = makeExt2(
      [
        { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
        { path: "/hello", kind: "file", mode: 0o644, uid: 5, gid: 6, mtime: 7, data: bytes(200_000, 42) },
      ],
      { sizeBytes: 400_000, uuid: new Uint8Array(16), time: 0 },
    );
    populate(part, 10, root);
    const d = new Uint8Array(fs.readFileSync(disk));
    d.set(fs.readFileSync(part), 2048 * 512);
    fs.writeFileSync(disk, d);
    expect(recognise(d)).toBe("disk");
    const map = diskMap(d);
    const sf = JSON.parse(sh("sfdisk", ["--json", disk])).partitiontable;
    expect(map.diskSignature).toBe(parseInt(sf.id, 16));
    expect(
      map.partitions.map((p) => ({ start: p.start, size: p.sectors, type: p.type.toString(16), bootable: p.bootable })),
    ).toEqual(
      sf.partitions.map((p: { start: number; size: number; type: string; bootable?: boolean }) => ({
        start: p.start,
        size: p.size,
        type: p.type,
        bootable: p.bootable === true,
      })),
    );
    expect(map.regions.map((r) => [r.kind, r.first, r.last])).toEqual([
      ["mbr", 0, 0],
      ["gap", 1, 2047],
      ["partition", 2048, 2048 + 65535],
      ["gap", 2048 + 65536, 40 * 2048 - 1],
    ]);
    // The volume inside, through mtools' partition offset syntax.
    const m = expectVolumeMatches(part, d, 2048 * 512, `${disk}@@${2048 * 512}`);
    expect(ourNumbers(d, 2048 * 512)).toEqual(fsckNumbers(part));
    expect(map.fat!.files).toEqual(m.files);
    // The root image is fragmented on C: (mcopy filled the holes first): found, gathered from its runs, read.
    const x = inspect(d);
    if (x.kind !== "disk" || !x.root) throw new Error("no root image found");
    expect(map.fat!.files.find((f) => f.path === "LINUX\\LINUXDSK.IMG")!.runs.length).toBeGreaterThanOrEqual(3);
    expect(x.root.regionsIn).toBe("file");
    expect(x.root.ext2.tree).toEqual(readExt2(root).tree);
    expect(map.regions[2].children!.map((r) => r.name)).toEqual(
      ["boot sector", "reserved sectors", "FAT 1", "FAT 2", "root directory", "data area"].filter(
        (n) => n !== "reserved sectors" || m.volume.reservedSectors > 1,
      ),
    );
  });
});
