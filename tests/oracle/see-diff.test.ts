// The page's See-inside data (src/fs/views/see.ts) and the diff (src/fs/views/seediff.ts), against the real
// tools: the default images are built; files are read through the report's extents and compared
// with what mtype and debugfs give; then the disk is changed with mtools (a file copied onto C:,
// the swap file deleted) and debugfs -w (a file written into the root image, one removed, a mode
// changed, then the image copied back with mcopy -o), and the diff must name exactly what the
// tools' own listings (mdir -/, debugfs ls -R) say was added and removed, and what we changed.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { config, build } from "../boot/chain.ts";
import { seeImages, readExtents, hash64, Hash64, type SeeReport } from "../../src/fs/views/see.ts";
import { diffReports, diffFiles } from "../../src/fs/views/seediff.ts";
import { gunzip } from "../../src/fs/gzip.ts";
import { readExt2 as readDebugfs, scratchBase } from "./ext2-read.ts";
import { mtoolsList, sha256 } from "./fat-oracles.ts";
import { diskMap } from "../../src/fs/views/maps.ts";
import { rng, mutate } from "../unit/inspect-mutate.ts";

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(scratchBase(), "see-diff-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const vol = (r: SeeReport, id: string) => r.volumes.find((v) => v.id === id)!;
const file = (r: SeeReport, id: string, p: string) => vol(r, id).files.find((f) => f.path === p)!;
const debugfs = (img: string, req: string, write = false) =>
  execFileSync("debugfs", [...(write ? ["-w"] : []), "-R", req, img], {
    encoding: "latin1",
    stdio: ["ignore", "pipe", "pipe"],
  });

describe("See inside: the report and the diff against the real tools", () => {
  it("reads files through the extents as mtype and debugfs do, and the diff names what mtools and debugfs -w changed", () => {
    const images = build(config());
    const base = seeImages(images);
    expect(base.problems).toEqual([]);
    expect(base.maps.map((m) => m.id)).toEqual(["floppy", "initrd", "disk", "root"]);

    const diskFile = path.join(dir, "disk.img"),
      floppyFile = path.join(dir, "floppy.img");
    fs.writeFileSync(diskFile, images.disk);
    fs.writeFileSync(floppyFile, images.floppy);
    const sf = JSON.parse(execFileSync("sfdisk", ["--json", diskFile], { encoding: "utf8" })).partitiontable
      .partitions[0];
    const at = `${diskFile}@@${sf.start * 512}`;
    const disk = base.maps.find((m) => m.id === "disk")!;
    expect(disk.regions.find((r) => r.kind === "partition")!.start).toBe(sf.start * 512);

    // Files through their extents: a floppy file, a partition file, a root-image file, an initrd file.
    const mt = (img: string, p: string) => new Uint8Array(execFileSync("mtype", ["-i", img, p]));
    expect(readExtents(images.floppy, file(base, "floppy", "AUTOEXEC.BAT"))).toEqual(mt(floppyFile, "::/AUTOEXEC.BAT"));
    const rootImg = path.join(dir, "linuxdsk.img");
    execFileSync("mcopy", ["-n", "-i", at, "::/LINUX/LINUXDSK.IMG", rootImg]);
    // Large arrays are compared by digest (toEqual walks them element by element).
    expect(sha256(readExtents(images.disk, file(base, "partition", "LINUX\\LINUXDSK.IMG")))).toBe(
      sha256(fs.readFileSync(rootImg)),
    );
    const fstab = file(base, "root", "/etc/fstab");
    expect(new TextDecoder().decode(readExtents(images.disk, fstab))).toBe(debugfs(rootImg, "cat /etc/fstab"));
    const busybox = file(base, "root", "/bin/busybox");
    const bbOut = path.join(dir, "busybox");
    debugfs(rootImg, `dump /bin/busybox ${bbOut}`);
    expect(busybox.extents.length).toBeGreaterThan(0);
    expect(sha256(readExtents(images.disk, busybox))).toBe(sha256(fs.readFileSync(bbOut)));
    const initrdImg = path.join(dir, "initrd.img");
    fs.writeFileSync(initrdImg, gunzip(mt(floppyFile, "::/INITRDGZ.IMG"), 1 << 28));
    expect(new TextDecoder().decode(readExtents(base.initrd!, file(base, "initrd", "/linuxrc")))).toBe(
      debugfs(initrdImg, "cat /linuxrc"),
    );

    // Unchanged images: no differences.
    expect(
      diffReports(base, seeImages({ floppy: images.floppy.slice(), disk: images.disk.slice() })).every(
        (d) => !d.added.length && !d.removed.length && !d.changed.length,
      ),
    ).toBe(true);

    // The changes, by the tools.
    const treeBefore = readDebugfs(rootImg);
    const rootBefore = treeBefore.map((e) => e.path);
    const fatBefore = mtoolsList(at);
    const victim = treeBefore.find(
      (e) => e.path.startsWith("/etc/") && e.path !== "/etc/fstab" && e.kind === "file",
    )!.path;
    fs.writeFileSync(path.join(dir, "added.txt"), "written by debugfs\n");
    debugfs(rootImg, `write ${path.join(dir, "added.txt")} /root/added.txt`, true);
    debugfs(rootImg, `rm ${victim}`, true);
    debugfs(rootImg, "sif /etc/fstab mode 0100600", true);
    execFileSync("mcopy", ["-o", "-i", at, rootImg, "::/LINUX/LINUXDSK.IMG"]);
    fs.writeFileSync(path.join(dir, "NEW.TXT"), "copied by mcopy\r\n");
    execFileSync("mcopy", ["-i", at, path.join(dir, "NEW.TXT"), "::/NEW.TXT"]);
    execFileSync("mdel", ["-i", at, "::/LINUX/LINUXSWP.IMG"]);
    const rootAfter = readDebugfs(rootImg).map((e) => e.path);
    const fatAfter = mtoolsList(at);

    const changed = seeImages({ floppy: images.floppy, disk: new Uint8Array(fs.readFileSync(diskFile)) });
    expect(changed.problems).toEqual([]);
    const d = diffReports(base, changed);
    const part = d.find((x) => x.id === "partition")!,
      root = d.find((x) => x.id === "root")!;
    // Added and removed: exactly what the tools' own listings say.
    const dos = (p: string) => p.replace(/\/$/, "").replace(/\//g, "\\");
    expect(part.added.map((f) => f.path)).toEqual(fatAfter.filter((p) => !fatBefore.includes(p)).map(dos));
    expect(part.removed.map((f) => f.path)).toEqual(fatBefore.filter((p) => !fatAfter.includes(p)).map(dos));
    expect(part.added.map((f) => f.path)).toEqual(["NEW.TXT"]);
    expect(part.removed.map((f) => f.path)).toEqual(["LINUX\\LINUXSWP.IMG"]);
    expect(part.changed.map((c) => c.path)).toEqual(["LINUX\\LINUXDSK.IMG"]);
    expect(part.changed[0].what).toContain("contents");
    expect(root.added.map((f) => f.path)).toEqual(rootAfter.filter((p) => !rootBefore.includes(p)).sort());
    expect(root.added.map((f) => f.path)).toEqual(["/root/added.txt"]);
    expect(root.removed.map((f) => f.path)).toEqual(rootBefore.filter((p) => !rootAfter.includes(p)).sort());
    expect(root.removed.map((f) => f.path)).toEqual([victim]);
    expect(root.changed.map((c) => [c.path, c.what])).toEqual([["/etc/fstab", ["mode"]]]);
    expect(new TextDecoder().decode(readExtents(new Uint8Array(fs.readFileSync(diskFile)), root.added[0]))).toBe(
      "written by debugfs\n",
    );
    // The floppy and the initrd were not touched.
    expect(
      d
        .filter((x) => x.id === "floppy" || x.id === "initrd")
        .every((x) => !x.added.length && !x.removed.length && !x.changed.length),
    ).toBe(true);
  }, 120_000);

  it("hash64: any one byte changed changes it; where the bytes lie in memory does not", () => {
    const b = new Uint8Array(1001).map((_, i) => (i * 7) & 0xff);
    const h = hash64(b);
    for (const i of [0, 3, 4, 500, 999, 1000]) {
      const c = b.slice();
      c[i] ^= 1;
      expect(hash64(c), `byte ${i}`).not.toBe(h);
    }
    const shifted = new Uint8Array(1003);
    shifted.set(b, 1);
    expect(hash64(shifted.subarray(1, 1002))).toBe(h);
    expect(hash64(b.subarray(0, 1000))).not.toBe(h);
    // Fed in uneven pieces (a file's extents), the same value.
    const hp = new Hash64(b.length);
    for (const [s, e] of [
      [0, 3],
      [3, 3],
      [3, 10],
      [10, 517],
      [517, 1001],
    ])
      hp.update(b.subarray(s, e));
    expect(hp.digest()).toBe(h);
  });

  it("diffFiles: a changed type, a changed symlink target and an mtime-only change are named", () => {
    const f = (path: string, o: object = {}) => ({
      path,
      kind: "file" as const,
      size: 1,
      mtime: 1,
      mode: 0o644,
      uid: 0,
      gid: 0,
      extents: [],
      hash: "a",
      ...o,
    });
    const r = diffFiles(
      [f("/a"), f("/l", { kind: "symlink", target: "x" }), f("/t"), f("/d", { kind: "dir", mtime: 5 })],
      [
        f("/a", { kind: "dir" }),
        f("/l", { kind: "symlink", target: "y", hash: "b" }),
        f("/t", { mtime: 2 }),
        f("/d", { kind: "dir", mtime: 9 }),
      ],
    );
    expect(r.changed.map((c) => [c.path, c.what])).toEqual([
      ["/a", ["type"]],
      ["/l", ["contents", "target"]],
      ["/t", ["time"]],
    ]);
  });
});

describe("See inside on damaged images", () => {
  it("120 mutated disks and floppies each give a report (problems noted per part), never a throw, each quickly", () => {
    const images = build(config());
    const m = diskMap(images.disk);
    const fat = m.fat!;
    const v = fat.volume;
    const p0 = fat.offset;
    const rootRun = fat.files.find((f) => f.path === "LINUX\\LINUXDSK.IMG")!;
    const rootAt =
      p0 +
      ((v.reservedSectors + v.numFats * v.fatSectors) * 512 + v.rootEntries * 32) +
      (rootRun.runs[0][0] - 2) * v.sectorsPerCluster * 512;
    // The metadata: MBR, the partition's boot sector, FATs and root directory, the root image's superblock, descriptors, bitmaps and first inodes.
    const hot: [number, number][] = [
      [0, 512],
      [p0, p0 + (v.reservedSectors + v.numFats * v.fatSectors) * 512 + v.rootEntries * 32],
      [rootAt + 1024, rootAt + 1024 * 40],
    ];
    const r = rng(1414);
    let slowest = 0,
      withProblems = 0;
    for (let i = 0; i < 120; i++) {
      const disk = mutate(images.disk, hot, r);
      const floppy = i % 3 === 0 ? mutate(images.floppy, [[0, 512 * 33]], r) : images.floppy;
      const t = performance.now();
      const rep = seeImages({ floppy, disk });
      slowest = Math.max(slowest, performance.now() - t);
      if (rep.problems.length) withProblems++;
      for (const vol of rep.volumes)
        for (const f of vol.files) {
          const src = vol.source === "initrd" ? rep.initrd! : vol.source === "floppy" ? floppy : disk;
          for (const [, s, l] of f.extents) expect(s >= 0 && s + l <= src.length, `${vol.id} ${f.path}`).toBe(true);
        }
    }
    console.log(`see on mutated images: ${withProblems} of 120 with problems noted, slowest ${slowest.toFixed(0)} ms`);
    expect(slowest).toBeLessThan(5000);
  }, 300_000);
});
