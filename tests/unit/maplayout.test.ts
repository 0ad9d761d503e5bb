// The map's arithmetic (src/app/maplayout.ts): widths to scale, the minimum width for tiny
// regions (the row still spans the width, order and positions kept), bundling when there are
// more regions than fit, and the views zooming walks (into a region, to a file's runs) on the
// default disk's real map.

import { describe, it, expect } from "vitest";
import { layoutRow, zoomInto, zoomToFile, flatten } from "../../src/app/maplayout.ts";
import { diskMap } from "../../src/fs/views/maps.ts";
import { config, build } from "../boot/chain.ts";

const r = (start: number, end: number, name = `${start}`) => ({ start, end, name });
const sum = (xs: { w: number }[]) => xs.reduce((s, x) => s + x.w, 0);

describe("layoutRow", () => {
  it("draws to scale when every region is wide enough", () => {
    const row = layoutRow([r(0, 250), r(250, 750), r(750, 1000)], { start: 0, end: 1000 }, 400, 4);
    expect(row.map((b) => [b.x, b.w])).toEqual([
      [0, 100],
      [100, 200],
      [300, 100],
    ]);
  });

  it("gives tiny regions the minimum width, takes it from the wide ones, and keeps the row's width and order", () => {
    // A 512-byte MBR, a 31.5 KiB gap and a 48 MiB partition on 600 px.
    const items = [r(0, 512), r(512, 32768), r(32768, 48 * 2 ** 20)];
    const row = layoutRow(items, { start: 0, end: 48 * 2 ** 20 }, 600, 6);
    expect(row.map((b) => b.w)).toEqual([6, 6, 588]);
    expect(row.map((b) => b.x)).toEqual([0, 6, 12]);
    expect(sum(row)).toBeCloseTo(600, 9);
    // The true range stays with each box.
    expect(row[0]).toMatchObject({ start: 0, end: 512 });
  });

  it("keeps gaps between regions as space, and clips regions to the view", () => {
    const row = layoutRow([r(0, 100), r(300, 500), r(900, 1200)], { start: 0, end: 1000 }, 1000, 1);
    expect(row.map((b) => [b.start, b.end, b.x, b.w])).toEqual([
      [0, 100, 0, 100],
      [300, 500, 300, 200],
      [900, 1000, 900, 100],
    ]);
    expect(layoutRow([r(0, 10)], { start: 20, end: 30 }, 100, 2)).toEqual([]);
  });

  it("bundles runs of tiny regions when there are more regions than fit, and every box is at least the minimum", () => {
    const items = [
      r(0, 1_000_000),
      ...Array.from({ length: 1000 }, (_, i) => r(1_000_000 + i * 10, 1_000_010 + i * 10)),
      r(1_010_000, 2_000_000),
    ];
    const row = layoutRow(items, { start: 0, end: 2_000_000 }, 300, 5);
    expect(row.length).toBeLessThanOrEqual(60);
    expect(row.flatMap((b) => b.items)).toEqual(items);
    for (const b of row) expect(b.w).toBeGreaterThanOrEqual(5 - 1e-9);
    expect(sum(row)).toBeCloseTo(300, 6);
    for (let i = 1; i < row.length; i++) expect(row[i].x).toBeCloseTo(row[i - 1].x + row[i - 1].w, 9);
  });

  it("bundles, then shares the width equally when even the minimum does not fit", () => {
    const row = layoutRow([r(0, 1), r(1, 2), r(2, 1000)], { start: 0, end: 1000 }, 6, 4);
    expect(row.map((b) => [b.items.length, b.w])).toEqual([
      [2, 3],
      [1, 3],
    ]);
  });
});

describe("zoom views on the default disk's map", () => {
  const images = build(config());
  const m = diskMap(images.disk);
  const fat = m.fat!;

  it("zooming into the partition shows its FATs, root directory and data area over its own bytes", () => {
    const part = m.regions.find((x) => x.kind === "partition")!;
    const v = zoomInto(part);
    expect([v.start, v.end]).toEqual([part.start, part.end]);
    expect(v.items.map((x) => x.kind)).toEqual(expect.arrayContaining(["boot", "fat", "fat", "root-dir", "data"]));
    const fat1 = v.items.find((x) => x.name === "FAT 1")!;
    expect(fat1.end - fat1.start).toBe(fat.volume.fatSectors * 512);
    // A leaf zooms to itself.
    expect(zoomInto(fat1).items).toEqual([fat1]);
  });

  it("zooming to LINUXDSK.IMG spans exactly its cluster runs and marks them", () => {
    const f = fat.files.find((x) => x.path === "LINUX\\LINUXDSK.IMG")!;
    const v = zoomToFile(m.regions, f.path)!;
    const runs = flatten(m.regions).filter((x) => x.path === f.path);
    expect(runs.map((x) => x.clusters)).toEqual(f.runs.map(([c, n]) => [c, c + n - 1]));
    expect(v.start).toBe(Math.min(...runs.map((x) => x.start)));
    expect(v.end).toBe(Math.max(...runs.map((x) => x.end)));
    expect(v.items.filter((x) => x.path === f.path)).toEqual(runs);
    expect(v.highlight).toBe(f.path);
    const row = layoutRow(v.items, v, 390, 3);
    expect(sum(row)).toBeCloseTo(390, 6);
    expect(zoomToFile(m.regions, "NO\\SUCH.FIL")).toBeUndefined();
  });
});
