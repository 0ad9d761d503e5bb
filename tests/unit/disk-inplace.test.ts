// The disk built in place (root and swap written straight into their clusters) against the disk
// built the old way (root and swap made apart, then copied into the FAT): byte for byte the same.
import { describe, it, expect } from "vitest";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { buildImages } from "../../src/build.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { makeHardDisk, hardDiskWindows } from "../../src/howto/dosdir.ts";
import { makeRootImage } from "../../src/howto/rootdev.ts";
import { makeSwapImage } from "../../src/howto/swapdev.ts";
import { fatFileOffsets } from "../../src/fs/fat/index.ts";
import { readFat } from "../../src/fs/fat/index.ts";

const ingredients = loadIngredients();
const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length &&
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

describe("the disk built in place", () => {
  const configs = {
    default: {},
    "type 04, small clusters": { disk: { sizeMiB: 30 }, root: { sizeMiB: 12 }, swap: { sizeMiB: 4 } },
    "other names, 4 KiB blocks": {
      disk: { sizeMiB: 90, label: "OTHER" },
      root: { sizeMiB: 50, blockSize: 4096 },
      swap: { sizeMiB: 33 },
      dos: { directory: "LR", rootFile: "ROOT.IMG", swapFile: "SWAP.IMG" },
    },
  };
  for (const [name, partial] of Object.entries(configs)) {
    it(`equals the disk with the images copied in (${name}); root and swap are views of it`, () => {
      const config = mergeConfig(defaultConfig(), partial);
      const r = buildImages({ config, ingredients });
      const root = makeRootImage(config, r.rootTree);
      const swap = makeSwapImage(config);
      expect(same(r.disk, makeHardDisk(config, root, swap))).toBe(true);
      expect(same(r.root, root) && same(r.swap, swap)).toBe(true);
      // No copies: the result's images share the disk's buffer, where the FAT says the files are.
      expect(r.root.buffer).toBe(r.disk.buffer);
      expect(r.swap.buffer).toBe(r.disk.buffer);
      const vol = readFat(r.disk, 63 * 512);
      const file = (n: string) => vol.entries.find((e) => e.path === `${config.dos.directory}\\${n}`)!;
      expect(same(file(config.dos.rootFile).data(), r.root)).toBe(true);
      expect(same(file(config.dos.swapFile).data(), r.swap)).toBe(true);
    });
  }

  it("refuses windows that are not the given disk's", () => {
    const config = defaultConfig();
    const w = hardDiskWindows(config, config.root.sizeMiB * 1048576, config.swap.sizeMiB * 1048576);
    expect(() => makeHardDisk(config, new Uint8Array(w.root.length), w.swap, w)).toThrow(/not the windows/);
  });

  it("fatFileOffsets: -1 for an empty file, which has no clusters", () => {
    const opts = { totalSectors: 8000, serial: 1, time: 0x20000000 };
    const files = [
      { path: "A.TXT", data: new Uint8Array(0) },
      { path: "B.TXT", data: new Uint8Array(0), size: 5000 },
    ];
    const [a, b] = fatFileOffsets(opts, files);
    expect(a).toBe(-1);
    expect(b).toBeGreaterThan(0);
  });
});
